using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Pauses replication (active-stopped); the replica keeps its last round and can still be promoted or cloned.</summary>
[Cmdlet(VerbsLifecycle.Disable, "Replication", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(VolumeReplica))]
public sealed class DisableReplicationCommand : VolumeOrGroupTargetCommand
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (IsGroupRun)
        {
            if (ShouldProcess(TargetGroup, "Pause replication of every member of the replication group"))
            {
                ForItem(TargetGroup, () =>
                {
                    Engine.GroupOperations.Disable(TargetGroup, Observer, Cancellation);
                    if (PassThru)
                    {
                        WriteObject(Engine.Replication.List(new Replication.Engine.State.VolumeQuery { GroupName = TargetGroup }), enumerateCollection: true);
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
