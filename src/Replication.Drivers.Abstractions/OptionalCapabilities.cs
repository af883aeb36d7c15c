using System;
using System.Collections.Generic;

namespace Replication.Drivers;

/// <summary>A driver that clones a copy inside its storage faster than the engine's block copy (reflinks, snapshots, array clones).</summary>
public interface INativeCloning
{
    /// <summary>
    /// Makes <paramref name="targetLocation"/> (new) a copy of <paramref name="sourceLocation"/> as it is now, on the same
    /// backend. False when it cannot here (then the engine copies the blocks itself).
    /// </summary>
    bool TryCloneCopy(BackendConfiguration backend, string sourceLocation, string targetLocation);
}

/// <summary>
/// A driver that tracks which blocks of a copy were written since a mark (changed-block tracking). The engine uses it on
/// a primary: before a round reads, it takes a new mark, then asks what changed since the mark of the last recorded round
/// and reads only that; the new mark is kept with the round in state, so after a crash it asks about the old mark again.
/// </summary>
public interface IChangedBlockTracking
{
    /// <summary>
    /// Starts tracking (or goes on) and returns a new mark that later calls compare against. An older mark must stay
    /// answerable after a newer one is taken (or get null): a write is recorded before it lands, so no write is missed by a
    /// round whose mark was taken while it was under way.
    /// </summary>
    string MarkChanges(BackendConfiguration backend, string location);

    /// <summary>The ranges written since the mark; null when the mark is unknown or tracking was lost (the engine then reads everything).</summary>
    IReadOnlyList<Extent>? ChangedSince(BackendConfiguration backend, string location, string mark);
}

/// <summary>A driver whose storage takes point-in-time snapshots of a copy.</summary>
public interface INativeSnapshots
{
    /// <summary>Takes a snapshot and returns its location (read-only, opened with <see cref="IStorageDriver.Open"/>).</summary>
    string CreateSnapshot(BackendConfiguration backend, string location, string snapshotName);

    /// <summary>Removes a snapshot; a missing one is not an error.</summary>
    void DeleteSnapshot(BackendConfiguration backend, string snapshotLocation);
}

/// <summary>A driver that can write to both sites before acknowledging a write (synchronous mirroring).</summary>
public interface ISynchronousReplication
{
    /// <summary>True when a write to a copy on <paramref name="primary"/> can also reach a copy on <paramref name="replica"/> before it is acknowledged.</summary>
    bool CanMirror(BackendConfiguration primary, BackendConfiguration replica);
}

/// <summary>
/// A driver whose storage moves the bytes itself (array-based replication, Cinder v1's driver approach). The engine still
/// owns the rules: it asks for a round, records it, and asks to apply or discard what was staged, so a round is all or nothing.
/// </summary>
public interface INativeReplication
{
    /// <summary>True when the driver replicates between these two backends itself.</summary>
    bool CanReplicate(BackendConfiguration primary, BackendConfiguration replica);

    /// <summary>Sends what changed since the last round to the replica side, staged there and not yet visible.</summary>
    NativeRoundResult Replicate(NativeRoundRequest request);

    /// <summary>Makes a staged round the replica's content. Idempotent: after a crash the engine calls it again.</summary>
    void ApplyStaged(BackendConfiguration replica, string replicaLocation, long round);

    /// <summary>Forgets a staged round; the replica stays at its previous one. A missing round is not an error.</summary>
    void DiscardStaged(BackendConfiguration replica, string replicaLocation, long round);

    /// <summary>Which round the replica holds and which (if any) is staged, for the engine to recover after a crash.</summary>
    NativeReplicaState ReplicaState(BackendConfiguration replica, string replicaLocation);
}

/// <summary>One round of native replication the engine asks for.</summary>
public sealed class NativeRoundRequest
{
    public NativeRoundRequest(BackendConfiguration primary, string primaryLocation, BackendConfiguration replica, string replicaLocation, long round, bool full)
    {
        Primary = primary;
        PrimaryLocation = primaryLocation;
        Replica = replica;
        ReplicaLocation = replicaLocation;
        Round = round;
        Full = full;
    }

    public BackendConfiguration Primary { get; }

    public string PrimaryLocation { get; }

    public BackendConfiguration Replica { get; }

    public string ReplicaLocation { get; }

    /// <summary>The round number the engine will record this round as.</summary>
    public long Round { get; }

    /// <summary>Compare and send everything, not only what the storage tracked as changed.</summary>
    public bool Full { get; }

    /// <summary>
    /// Told now and then, on the calling thread, how far a long round has come: the primary's bytes looked at, of its
    /// size. Optional for the engine to give and for the driver to call.
    /// </summary>
    public Action<long, long>? Progress { get; set; }
}

/// <summary>What a native round moved.</summary>
public sealed class NativeRoundResult
{
    public NativeRoundResult(long bytesSent, DateTimeOffset pointInTime)
    {
        BytesSent = bytesSent;
        PointInTime = pointInTime;
    }

    public long BytesSent { get; }

    /// <summary>The moment of the primary the staged round holds (crash-consistent).</summary>
    public DateTimeOffset PointInTime { get; }
}

/// <summary>The rounds a native replica holds.</summary>
public sealed class NativeReplicaState
{
    public NativeReplicaState(long? appliedRound, long? stagedRound)
    {
        AppliedRound = appliedRound;
        StagedRound = stagedRound;
    }

    public long? AppliedRound { get; }

    public long? StagedRound { get; }
}

/// <summary>
/// A driver whose storage can be reached under more than one name (a folder through a link, a share by two paths): it
/// says what the storage really is, so the engine refuses two backends on one storage, or one inside another.
/// </summary>
public interface IStorageIdentity
{
    /// <summary>
    /// The real identity of the backend's storage (for files: device and inode) and of everything it lies within,
    /// innermost first. Self is null while the storage does not exist; the whole answer null when it cannot be found out.
    /// </summary>
    StorageLineage? Lineage(BackendConfiguration backend);
}

/// <summary>The identity of a backend's storage and of everything it lies within, innermost first.</summary>
public sealed class StorageLineage
{
    public StorageLineage(string? self, IReadOnlyList<string> above)
    {
        Self = self;
        Above = above;
    }

    public string? Self { get; }

    public IReadOnlyList<string> Above { get; }
}
