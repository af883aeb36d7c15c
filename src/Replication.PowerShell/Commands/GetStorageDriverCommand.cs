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

    protected override void ProcessRecord() => ForItem(Name, () =>
    {
        foreach (var driver in SelectByName(new StorageDriverCatalog(Engine.Context).Describe(), d => d.Name, Name, "storage driver", ErrorIds.DriverNotFound))
        {
            WriteObject(driver);
        }
    });
}
