using System;
using System.Linq;
using System.Management.Automation;
using Replication.Engine.Drivers.Loading;
using Replication.Engine.Errors;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>
/// The storage drivers the module can use: built in, and registered from their own assemblies; with -ListAvailable, the
/// installed modules that declare a driver, registered or not.
/// </summary>
[Cmdlet(VerbsCommon.Get, "StorageDriver", DefaultParameterSetName = KnownSet)]
[OutputType(typeof(StorageDriverDescription), ParameterSetName = new[] { KnownSet })]
[OutputType(typeof(StorageDriverModule), ParameterSetName = new[] { AvailableSet })]
public sealed class GetStorageDriverCommand : ReplicationCmdlet
{
    private const string KnownSet = "Known";
    private const string AvailableSet = "Available";

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = KnownSet)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(StorageDriverNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = AvailableSet)]
    public SwitchParameter ListAvailable { get; set; }

    private PipelineNames<StorageDriverDescription>? _drivers;

    protected override void ProcessRecord()
    {
        if (ListAvailable)
        {
            ForItem(null, () => WriteObject(new StorageDriverCatalog(Engine.Context).WithRegistrations(InstalledDriverModules.Find()), enumerateCollection: true));
            return;
        }

        ForItem(Name, () =>
        {
            // A handful of drivers: every lookup reads them all, once per pipeline.
            _drivers ??= new PipelineNames<StorageDriverDescription>(d => d.Name, () => new StorageDriverCatalog(Engine.Context).Describe(),
                names => _drivers!.All().Where(d => names.Contains(d.Name, StringComparer.OrdinalIgnoreCase)).ToList());
            foreach (var driver in SelectByName(_drivers, Name, "storage driver", ErrorIds.DriverNotFound))
            {
                WriteObject(driver);
            }
        });
    }
}
