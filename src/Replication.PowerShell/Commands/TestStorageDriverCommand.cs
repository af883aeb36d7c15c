using System.Collections;
using System.Management.Automation;
using Replication.Engine.Drivers.Loading;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>
/// Runs the conformance kit on a registered driver: one result per promise of the driver contract. The settings name
/// scratch storage the kit may fill and empty (an empty folder, a test pool), never a backend in use.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "StorageDriver", SupportsShouldProcess = true)]
[OutputType(typeof(StorageDriverTestResult))]
public sealed class TestStorageDriverCommand : ReplicationCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RegisteredDriverNameCompleter))]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    public Hashtable Setting { get; set; } = new();

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Name, "Run the conformance kit, making and removing copies and sidecars in the storage the settings name"))
        {
            return;
        }

        ForItem(Name, () =>
        {
            foreach (var result in new StorageDriverCatalog(Engine.Context).Test(Name, Hashtables.ToText(Setting)))
            {
                WriteObject(result);
            }
        });
    }
}
