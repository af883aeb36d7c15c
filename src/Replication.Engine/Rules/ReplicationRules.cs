using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.State;

namespace Replication.Engine.Rules;

/// <summary>
/// Cinder v1's guards: which operation is allowed in which status. Each refusal names the rule, the status the volume
/// is in, and what the admin can do next.
/// </summary>
public static class ReplicationRules
{
    /// <summary>The statuses in which a replica holds a consistent round that a test volume can be cloned from.</summary>
    private static readonly ReplicationStatus[] Cloneable = { ReplicationStatus.Active, ReplicationStatus.ActiveStopped };

    /// <summary>True when a test volume can be cloned from <paramref name="volume"/>'s replica now (<see cref="RequireCloneableReplica"/> would pass).</summary>
    public static bool CanCloneReplica(VolumeRecord volume) => volume.Status == VolumeStatus.Available && Cloneable.Contains(volume.ReplicationStatus);

    public static void RequireAvailable(VolumeRecord volume, string operation)
    {
        if (volume.Status != VolumeStatus.Available)
        {
            throw Refused(ErrorIds.VolumeNotAvailable, volume,
                $"Rule: {operation} needs the volume to be available. Volume '{volume.Name}' is {volume.Status.ToString().ToLowerInvariant()}" +
                (volume.Status == VolumeStatus.Creating ? "; its creation was interrupted: Remove-Volume cleans it up." : volume.Status == VolumeStatus.Deleting ? "; Remove-Volume finishes the removal." : "."));
        }
    }

    public static void RequireSyncable(VolumeRecord volume)
    {
        RequireAvailable(volume, "a sync");
        Require(volume, ErrorIds.SyncNotAllowed, "a replica can be synced only while replication is copying or active",
            volume.ReplicationStatus switch
            {
                ReplicationStatus.ActiveStopped => "Replication is paused: Enable-Replication resumes it.",
                ReplicationStatus.Inactive => "The replica was promoted: Enable-Replication reverses replication to the other backend.",
                ReplicationStatus.Error => "Fix the fault in the extended status, then Enable-Replication.",
                _ => NotReplicatedReason(volume),
            },
            ReplicationStatus.Copying, ReplicationStatus.Active);
    }

    public static void RequirePromotable(VolumeRecord volume)
    {
        RequireAvailable(volume, "a promotion");
        Require(volume, ErrorIds.PromotionNotAllowed, "a replica can be promoted only when replication is active or active-stopped",
            volume.ReplicationStatus switch
            {
                ReplicationStatus.Copying => "The replica is not consistent yet: Sync-VolumeReplica finishes the copy.",
                ReplicationStatus.Inactive => "It was already promoted.",
                ReplicationStatus.Error => "The replica side is faulty; see the extended status.",
                _ => "The volume has no replica.",
            },
            ReplicationStatus.Active, ReplicationStatus.ActiveStopped);
    }

    public static void RequireReenableable(VolumeRecord volume)
    {
        RequireAvailable(volume, "re-enabling replication");
        // Copying is allowed too: it finishes a re-enable that was interrupted.
        Require(volume, ErrorIds.ReenableNotAllowed, "replication can be re-enabled only from inactive, active-stopped or error (or copying, to finish an interrupted re-enable)",
            volume.ReplicationStatus switch
            {
                ReplicationStatus.Active => "Replication is already running.",
                _ => NotReplicatedReason(volume),
            },
            ReplicationStatus.Inactive, ReplicationStatus.ActiveStopped, ReplicationStatus.Error, ReplicationStatus.Copying);
    }

    public static void RequirePausable(VolumeRecord volume)
    {
        RequireAvailable(volume, "pausing replication");
        Require(volume, ErrorIds.PauseNotAllowed, "replication can be paused only while it is active",
            volume.ReplicationStatus == ReplicationStatus.ActiveStopped ? "It is already paused." : "There is no running replication to pause.",
            ReplicationStatus.Active);
    }

    public static void RequireCloneableReplica(VolumeRecord volume)
    {
        RequireAvailable(volume, "a test volume from a replica");
        Require(volume, ErrorIds.CloneFromReplicaNotAllowed, "a test volume can be created from a replica only when replication is active or active-stopped",
            volume.ReplicationStatus == ReplicationStatus.Copying ? "The replica is not consistent yet: Sync-VolumeReplica finishes the copy." : "The volume has no consistent replica now.",
            Cloneable);
    }

    /// <summary>Why a disabled volume is not replicated: a DR test volume never is; otherwise its type does not ask.</summary>
    private static string NotReplicatedReason(VolumeRecord volume) => volume.SourceReplica is { } source
        ? $"It is a test volume cloned from the replica of '{source}', and test volumes are never replicated."
        : "The volume's type does not ask for replication.";

    private static void Require(VolumeRecord volume, string errorId, string rule, string advice, params ReplicationStatus[] allowed)
    {
        if (!allowed.Contains(volume.ReplicationStatus))
        {
            throw Refused(errorId, volume, $"Rule: {rule}. Volume '{volume.Name}' is {volume.ReplicationStatus.ToCinder()}. {advice}");
        }
    }

    private static ReplicationException Refused(string errorId, VolumeRecord volume, string message) =>
        new(errorId, ErrorKind.InvalidOperation, message, volume.Name);
}
