using System;
using System.Linq;
using System.Management.Automation;
using Replication.Engine.Drivers.Loading;
using Replication.Engine.Errors;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>The storage drivers the module can use: built in, and registered from their own assemblies.</summary>
[Cmdlet(VerbsCommon.Get, "StorageDriver")]
[OutputType(typeof(StorageDriverDescription))]
public sealed class GetStorageDriverCommand : ReplicationCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(StorageDriverNameCompleter))]
    public string[]? Name { get; set; }

    private PipelineNames<StorageDriverDescription>? _drivers;

    protected override void ProcessRecord() => ForItem(Name, () =>
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
