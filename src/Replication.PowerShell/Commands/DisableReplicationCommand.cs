using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Pauses replication (active-stopped); the replica keeps its last round and can still be promoted or cloned.</summary>
[Cmdlet(VerbsLifecycle.Disable, "Replication", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(VolumeReplica))]
public sealed class DisableReplicationCommand : VolumeTargetCommand
{
    /// <summary>A replication group: every member is paused; the replicas keep their common round.</summary>
    [Parameter(Mandatory = true, ParameterSetName = GroupSet, ValueFromPipelineByPropertyName = true)]
    [Alias("GroupName")]
    [ArgumentCompleter(typeof(GroupNameCompleter))]
    public string Group { get; set; } = "";

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == GroupSet)
        {
            if (ShouldProcess(Group, "Pause replication of every member of the replication group"))
            {
                ForItem(Group, () =>
                {
                    Engine.GroupOperations.Disable(Group, Observer, Cancellation);
                    if (PassThru)
                    {
                        WriteObject(Engine.Replication.List(new Replication.Engine.State.VolumeQuery { GroupName = Group }), enumerateCollection: true);
                    }
                });
            }

            return;
        }

        foreach (var name in TargetNames())
        {
            if (ShouldProcess(name, "Pause replication"))
            {
                ForItem(name, () =>
                {
                    var replica = Engine.Replication.Disable(name, Observer, Cancellation);
                    if (PassThru)
                    {
                        WriteObject(replica);
                    }
                });
            }
        }
    }
}
