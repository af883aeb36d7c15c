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

    /// <summary>
    /// Takes every member of a replication group back to its recovery point of this group round, then promotes the group
    /// (a member's Get-VolumeRecoveryPoint object binds by its GroupRound). Refused, with nothing changed, when some member
    /// keeps no point of that round.
    /// </summary>
    [Parameter(ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = GroupSet)]
    [Parameter(ParameterSetName = GroupObjectSet)]
    public long? GroupRound { get; set; }

    /// <summary>
    /// Rolls the replica back to the latest recovery point whose data is older than this time, then promotes it; for a
    /// group, the latest group round whose every member's data is older.
    /// </summary>
    [Parameter(ParameterSetName = NameSet)]
    [Parameter(ParameterSetName = GroupSet)]
    [Parameter(ParameterSetName = GroupObjectSet)]
    public System.DateTime? Before { get; set; }

    protected override bool ShowsRunProgress => true;

    protected override void ProcessRecord()
    {
        foreach (var target in Targets())
        {
            if (target.IsGroup && (RecoveryPoint is not null || GroupRound is not null || Before is not null))
            {
                PromoteGroupAtPoint(target);
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

            if (RecoveryPoint is null && GroupRound is not null)
            {
                ForItem(target.Name, () => throw new Replication.Engine.Errors.ReplicationException(Replication.Engine.Errors.ErrorIds.GroupRecoveryPointIncomplete, Replication.Engine.Errors.ErrorKind.InvalidArgument,
                    $"-GroupRound chooses a group's point, and '{target.Name}' is in no replication group: choose its point with -RecoveryPoint or -Before.", target.Name));
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

    /// <summary>
    /// A group at a group point: the same group round for every member, chosen by -GroupRound, by a member's point
    /// (-RecoveryPoint with the member named), or the latest before -Before; named in the confirmation with what is lost.
    /// </summary>
    private void PromoteGroupAtPoint(CommandTarget target)
    {
        GroupRecoveryPoint? point = null;
        var before = Before is { } time ? new System.DateTimeOffset(time.ToUniversalTime()) : (System.DateTimeOffset?)null;
        ForItem(target.Name, () => point = GroupRound is null && RecoveryPoint is { } round && target.Member is { } member
            ? Engine.RecoveryPoints.ChooseGroupOf(member, round)
            : Engine.RecoveryPoints.ChooseGroup(target.Name, GroupRound, before));
        if (point is null)
        {
            return;
        }

        var action = $"Take every member of the replication group back to its recovery point of group round {point.GroupRound} (data as of {point.DataTimestamp:u}), dropping every newer point, " +
            "and promote the group as one unit, fencing the current primaries; writes since that point are lost";
        if (Approve(Force, target.Display, action))
        {
            ForItem(target.Name, () => WriteObject(Engine.GroupOperations.Promote(target.Name, planned: false, Observer, Cancellation, allowDamagedReplica: AllowDamagedReplica, groupRound: point.GroupRound), enumerateCollection: true));
        }
    }
}
