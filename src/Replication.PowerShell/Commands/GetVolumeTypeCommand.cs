using System.Management.Automation;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

[Cmdlet(VerbsCommon.Get, "VolumeType")]
[OutputType(typeof(VolumeType))]
public sealed class GetVolumeTypeCommand : ReplicationCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(VolumeTypeNameCompleter))]
    public string[]? Name { get; set; }

    private PipelineNames<VolumeType>? _types;

    protected override void ProcessRecord() => ForItem(Name, () =>
    {
        _types ??= new PipelineNames<VolumeType>(t => t.Name, () => Engine.VolumeTypes.List(), names => Engine.VolumeTypes.List(names));
        foreach (var type in SelectByName(_types, Name, "volume type", ErrorIds.VolumeTypeNotFound))
        {
            WriteObject(type);
        }
    });
}
