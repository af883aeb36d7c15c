using System;
using Replication.Engine.Replication;

namespace Replication.Engine.Drivers;

/// <summary>What the engine asks of a driver for one sync round.</summary>
public sealed class ReplicaSyncRequest
{
    public Guid VolumeId { get; init; }

    public string VolumeName { get; init; } = "";

    public long SizeBytes { get; init; }

    public VolumeCopy Source { get; init; } = null!;

    public VolumeCopy Target { get; init; } = null!;

    /// <summary>
    /// Hashes of what the target holds, from the last round; null makes the driver compare both sides block by block.
    /// Loaded only when the driver asks for it: a round that proves the primary unchanged never reads it. The driver
    /// may update it in place into the round's new map.
    /// </summary>
    public Lazy<BlockMap>? PreviousMap { get; init; }

    /// <summary>What the driver returned last round (for LocalFile, the primary's size and modification time).</summary>
    public string? PreviousDriverData { get; init; }

    /// <summary>
    /// True while the target is a consistent replica: changes are staged in a journal first, so a crash or a lost
    /// primary mid-round leaves the target at the last round, never half-way. False while it is being copied (then a
    /// target known by <see cref="PreviousMap"/> must still be there as it was; one without a map is created or resized as needed).
    /// </summary>
    public bool Journaled { get; init; }

    /// <summary>
    /// For a round that writes the target directly: called once, before the target is first changed (the engine then
    /// records that the replica is being copied). A round that changes nothing never calls it.
    /// </summary>
    public Action? BeforeFirstDirectChange { get; init; }

    /// <summary>
    /// Read the primary even when it looks unchanged (and whole, even when its writes are tracked), and compare it with the
    /// replica's real blocks, not with <see cref="PreviousMap"/>: whatever differs is written, so a replica changed on disk
    /// behind the module (even with its file times kept) is repaired.
    /// </summary>
    public bool ForceRead { get; init; }

    /// <summary>
    /// Called with the replica's block hashes as read, whenever the round hashes the replica to compare it (before the
    /// round uses them): the engine judges them against the recorded round. The hashes must not be kept.
    /// </summary>
    public Action<BlockMap>? ReplicaHashed { get; init; }

    /// <summary>
    /// Set when the volume's writes are tracked (it is, or was, exported) and the tracking covers every write since the
    /// last round: only these blocks may differ from <see cref="PreviousMap"/>, so the driver reads nothing else.
    /// </summary>
    public DirtyBlockSet? DirtyBlocks { get; init; }

    /// <summary>
    /// With <see cref="DirtyBlocks"/>: a synchronous export wrote the replica outside rounds, so at the dirty blocks the
    /// replica itself (not the block map) says what it holds.
    /// </summary>
    public bool ReplicaWrittenAtDirtyBlocks { get; init; }

    /// <summary>The round number this sync will be recorded as.</summary>
    public long Generation { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    /// <summary>
    /// Set for a member of a group round: the journal carries the token and is only staged and committed, not applied;
    /// the engine applies every member's journal after it commits the group round.
    /// </summary>
    public Guid? GroupToken { get; init; }

    /// <summary>
    /// Set when the volume keeps recovery points and its current round (this value) is one: before the round's journal is
    /// applied, the replica's blocks it overwrites are captured in that point's undo log.
    /// </summary>
    public long? UndoRound { get; init; }

    /// <summary>
    /// Set for a round that waits in a batch for its record: its journal is sealed but neither committed nor applied, and
    /// the batch commits, applies and flushes its rounds together (<see cref="ReplicaSyncOutcome.Pending"/>).
    /// </summary>
    internal bool DeferCommit { get; init; }
}
