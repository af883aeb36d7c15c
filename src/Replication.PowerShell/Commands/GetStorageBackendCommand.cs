using System.Management.Automation;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

[Cmdlet(VerbsCommon.Get, "StorageBackend")]
[OutputType(typeof(StorageBackend))]
public sealed class GetStorageBackendCommand : ReplicationCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(BackendNameCompleter))]
    public string[]? Name { get; set; }

    private PipelineNames<StorageBackend>? _backends;

    protected override void ProcessRecord() => ForItem(Name, () =>
    {
        _backends ??= new PipelineNames<StorageBackend>(b => b.Name, () => Engine.Backends.List(), names => Engine.Backends.List(names));
        foreach (var backend in SelectByName(_backends, Name, "storage backend", ErrorIds.BackendNotFound))
        {
            WriteObject(backend);
        }
    });
}
