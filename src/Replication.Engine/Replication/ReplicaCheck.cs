using System;
using System.Diagnostics;
using System.Threading;
using Replication.Engine.Model;
using Replication.Engine.Placement;
using Replication.Engine.Rules;
using Replication.Engine.State;

namespace Replication.Engine.Replication;

/// <summary>
/// Verifies a replica by its content, never by its file times: its blocks as they are on disk (only the allocated ones
/// are read; holes are zeros) are judged against the block map of the round it holds. What a check finds is kept on the
/// volume: a replica found damaged is marked (health Critical, with the reason) until a newer check finds it whole or
/// a round that compares its real blocks repairs it.
/// </summary>
internal sealed class ReplicaCheck
{
    private readonly EngineContext _context;
    private readonly Export.DirtyTracking _tracking;

    public ReplicaCheck(EngineContext context)
    {
        _context = context;
        _tracking = new Export.DirtyTracking(context);
    }

    /// <summary>Reads the replica and judges it; throws the driver's error (VolumeFileFault) when the replica is missing, resized or unreadable.</summary>
    public ReplicaVerdict Run(VolumeSnapshot snapshot, IOperationObserver observer, CancellationToken cancellation)
    {
        var volume = snapshot.Volume;
        var driver = _context.Drivers.Get(snapshot.PrimaryBackend.Driver);
        driver.CheckCopy(snapshot.Replica, volume.SizeBytes);
        BlockMap? recorded;
        using (var read = _context.Store.Begin(write: false))
        {
            recorded = read.LoadBlockMap(volume.Id);
        }

        if (recorded is null)
        {
            return ReplicaVerdict.Unrecorded(volume.SyncGeneration);
        }

        var clock = Stopwatch.StartNew();
        var actual = driver.HashCopy(snapshot.Replica, volume.SizeBytes, observer, cancellation);
        var verdict = Judge(snapshot, actual, recorded, tracked: null, observer);
        observer.Decision($"'{volume.Name}': the replica's content was read and checked against round {volume.SyncGeneration} in {Humane.Duration(clock.Elapsed)}, whatever its file times say. {verdict.Describe()}");
        return verdict;
    }

    /// <summary>
    /// Judges the replica's blocks as read (<paramref name="actual"/>) against its recorded round. Blocks a synchronous
    /// export wrote outside rounds are not judged: their dirty bits say where (from <paramref name="tracked"/>, the
    /// round's own freeze, or a freeze made here).
    /// </summary>
    public ReplicaVerdict Judge(VolumeSnapshot snapshot, BlockMap actual, BlockMap recorded, Export.FrozenDirtyBlocks? tracked, IOperationObserver observer)
    {
        if (tracked is not null)
        {
            return JudgeWith(snapshot, actual, recorded, tracked);
        }

        using var frozen = _tracking.Freeze(snapshot, observer);
        return JudgeWith(snapshot, actual, recorded, frozen);
    }

    /// <summary>
    /// The volume as a check leaves it: marked when its replica was found damaged (by <paramref name="by"/>); a damage
    /// mark lifted when the replica was found to hold its round (a DR test's other failures, such as its validation,
    /// wait for a test that passes); as it was when nothing could be judged.
    /// </summary>
    public static VolumeRecord WithVerdict(VolumeRecord volume, ReplicaVerdict verdict, string by, DateTimeOffset at) =>
        verdict.Damaged ? WithFailure(volume, $"{by}: {verdict.Describe()}", verdict.BlocksDiffering, at)
        : verdict.Verified && volume.DamagedBlocks > 0 ? volume.WithVerificationCleared()
        : volume;

    /// <summary>The volume marked as holding a replica that failed verification, for <paramref name="reason"/>.</summary>
    public static VolumeRecord WithFailure(VolumeRecord volume, string reason, long damagedBlocks, DateTimeOffset at) =>
        volume with { VerificationFailure = reason, VerificationFailedAt = at, DamagedBlocks = damagedBlocks };

    /// <summary>What a volume's event adds when a mark is set or lifted; empty when the mark did not change.</summary>
    public static string MarkChange(VolumeRecord before, VolumeRecord after) =>
        after.VerificationFailure is not null && after.VerificationFailure != before.VerificationFailure
            ? " The replica is marked as failing verification (health Critical) until a newer check or DR test passes or Sync-VolumeReplica -Full repairs it."
            : before.VerificationFailure is not null && after.VerificationFailure is null
                ? $" The earlier verification failure ({before.VerificationFailure}) is cleared."
                : "";

    /// <summary>Records a check's verdict on the volume (a mark set or cleared, with an event) in its own transaction; returns the volume as recorded.</summary>
    public VolumeRecord Record(VolumeRecord seen, ReplicaVerdict verdict, string operation, string by)
    {
        using var session = _context.Store.Begin(write: true);
        var current = VolumeSnapshot.Reread(session, seen);
        var updated = WithVerdict(current, verdict, by, _context.Now);
        var change = MarkChange(current, updated);
        if (change.Length > 0 || updated.DamagedBlocks != current.DamagedBlocks)
        {
            ReplicationStateMachine.Update(session, current, updated);
            session.AppendEvent(_context.Event(operation, "Volume", current.Name, $"{by}: {verdict.Describe()}{change}", current.Id, current.ReplicationStatus, updated.ReplicationStatus));
            session.Commit();
        }

        return updated;
    }

    private ReplicaVerdict JudgeWith(VolumeSnapshot snapshot, BlockMap actual, BlockMap recorded, Export.FrozenDirtyBlocks? tracked)
    {
        var round = snapshot.Volume.SyncGeneration;
        if (tracked is { ReplicaMirrored: true })
        {
            return tracked.Blocks is { } written
                ? ReplicaVerdict.Judge(actual, recorded, round, written, anyBlockMayBeWritten: false, "a synchronous export wrote them to the replica outside rounds")
                : ReplicaVerdict.Judge(actual, recorded, round, null, anyBlockMayBeWritten: true, "a synchronous export wrote the replica outside rounds and its dirty bitmap does not say everywhere it did");
        }

        if (tracked is null && IsSynchronous(snapshot.Volume) && _context.Drivers.Get(snapshot.PrimaryBackend.Driver).CopyStamp(snapshot.Primary) is null)
        {
            return ReplicaVerdict.Judge(actual, recorded, round, null, anyBlockMayBeWritten: true,
                "the volume is replicated synchronously, and the dirty bitmap that says where its export wrote the replica is beside the primary, which cannot be reached");
        }

        return ReplicaVerdict.Judge(actual, recorded, round, null, anyBlockMayBeWritten: false, null);
    }

    private bool IsSynchronous(VolumeRecord volume)
    {
        using var read = _context.Store.Begin(write: false);
        return read.FindVolumeType(volume.VolumeType) is { } type && new VolumeTypeSpecs(type.ExtraSpecs).ReplicationType == ReplicationType.Sync;
    }
}
