using System.Management.Automation;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Replication groups: their members, backends, newest common round and whether every member holds it.</summary>
[Cmdlet(VerbsCommon.Get, "ReplicationGroup")]
[OutputType(typeof(ReplicationGroup))]
public sealed class GetReplicationGroupCommand : ReplicationCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [Alias("GroupName")]
    [ArgumentCompleter(typeof(GroupNameCompleter))]
    public string[]? Name { get; set; }

    private PipelineNames<ReplicationGroup>? _groups;

    protected override void ProcessRecord() => ForItem(Name, () =>
    {
        _groups ??= new PipelineNames<ReplicationGroup>(g => g.Name, () => Engine.Groups.List(), names => Engine.Groups.List(names));
        WriteObject(SelectByName(_groups, Name, "replication group", ErrorIds.GroupNotFound), enumerateCollection: true);
    });
}
