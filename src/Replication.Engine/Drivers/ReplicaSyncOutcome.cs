using System;
using Replication.Engine.Model;
using Replication.Engine.Replication;

namespace Replication.Engine.Drivers;

/// <summary>What a driver did in one sync round, for the engine to record.</summary>
public sealed record ReplicaSyncOutcome
{
    /// <summary><see cref="SyncMode.FullCompare"/> when the round compared the primary with the replica's real blocks: the replica then holds exactly the new map.</summary>
    public SyncMode Mode { get; init; }

    /// <summary>
    /// True when the primary was written while the round read it (its stamp moved): the replica holds every write made
    /// before <see cref="StartedAt"/> and some made after, so it is not a crash-consistent point in time.
    /// </summary>
    public bool PrimaryChangedDuringRound { get; init; }

    /// <summary>
    /// What the engine found when it judged the replica's real blocks against the recorded round (set by the engine from
    /// <see cref="ReplicaSyncRequest.ReplicaHashed"/>, never by the driver); null when the round did not hash the replica.
    /// </summary>
    internal Replication.ReplicaVerdict? ReplicaVerdict { get; init; }

    /// <summary>True when the driver's storage moved the round itself: it is staged, and applied once the engine has recorded it.</summary>
    internal bool Native { get; init; }

    /// <summary>A round asked to <see cref="ReplicaSyncRequest.DeferCommit"/>: its sealed journal and open replica, for the batch to finish.</summary>
    internal Rounds.PendingRound? Pending { get; init; }

    /// <summary>Where the round's time went (set by the engine as the round ends, never by the driver).</summary>
    internal RoundPhases? Phases { get; init; }

    /// <summary>The target's block hashes after the round; null when nothing changed (or the driver moved the round itself).</summary>
    public BlockMap? NewMap { get; init; }

    public string? DriverData { get; init; }

    public long Generation { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public long BytesRead { get; init; }

    public long BytesWritten { get; init; }

    public long BlocksWritten { get; init; }

    public long BlocksDeallocated { get; init; }

    /// <summary>The bytes of the undo log captured for <see cref="ReplicaSyncRequest.UndoRound"/> before the round was applied; null when none was.</summary>
    public long? UndoBytes { get; init; }
}
