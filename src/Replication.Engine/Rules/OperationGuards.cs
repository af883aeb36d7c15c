using System.Collections.Generic;
using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.State;

namespace Replication.Engine.Rules;

/// <summary>
/// Which operation that changes a volume's copies is allowed in which replication status, in a group or not, with a
/// fenced copy or not: one table. A refusal carries the operation's ErrorId, names the rule and the status, and says
/// which command makes the operation possible.
/// </summary>
public static class OperationGuards
{
    private static readonly ReplicationStatus[] Every = ReplicationStatusText.All.ToArray();

    /// <summary>Statuses in which both copies are whole and nothing is half-copied: the copies can be grown, retyped or moved.</summary>
    private static readonly ReplicationStatus[] Settled = { ReplicationStatus.Disabled, ReplicationStatus.Active, ReplicationStatus.ActiveStopped };

    private static readonly Dictionary<VolumeOperation, Guard> Table = new()
    {
        // Reads the primary only, which is whole in every status.
        [VolumeOperation.CloneFrom] = new(ErrorIds.CloneFromVolumeNotAllowed, "a clone of a volume", Every, InGroup: true, Fenced: true),
        // Each member grows under its own lease, which group rounds hold too; sizes need not match across a group.
        [VolumeOperation.Extend] = new(ErrorIds.ExtendNotAllowed, "growing a volume", Settled, InGroup: true, Fenced: false),
        [VolumeOperation.Retype] = new(ErrorIds.RetypeNotAllowed, "changing a volume's type", Settled, InGroup: false, Fenced: false),
        [VolumeOperation.Migrate] = new(ErrorIds.MigrateNotAllowed, "moving a volume to another backend", Settled, InGroup: false, Fenced: false),
        // Never refused by the table (a volume in any status goes with its replica); the id is the one its other rules use.
        [VolumeOperation.Remove] = new(ErrorIds.VolumeNotAvailable, "removing a volume", Every, InGroup: true, Fenced: true),
        // Reads the primary only, whole in every status and never the fenced copy (a fenced copy is an old primary, and no
        // command snapshots anything but the primary). Not during a move, whose snapshot would stay on the backend left.
        [VolumeOperation.Snapshot] = new(ErrorIds.SnapshotNotAllowed, "a snapshot of a volume", Every, InGroup: true, Fenced: true, WhilePending: false),
    };

    /// <summary>True when <paramref name="operation"/> is allowed on a volume in <paramref name="status"/>, in a group or not, with a fenced copy or not.</summary>
    public static bool Allows(VolumeOperation operation, ReplicationStatus status, bool inGroup, bool fenced)
    {
        var guard = Table[operation];
        return guard.Statuses.Contains(status) && (guard.InGroup || !inGroup) && (guard.Fenced || !fenced);
    }

    /// <summary>Throws the operation's refusal unless the table allows it on <paramref name="volume"/> as recorded.</summary>
    public static void Require(VolumeOperation operation, VolumeRecord volume)
    {
        var guard = Table[operation];
        var status = volume.ReplicationStatus;
        if (!guard.Statuses.Contains(status))
        {
            throw Refused(guard.ErrorId, volume,
                $"Rule: {guard.Doing} needs replication to be {string.Join(", ", guard.Statuses.Select(s => s.ToCinder()))}. Volume '{volume.Name}' is {status.ToCinder()}. {Advice(status)}");
        }

        if (!guard.Fenced && volume.ReplicaFenced)
        {
            throw Refused(guard.ErrorId, volume,
                $"Rule: {guard.Doing} changes both copies, and a fenced copy is not changed. Volume '{volume.Name}' is {status.ToCinder()} with its old primary fenced: Enable-Replication lifts the fence and re-protects it first.");
        }

        if (!guard.WhilePending && volume.PendingChange is { } pending)
        {
            throw Refused(guard.ErrorId, volume,
                $"Rule: {guard.Doing} is not taken while a change of the volume's copies is under way. Volume '{volume.Name}' has a {pending.Operation.ToString().ToLowerInvariant()} left unfinished: Repair-ReplicationState (or the same command again) settles it first.");
        }

        if (!guard.InGroup && volume.GroupName is { } group)
        {
            throw new ReplicationException(ErrorIds.GroupMemberOperation, ErrorKind.InvalidOperation,
                $"Rule: {guard.Doing} is not done to a member of a replication group, whose members share one backend pair and one round. Volume '{volume.Name}' belongs to group '{group}': Remove-ReplicationGroupMember -Group '{group}' -VolumeName '{volume.Name}' first.", volume.Name);
        }
    }

    private static string Advice(ReplicationStatus status) => status switch
    {
        ReplicationStatus.Copying => "The replica is not consistent yet: Sync-VolumeReplica finishes the copy.",
        ReplicationStatus.Inactive => "The replica was promoted: Enable-Replication reverses replication to the other backend first.",
        ReplicationStatus.Error => "Fix the fault in the extended status, then Enable-Replication.",
        _ => "",
    };

    private static ReplicationException Refused(string errorId, VolumeRecord volume, string message) =>
        new(errorId, ErrorKind.InvalidOperation, message.TrimEnd(), volume.Name);

    /// <param name="WhilePending">Allowed while a change of the copies (a grow, a move) is recorded as unfinished.</param>
    private sealed record Guard(string ErrorId, string Doing, ReplicationStatus[] Statuses, bool InGroup, bool Fenced, bool WhilePending = true);
}
