using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>
/// Failover: makes the replica the primary and fences the old primary. -Planned does a final sync first that compares the
/// primary with the replica's real blocks (repairing a damaged replica), and refuses if it fails; without it, the
/// replica's blocks are checked against its recorded round first (a damaged one is refused unless -AllowDamagedReplica),
/// and the result says how much recent data was lost.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ReplicaPromotion", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = NameSet)]
[OutputType(typeof(PromotionResult))]
public sealed class InvokeReplicaPromotionCommand : VolumeOrGroupTargetCommand
{
    [Parameter]
    public SwitchParameter Planned { get; set; }

    /// <summary>Promotes without asking for confirmation (-WhatIf still only reports).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>
    /// Serves a replica that the check before an unplanned promotion finds damaged, as it is, instead of refusing with
    /// ReplicaDamaged; the result reports the damaged blocks. Separate from -Force, which only skips the prompt.
    /// </summary>
    [Parameter]
    public SwitchParameter AllowDamagedReplica { get; set; }

    /// <summary>
    /// Rolls the replica back to this recovery point's round before promoting it (a Get-VolumeRecoveryPoint object binds
    /// by its Round); the newer points are dropped. Never with a final sync: that would copy the damage.
    /// </summary>
    [Parameter(ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Round")]
    public long? RecoveryPoint { get; set; }

    /// <summary>Rolls the replica back to the latest recovery point whose data is older than this time, then promotes it.</summary>
    [Parameter(ParameterSetName = NameSet)]
    public System.DateTime? Before { get; set; }

    protected override bool ShowsRunProgress => true;

    protected override void ProcessRecord()
    {
        foreach (var target in Targets())
        {
            if (target.IsGroup && (RecoveryPoint is not null || Before is not null))
            {
                ForItem(target.Name, () => throw new Replication.Engine.Errors.ReplicationException(Replication.Engine.Errors.ErrorIds.GroupMemberOperation, Replication.Engine.Errors.ErrorKind.InvalidOperation,
                    $"{target.Display} moves with its replication group, and a group is not promoted at a recovery point by this version: promote the group (-Group) at its newest round, or remove the volume from the group first.", target.Name));
                continue;
            }

            if (target.IsGroup)
            {
                var groupAction = Planned
                    ? "Promote every member of the replication group as one unit after a final group round, fencing the current primaries"
                    : "Promote every member of the replication group as one unit now, fencing the current primaries; writes since the last group round are lost";
                if (Approve(Force, target.Display, groupAction))
                {
                    ForItem(target.Name, () => WriteObject(Engine.GroupOperations.Promote(target.Name, Planned, Observer, Cancellation, allowDamagedReplica: AllowDamagedReplica), enumerateCollection: true));
                }

                continue;
            }

            if (RecoveryPoint is not null || Before is not null)
            {
                PromoteAtPoint(target.Name);
                continue;
            }

            var action = Planned
                ? "Promote the replica to primary after a final sync, fencing the current primary"
                : "Promote the replica to primary now, fencing the current primary; writes since the last sync are lost";
            if (Approve(Force, target.Name, action))
            {
                ForItem(target.Name, () => WriteObject(Engine.Replication.Promote(target.Name, Planned, Observer, Cancellation, AllowDamagedReplica)));
            }
        }
    }

    /// <summary>The point is chosen (by round, or the latest before a time) and named in the confirmation, with what is lost.</summary>
    private void PromoteAtPoint(string name)
    {
        RecoveryPoint? point = null;
        ForItem(name, () => point = Engine.RecoveryPoints.Choose(name, RecoveryPoint, Before is { } before ? new System.DateTimeOffset(before.ToUniversalTime()) : null));
        if (point is null)
        {
            return;
        }

        var action = $"Roll the replica back to recovery point {point.Round} (data as of {point.DataTimestamp:u}), dropping every newer point, and promote it, fencing the current primary; " +
            "writes since that point are lost";
        if (Approve(Force, name, action))
        {
            ForItem(name, () => WriteObject(Engine.Replication.Promote(name, planned: false, Observer, Cancellation, AllowDamagedReplica, point.Round)));
        }
    }
}
