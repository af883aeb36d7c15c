using System;
using Replication.Engine.Model;

namespace Replication.Engine.State;

/// <summary>
/// One row of the volumes table. Like Cinder v1, the replica's columns live on the volume:
/// a volume has at most one replica, and a promotion swaps the two sides in one update.
/// </summary>
public sealed record VolumeRecord
{
    public Guid Id { get; init; }

    public string Name { get; init; } = "";

    public long SizeBytes { get; init; }

    public string VolumeType { get; init; } = "";

    public VolumeStatus Status { get; init; }

    public string Backend { get; init; } = "";

    /// <summary>Where the driver keeps the primary copy on <see cref="Backend"/> (for LocalFile, a file name in its folder).</summary>
    public string Location { get; init; } = "";

    public ReplicationStatus ReplicationStatus { get; init; }

    public string? ReplicationExtendedStatus { get; init; }

    /// <summary>Opaque driver data carried between sync rounds (Cinder's replication_driver_data).</summary>
    public string? ReplicationDriverData { get; init; }

    public string? ReplicaBackend { get; init; }

    public string? ReplicaLocation { get; init; }

    public bool ReplicaFenced { get; init; }

    public long SyncGeneration { get; init; }

    /// <summary>
    /// True while the replica still holds the empty copy made with the volume: round 1 is the creation, and no sync
    /// round has run since (every round leaves its driver data).
    /// </summary>
    public bool ReplicaHoldsOnlyCreationRound => SyncGeneration == 1 && ReplicationDriverData is null;

    public DateTimeOffset? LastSyncStartedAt { get; init; }

    public DateTimeOffset? LastSyncCompletedAt { get; init; }

    public string? SourceReplica { get; init; }

    /// <summary>The backend a backend failover moved this volume from; failback moves it back.</summary>
    public string? FailoverSource { get; init; }

    /// <summary>The fenced copy's size and modification time right after the fence, to tell whether anything wrote to it since.</summary>
    public string? FenceStamp { get; init; }

    /// <summary>
    /// The volume's fence epoch: bumped by every promotion and re-enable in the same transaction, and asserted to storage
    /// that keeps it (<see cref="Replication.Drivers.IFenceEpochs"/>), which refuses writes to a copy demoted at a newer one.
    /// </summary>
    public long FenceEpoch { get; init; }

    /// <summary>The replication group the volume belongs to, if any: it is then synced, promoted and re-enabled with the group.</summary>
    public string? GroupName { get; init; }

    /// <summary>The group sync round the replica holds; every member holds the same one after a group round.</summary>
    public long? GroupRound { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// True when the primary was written while the last round read it: the replica then holds every write made before
    /// <see cref="LastSyncStartedAt"/> and some made after, so it is not a crash-consistent point in time.
    /// </summary>
    public bool LastSyncRaced { get; init; }

    /// <summary>
    /// Why the replica cannot be trusted to hold its round: set by a check or DR test that failed, cleared when a newer one
    /// passes or a round that compares the replica's real blocks (Sync-VolumeReplica -Full) repairs it.
    /// </summary>
    public string? VerificationFailure { get; init; }

    /// <summary>When the check or DR test in <see cref="VerificationFailure"/> ran.</summary>
    public DateTimeOffset? VerificationFailedAt { get; init; }

    /// <summary>Blocks that check found differing from the recorded round (0 when it failed for another reason).</summary>
    public long DamagedBlocks { get; init; }

    /// <summary>A change of the copies a process started and has not finished (null when none): settled before anything else touches them.</summary>
    public PendingChange? PendingChange { get; init; }

    /// <summary>The volume with no verification failure recorded against its replica.</summary>
    public VolumeRecord WithVerificationCleared() => this with { VerificationFailure = null, VerificationFailedAt = null, DamagedBlocks = 0 };
}
