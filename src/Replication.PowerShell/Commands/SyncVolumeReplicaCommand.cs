using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Copies what changed on the primary since the last round to the replica (holes stay holes).</summary>
[Cmdlet(VerbsData.Sync, "VolumeReplica", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(SyncResult))]
public sealed class SyncVolumeReplicaCommand : VolumeOrGroupTargetCommand
{
    /// <summary>Reads the whole primary even when its size and modification time say nothing changed.</summary>
    [Parameter]
    public SwitchParameter Full { get; set; }

    protected override bool ShowsRunProgress => true;

    protected override void ProcessRecord()
    {
        if (IsGroupRun)
        {
            if (ShouldProcess(TargetGroup, "Sync every replica of the replication group to one common round"))
            {
                ForItem(TargetGroup, () => WriteObject(Engine.GroupOperations.Sync(TargetGroup, Full, Observer, Cancellation), enumerateCollection: true));
            }

            return;
        }

        foreach (var name in TargetNames())
        {
            if (ShouldProcess(name, "Sync replica"))
            {
                ForItem(name, () => WriteObject(Engine.Replication.Sync(name, Full, Observer, Cancellation)));
            }
        }
    }
}
