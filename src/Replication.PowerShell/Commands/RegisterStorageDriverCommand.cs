using System.Management.Automation;
using Replication.Engine.Drivers.Loading;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Registers a storage driver from its own assembly, kept in the state store: no rebuild of the module.</summary>
[Cmdlet(VerbsLifecycle.Register, "StorageDriver", SupportsShouldProcess = true)]
[OutputType(typeof(StorageDriverDescription))]
public sealed class RegisterStorageDriverCommand : ReplicationCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    public string Path { get; set; } = "";

    protected override void ProcessRecord()
    {
        var file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (ShouldProcess(file, "Register storage driver"))
        {
            ForItem(file, () => WriteObject(new StorageDriverCatalog(Engine.Context).Register(file)));
        }
    }
}
