using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Replication.Engine.Diagnostics;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.RecoveryPoints;
using Replication.Engine.Rules;
using Replication.Engine.State;

namespace Replication.Engine.Replication;

/// <summary>
/// Runs one sync round for a volume and records it: the driver copies, the engine writes the new round, map and status
/// in one transaction, and only then is the round's journal dropped. Failures are recorded with the side that failed.
/// </summary>
internal sealed class SyncRound
{
    private readonly EngineContext _context;
    private readonly Export.DirtyTracking _tracking;
    private readonly ReplicaCheck _check;

    public SyncRound(EngineContext context)
    {
        _context = context;
        _tracking = new Export.DirtyTracking(context);
        _check = new ReplicaCheck(context);
    }

    /// <param name="statusAfter">The status a successful round leaves (active, or active-stopped for a paused volume's final round).</param>
    /// <param name="forceRead">Read the whole primary and compare it with the replica's real blocks (repairing a replica changed on disk).</param>
    /// <remarks>
    /// A replica-side failure of a round that wrote nothing to the replica directly, after which the replica still holds
    /// its round (read again to be sure), keeps the status: a full replica disk must not take away the unplanned promotion.
    /// </remarks>
    public SyncResult Run(VolumeSnapshot snapshot, ReplicationStatus statusAfter, bool forceRead, string operation, IOperationObserver observer, CancellationToken cancellation) =>
        Run(snapshot, statusAfter, forceRead, operation, observer, cancellation, batch: null)!;

    /// <summary>
    /// As <see cref="Run(VolumeSnapshot, ReplicationStatus, bool, string, IOperationObserver, CancellationToken)"/>, except
    /// that a round whose only work left is its record (nothing changed, or a journal already applied to the replica)
    /// waits in <paramref name="batch"/> to be recorded with others in one transaction: null then.
    /// </summary>
    internal SyncResult? RunOrDefer(VolumeSnapshot snapshot, bool forceRead, string operation, IOperationObserver observer, CancellationToken cancellation, SyncBatch batch) =>
        Run(snapshot, ReplicationStatus.Active, forceRead, operation, observer, cancellation, batch);

    private SyncResult? Run(VolumeSnapshot snapshot, ReplicationStatus statusAfter, bool forceRead, string operation, IOperationObserver observer, CancellationToken cancellation, SyncBatch? batch)
    {
        using var clock = RoundClock.Start();
        var volume = FinishInterrupted(snapshot, observer);
        var startedAt = _context.Now;
        if (!ReferenceEquals(volume, snapshot.Volume))
        {
            using (RoundClock.In(RoundPhase.State))
            {
                snapshot = VolumeSnapshot.Load(_context.Store, volume.Name);
            }

            volume = snapshot.Volume;
        }

        var driver = _context.Drivers.Get(snapshot.PrimaryBackend.Driver);
        // A replica that holds nothing but the empty copy made with the volume has no data a journal would protect: the
        // first round writes it directly, each block once. Just before its first write the volume becomes copying, so a
        // crash never leaves it active and half-written (the next round compares both sides and finishes it), and a
        // round that fails before writing leaves the empty replica as consistent and promotable as it was.
        var firstRound = volume.ReplicationStatus == ReplicationStatus.Active && statusAfter == ReplicationStatus.Active && volume.ReplicaHoldsOnlyCreationRound;
        var consistent = !firstRound && volume.ReplicationStatus is ReplicationStatus.Active or ReplicationStatus.ActiveStopped;
        if (!consistent && !firstRound)
        {
            driver.DiscardSyncJournal(snapshot.Replica, volume.Id);
        }

        FenceEpochs.AssertBeforeRound(_context, snapshot);
        var seen = volume;
        VolumeRecord? copying = null;
        // Frozen before the driver looks at the primary: every write after this point is tracked for the next round.
        using var tracked = _tracking.Freeze(snapshot, observer);
        if (tracked is { Blocks: null })
        {
            observer.Decision($"'{volume.Name}': its dirty bitmap does not cover every write since the last round (it is new, or the file was written while not exported), so this round reads the volume; the next ones read only what the export tracks.");
        }

        var verdict = new VerdictHolder();
        // A round that will wait in the batch leaves its journal for the batch to commit and apply with others'.
        var deferCommit = batch is not null && consistent && tracked is null && statusAfter == volume.ReplicationStatus;
        var request = Request(snapshot, consistent || firstRound ? LazyMap(volume) : null, forceRead, groupToken: null, observer, verdict, journaled: consistent,
            beforeFirstDirectChange: firstRound ? () => copying = MarkCopying(seen, operation) : null, tracked: tracked, undoRound: consistent ? UndoRound(volume) : null, deferCommit: deferCommit);
        observer.Decision(
            firstRound ? $"'{volume.Name}': first round since creation: the replica holds only the empty copy, so changed blocks are written to it directly (copying until the round is recorded)."
            : consistent ? $"'{volume.Name}' has a consistent replica: changed blocks go through a journal, so the replica never holds half a round."
            : $"'{volume.Name}' is {volume.ReplicationStatus.ToCinder()}: the replica is not a consistent copy, so blocks that differ are written to it directly.");

        ReplicaSyncOutcome outcome;
        try
        {
            outcome = driver.SyncReplica(request, observer, cancellation);
        }
        catch (ReplicationException ex)
        {
            RecordFailure(copying ?? volume, ex, operation, startedAt, (consistent || firstRound) && copying is null ? () => StillHoldsItsRound(snapshot, observer) : null);
            throw;
        }

        outcome = outcome with { ReplicaVerdict = verdict.Value };
        // Deferred only when the record changes no status and nothing waits on it: no copying mark to lift, no frozen
        // dirty bitmap to release; and what the round left is finished after the record as after any crash before it
        // (nothing when unchanged, a journal already applied, or a round the driver staged and applies only once recorded).
        if (batch is not null && copying is null && tracked is null && statusAfter == volume.ReplicationStatus && (outcome.Mode == SyncMode.Unchanged || request.Journaled))
        {
            var journaled = request.Journaled && outcome.Mode != SyncMode.Unchanged;
            outcome = Timed(outcome, clock, observer);
            batch.Add(new DeferredRound(snapshot, operation, _context.Now, driver, new RecordedRound(snapshot.Replica, volume.Id, journaled, outcome)));
            return null;
        }

        volume = copying ?? volume;
        var recorded = Record(volume, outcome, statusAfter, operation, $"{outcome.Mode} round", ranNow: true);
        tracked?.Release(copied: true);
        CrashPoints.Hit("sync.after-record");
        driver.RoundsRecorded(new[] { new RecordedRound(snapshot.Replica, volume.Id, request.Journaled, outcome) });
        RecoveryPointFiles.SweepAfterRound(_context, snapshot, outcome);

        return Result(recorded, Timed(outcome, clock, observer));
    }

    /// <summary>The round's phases, put on its outcome and said to the observer.</summary>
    private static ReplicaSyncOutcome Timed(ReplicaSyncOutcome outcome, RoundClock clock, IOperationObserver observer)
    {
        var phases = clock.Phases();
        observer.Decision($"Round phases: {phases}.");
        return outcome with { Phases = phases };
    }

    /// <summary>
    /// Records deferred rounds in one transaction (one flush of the store for all), then finishes each as
    /// <see cref="EngineDriver.RoundsRecorded"/> says (a journal dropped, a round the driver staged applied), as <see cref="Run(VolumeSnapshot, ReplicationStatus, bool, string, IOperationObserver, CancellationToken)"/> does for one.
    /// </summary>
    /// <remarks>
    /// Rounds left pending are committed, applied and flushed first, together (<see cref="PendingRound.FinishAll"/>); one
    /// that fails is recorded as a failed round and returned among the failures, and the others are recorded.
    /// </remarks>
    internal (IReadOnlyList<SyncResult> Results, IReadOnlyList<RoundFailure> Failures) RecordDeferred(IReadOnlyList<DeferredRound> rounds)
    {
        var failures = new List<RoundFailure>();
        rounds = FinishPending(rounds, failures);
        var results = new List<SyncResult>(rounds.Count);
        if (rounds.Count == 0)
        {
            return (results, failures);
        }

        CrashPoints.Hit("sync.before-batch-record");
        using (var session = _context.Store.Begin(write: true))
        {
            foreach (var round in rounds)
            {
                var outcome = round.Round.Outcome;
                var recorded = RecordIn(session, round.Snapshot.Volume, outcome, round.Snapshot.Volume.ReplicationStatus, round.Operation, $"{outcome.Mode} round", groupRound: null, ranNow: true);
                results.Add(Result(recorded, outcome, round.FinishedAt));
            }

            session.Commit();
        }

        CrashPoints.Hit("sync.after-record");
        foreach (var byDriver in rounds.GroupBy(round => round.Driver))
        {
            byDriver.Key.RoundsRecorded(byDriver.Select(round => round.Round).ToList());
        }

        foreach (var round in rounds)
        {
            RecoveryPointFiles.SweepAfterRound(_context, round.Snapshot, round.Round.Outcome);
        }

        return (results, failures);
    }

    /// <summary>
    /// Finishes the rounds left pending, together; returns the rounds to record, each finished one with its driver data,
    /// its undo log's bytes and its share of the batch's time. A round that failed is recorded as failed (a journal not
    /// yet committed discarded first: its replica is untouched) and goes to <paramref name="failures"/>.
    /// </summary>
    private IReadOnlyList<DeferredRound> FinishPending(IReadOnlyList<DeferredRound> rounds, List<RoundFailure> failures)
    {
        var work = rounds.Select(round => round.Round.Outcome.Pending).OfType<Rounds.PendingRound>().ToList();
        if (work.Count == 0)
        {
            return rounds;
        }

        Exception?[] outcomes;
        RoundPhases share;
        using (var clock = RoundClock.Start())
        {
            try
            {
                outcomes = Rounds.PendingRound.FinishAll(work);
            }
            finally
            {
                work.ForEach(round => round.Dispose());
            }

            share = clock.Phases().Share(work.Count);
        }

        var kept = new List<DeferredRound>(rounds.Count);
        var next = 0;
        foreach (var round in rounds)
        {
            if (round.Round.Outcome.Pending is null)
            {
                kept.Add(round);
                continue;
            }

            var i = next++;
            var outcome = round.Round.Outcome;
            if (outcomes[i] is null)
            {
                var done = outcome with { Pending = null, DriverData = work[i].DriverData, UndoBytes = work[i].UndoBytes, Phases = outcome.Phases?.Plus(share) ?? share };
                kept.Add(round with { Round = round.Round with { Outcome = done } });
                continue;
            }

            if (outcomes[i] is not ReplicationException failure)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(outcomes[i]!).Throw();
                return kept;
            }

            if (!work[i].Committed)
            {
                // Its replica is untouched: the journal goes, as after any round that failed before its commit (or by the next command, if it cannot now).
                try
                {
                    round.Driver.DiscardSyncJournal(round.Snapshot.Replica, round.Snapshot.Volume.Id);
                }
                catch (ReplicationException)
                {
                }
            }

            RecordFailure(round.Snapshot.Volume, failure, round.Operation, outcome.StartedAt, () => StillHoldsItsRound(round.Snapshot, SilentObserver.Instance));
            failures.Add(new RoundFailure(round.Snapshot.Volume.Name, failure));
        }

        return kept;
    }

    /// <summary>
    /// Stages one member's part of a group round: its changed blocks are journaled and committed under the group's token
    /// but not applied, so no replica of the group moves until every member is staged and the round is committed.
    /// The member must be consistent (active or active-stopped) with nothing interrupted pending.
    /// </summary>
    /// <remarks>As for <see cref="Run"/>: a failure before the member's journal is committed keeps its status while the replica still holds its round.</remarks>
    internal ReplicaSyncOutcome Stage(VolumeSnapshot snapshot, Guid groupToken, bool forceRead, IOperationObserver observer, CancellationToken cancellation)
    {
        var volume = snapshot.Volume;
        var driver = _context.Drivers.Get(snapshot.PrimaryBackend.Driver);
        var verdict = new VerdictHolder();
        var startedAt = _context.Now;
        FenceEpochs.AssertBeforeRound(_context, snapshot);
        try
        {
            return driver.SyncReplica(Request(snapshot, LazyMap(volume), forceRead, groupToken, observer, verdict), observer, cancellation) with { ReplicaVerdict = verdict.Value };
        }
        catch (ReplicationException ex)
        {
            RecordFailure(volume, ex, "SyncReplicationGroup", startedAt, () => StillHoldsItsRound(snapshot, observer));
            throw;
        }
    }

    /// <summary>
    /// After a failed round of a consistent replica that wrote nothing to it directly: true when the replica still holds
    /// its last round, as a round that failed before committing a journal leaves it (the file system was full, say). Its
    /// blocks are read again to be sure, so a replica that is missing, unreadable or damaged is not called whole. For a
    /// pair the driver replicates itself, the driver's own record of the round the replica holds is asked first: a native
    /// round records no block map to read it against.
    /// </summary>
    private bool StillHoldsItsRound(VolumeSnapshot snapshot, IOperationObserver observer)
    {
        var driver = _context.Drivers.Get(snapshot.PrimaryBackend.Driver);
        if (driver.HasSyncJournal(snapshot.Replica, snapshot.Volume.Id))
        {
            return false;
        }

        if (driver.Rounds.Native.StillHolds(snapshot.Primary, snapshot.Replica, snapshot.Volume.SyncGeneration))
        {
            return true;
        }

        try
        {
            return _check.Run(snapshot, observer, CancellationToken.None) is { Damaged: false, BlocksCompared: > 0 };
        }
        catch (ReplicationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Records, inside the transaction that commits a group round, the members that had nothing to copy: they stage no
    /// journal, so a crash after the commit would leave nothing to finish them from, and they would miss the round.
    /// </summary>
    internal void RecordUnchangedMembers(IStateSession session, IReadOnlyList<(VolumeSnapshot Snapshot, ReplicaSyncOutcome Outcome)> staged, GroupRound round)
    {
        foreach (var (snapshot, outcome) in staged.Where(s => s.Outcome.Mode == SyncMode.Unchanged))
        {
            RecordIn(session, snapshot.Volume, outcome, snapshot.Volume.ReplicationStatus, "SyncReplicationGroup", $"Group '{round.GroupName}' round {round.Round}", round.Round, ranNow: true);
        }
    }

    /// <summary>
    /// Applies every staged member of a committed group round to its replica and records them in one transaction, each
    /// holding <paramref name="round"/> (the unchanged ones were recorded with the commit). A crash before the record is
    /// finished from the journals by the next command.
    /// </summary>
    internal IReadOnlyList<SyncResult> ApplyGroup(IReadOnlyList<(VolumeSnapshot Snapshot, ReplicaSyncOutcome Outcome)> staged, GroupRound round, IOperationObserver observer)
    {
        var applyStartedAt = _context.Now;
        var undoBytes = new Dictionary<Guid, long?>();
        foreach (var (snapshot, outcome) in staged.Where(s => s.Outcome.Mode != SyncMode.Unchanged))
        {
            try
            {
                undoBytes[snapshot.Volume.Id] = _context.Drivers.Get(snapshot.PrimaryBackend.Driver).FinishInterruptedSync(snapshot.Replica, snapshot.Volume.Id, UndoRound(snapshot.Volume))?.UndoBytes;
            }
            catch (ReplicationException ex)
            {
                RecordFailure(snapshot.Volume, ex, "SyncReplicationGroup", applyStartedAt);
                throw;
            }
        }

        var results = new List<SyncResult>();
        using (var session = _context.Store.Begin(write: true))
        {
            foreach (var (snapshot, outcome) in staged)
            {
                var recorded = outcome.Mode == SyncMode.Unchanged
                    ? VolumeSnapshot.Reread(session, snapshot.Volume)
                    : RecordIn(session, snapshot.Volume, outcome with { UndoBytes = undoBytes.TryGetValue(snapshot.Volume.Id, out var undo) ? undo : null }, snapshot.Volume.ReplicationStatus,
                        "SyncReplicationGroup", $"Group '{round.GroupName}' round {round.Round}", round.Round, ranNow: true);
                results.Add(Result(recorded, outcome));
            }

            session.Commit();
        }

        observer.Decision($"Group '{round.GroupName}' round {round.Round}: {staged.Count} replicas hold the same round.");
        foreach (var (snapshot, _) in staged)
        {
            _context.Drivers.Get(snapshot.PrimaryBackend.Driver).DiscardSyncJournal(snapshot.Replica, snapshot.Volume.Id);
            RecoveryPointFiles.Sweep(_context, snapshot);
        }

        return results;
    }

    /// <summary>
    /// Completes a round whose journal was committed but not recorded (the process died, or the replica failed while it
    /// was applied), so the replica is again exactly one recorded round. Returns the volume as now recorded.
    /// </summary>
    public VolumeRecord FinishInterrupted(VolumeSnapshot snapshot, IOperationObserver observer)
    {
        // A grow a dead process left half-done first: a round needs both copies at the recorded size.
        snapshot = new Volumes.VolumeResize(_context).FinishInterrupted(snapshot, observer);
        // A rollback to a recovery point cut short: the replica is part-way back, so it is finished before anything else.
        snapshot = new ReplicaRollback(_context).FinishInterrupted(snapshot, observer);
        var volume = snapshot.Volume;
        if (volume.ReplicaBackend is null || volume.ReplicationStatus is not (ReplicationStatus.Active or ReplicationStatus.ActiveStopped))
        {
            return volume;
        }

        var driver = _context.Drivers.Get(snapshot.PrimaryBackend.Driver);
        GroupRound? groupRound = null;
        Guid? token;
        try
        {
            driver.SettleNativeRound(snapshot.Primary, snapshot.Replica, volume.SyncGeneration, volume.Name, observer);
            token = driver.CommittedJournalGroup(snapshot.Replica, volume.Id);
        }
        catch (ReplicationException ex)
        {
            RecordFailure(volume, ex, "FinishInterruptedSync");
            throw;
        }

        if (token is not null)
        {
            using (var read = _context.Store.Begin(write: false))
            {
                groupRound = read.FindGroupRound(token.Value);
            }

            if (groupRound?.CommittedAt is null)
            {
                // Its group round never committed: applying one member alone would break the group's common point.
                driver.DiscardSyncJournal(snapshot.Replica, volume.Id);
                observer.Decision($"'{volume.Name}': a staged part of a group round that never committed was discarded; the replica stays at its last round.");
                return volume;
            }
        }

        ReplicaSyncOutcome? outcome;
        try
        {
            outcome = driver.FinishInterruptedSync(snapshot.Replica, volume.Id, UndoRound(volume));
        }
        catch (ReplicationException ex)
        {
            RecordFailure(volume, ex, "FinishInterruptedSync");
            throw;
        }

        if (outcome is null)
        {
            return volume;
        }

        if (outcome.Generation > volume.SyncGeneration)
        {
            observer.Decision($"'{volume.Name}': round {outcome.Generation} had committed its journal but was not recorded; it was applied to the replica and recorded now.");
            volume = Record(volume, outcome, volume.ReplicationStatus, "FinishInterruptedSync", "Interrupted round finished", groupRound?.Round);
        }

        driver.DiscardSyncJournal(snapshot.Replica, volume.Id);
        return volume;
    }

    /// <summary>The volume's current round when it is a recovery point: the next round captures its undo log before it is applied.</summary>
    private long? UndoRound(VolumeRecord volume)
    {
        using var read = _context.Store.Begin(write: false);
        return RecoveryPointLedger.UndoRoundFor(read, volume);
    }

    /// <summary>The block map of a consistent replica, read from state only if the driver needs it.</summary>
    private Lazy<BlockMap> LazyMap(VolumeRecord volume) => new(() =>
    {
        using var reading = RoundClock.In(RoundPhase.State);
        using var read = _context.Store.Begin(write: false);
        return read.LoadBlockMap(volume.Id)
            ?? throw new InvalidOperationException($"Volume '{volume.Name}' is {volume.ReplicationStatus.ToCinder()} but has no block map.");
    });

    /// <summary>Moves an active volume to copying as a round starts writing its replica directly.</summary>
    private VolumeRecord MarkCopying(VolumeRecord seen, string operation)
    {
        using var marking = RoundClock.In(RoundPhase.State);
        using var session = _context.Store.Begin(write: true);
        var current = VolumeSnapshot.Reread(session, seen);
        var copying = current with
        {
            ReplicationStatus = ReplicationStatus.Copying,
            ReplicationExtendedStatus = $"First round since creation, started {_context.Now:u}: the primary's data is copied to the empty replica directly.",
        };
        ReplicationStateMachine.Update(session, current, copying);
        session.AppendEvent(_context.Event(operation, "Volume", current.Name, copying.ReplicationExtendedStatus, current.Id, current.ReplicationStatus, copying.ReplicationStatus));
        session.Commit();
        return copying;
    }

    /// <param name="verdict">Receives what the replica's real blocks say against its recorded round, if the driver hashes them.</param>
    private ReplicaSyncRequest Request(VolumeSnapshot snapshot, Lazy<BlockMap>? map, bool forceRead, Guid? groupToken, IOperationObserver observer, VerdictHolder verdict,
        bool journaled = true, Action? beforeFirstDirectChange = null, Export.FrozenDirtyBlocks? tracked = null, long? undoRound = null, bool deferCommit = false) => new()
    {
        DeferCommit = deferCommit,
        ReplicaHashed = map is null ? null : actual => verdict.Value = _check.Judge(snapshot, actual, map.Value, tracked, observer),
        DirtyBlocks = tracked?.Blocks,
        ReplicaWrittenAtDirtyBlocks = tracked?.ReplicaMirrored ?? false,
        VolumeId = snapshot.Volume.Id,
        VolumeName = snapshot.Volume.Name,
        SizeBytes = snapshot.Volume.SizeBytes,
        Source = snapshot.Primary,
        Target = snapshot.Replica,
        PreviousMap = map,
        PreviousDriverData = map is null ? null : snapshot.Volume.ReplicationDriverData,
        Journaled = journaled && map is not null,
        BeforeFirstDirectChange = beforeFirstDirectChange,
        ForceRead = forceRead,
        Generation = snapshot.Volume.SyncGeneration + 1,
        StartedAt = _context.Now,
        GroupToken = groupToken,
        UndoRound = undoRound,
    };

    private SyncResult Result(VolumeRecord recorded, ReplicaSyncOutcome outcome, DateTimeOffset? finishedAt = null) => new()
    {
        ReplicaBlocksRepaired = outcome.ReplicaVerdict?.BlocksDiffering ?? 0,
        CrashConsistent = !outcome.PrimaryChangedDuringRound,
        VolumeName = recorded.Name,
        PrimaryBackend = recorded.Backend,
        ReplicaBackend = recorded.ReplicaBackend ?? "",
        Mode = outcome.Mode.ToString(),
        Status = recorded.ReplicationStatus.ToCinder(),
        BytesRead = outcome.BytesRead,
        BytesWritten = outcome.BytesWritten,
        BlocksWritten = outcome.BlocksWritten,
        BlocksDeallocated = outcome.BlocksDeallocated,
        DataTimestamp = outcome.StartedAt,
        Duration = (finishedAt ?? _context.Now) - outcome.StartedAt,
        Phases = outcome.Phases,
        SyncGeneration = recorded.SyncGeneration,
    };

    private VolumeRecord Record(VolumeRecord seen, ReplicaSyncOutcome outcome, ReplicationStatus statusAfter, string operation, string what, long? groupRound = null, bool ranNow = false)
    {
        using var recording = RoundClock.In(RoundPhase.State);
        using var session = _context.Store.Begin(write: true);
        var updated = RecordIn(session, seen, outcome, statusAfter, operation, what, groupRound, ranNow);
        session.Commit();
        return updated;
    }

    /// <summary>
    /// Records a round inside the caller's transaction. A round outside a group leaves the volume's group round behind.
    /// A round this command ran (<paramref name="ranNow"/>, not one finished after a crash) puts its figures on its event.
    /// </summary>
    private VolumeRecord RecordIn(IStateSession session, VolumeRecord seen, ReplicaSyncOutcome outcome, ReplicationStatus statusAfter, string operation, string what, long? groupRound, bool ranNow = false)
    {
        var current = VolumeSnapshot.Reread(session, seen);
        var updated = current with
        {
            ReplicationStatus = statusAfter,
            SyncGeneration = outcome.Mode == SyncMode.Unchanged ? current.SyncGeneration : outcome.Generation,
            LastSyncStartedAt = outcome.StartedAt,
            LastSyncCompletedAt = _context.Now,
            LastSyncRaced = outcome.PrimaryChangedDuringRound,
            ReplicationDriverData = outcome.DriverData,
            GroupRound = groupRound ?? current.GroupRound,
        };
        // A round that compared the replica's real blocks leaves it holding exactly its new map: whatever a check or DR
        // test found against it before is repaired.
        if (outcome.Mode == SyncMode.FullCompare)
        {
            updated = updated.WithVerificationCleared();
        }

        updated = updated with { ReplicationExtendedStatus = RoundText(what, outcome, current, updated) };
        if (outcome.NewMap is not null)
        {
            session.SaveBlockMap(current.Id, outcome.NewMap);
        }

        ReplicationStateMachine.Update(session, current, updated);
        RecoveryPointLedger.RecordRound(session, current, updated, outcome, groupRound, _context.Now);
        var recorded = _context.Event(operation, "Volume", current.Name, updated.ReplicationExtendedStatus!, current.Id, current.ReplicationStatus, statusAfter);
        session.AppendEvent(ranNow ? recorded with { RoundBytesWritten = outcome.BytesWritten, RoundSeconds = Seconds(outcome.StartedAt) } : recorded);
        return updated;
    }

    /// <summary>
    /// What a recorded round says in the extended status and its event: the point in time the replica holds (and that it
    /// is none when the primary was written during the round), the blocks copied, the damage it repaired, and a mark it
    /// cleared or that still stands.
    /// </summary>
    private static string RoundText(string what, ReplicaSyncOutcome outcome, VolumeRecord before, VolumeRecord after)
    {
        var text = $"{what}: {ReplicaHolds(outcome.StartedAt, outcome.PrimaryChangedDuringRound)}; {outcome.BlocksWritten} blocks written, {outcome.BlocksDeallocated} deallocated.";
        if (outcome.ReplicaVerdict is { Damaged: true } verdict)
        {
            text += $" {verdict.BlocksDiffering} of them ({Humane.Bytes(verdict.BytesDiffering)}, {verdict.Where}) differed on the replica from what round {verdict.Round} wrote: changed or damaged on disk outside the module, now repaired from the primary.";
        }

        var change = ReplicaCheck.MarkChange(before, after);
        return after.VerificationFailure is { } failure && change.Length == 0
            ? text + $" The replica still fails verification ({failure}); Sync-VolumeReplica -Full repairs it."
            : text + change;
    }

    /// <summary>What a replica holds after a round that started at <paramref name="startedAt"/>: a point in time, or none when the primary was written during the round.</summary>
    internal static string ReplicaHolds(DateTimeOffset? startedAt, bool raced) => raced
        ? $"replica holds every write made to the primary before {startedAt:u} and some made during the round, which the primary took meanwhile, so it is not a crash-consistent point in time"
        : $"replica holds the primary's data as of {startedAt:u}";

    /// <summary>
    /// A primary that cannot be read says nothing about the replica, which still holds its last round: the status stays
    /// and the extended status tells. Any other fault is on the replica side: the status becomes error. The failure of a
    /// round (<paramref name="roundStartedAt"/> given) puts the time the round ran on its event, and no bytes.
    /// </summary>
    /// <param name="roundStartedAt">Given for the failure of a round: the time it ran goes on its event, with no bytes.</param>
    /// <param name="replicaStillHoldsItsRound">
    /// Asked after a replica-side fault: true when the replica still holds its round (see <see cref="Run"/>), and then the
    /// status stays. Asked before the transaction opens, since finding out reads the replica and the store.
    /// </param>
    internal void RecordFailure(VolumeRecord seen, ReplicationException failure, string operation, DateTimeOffset? roundStartedAt = null, Func<bool>? replicaStillHoldsItsRound = null)
    {
        var replicaFault = failure.ErrorId != ErrorIds.PrimaryUnreadable;
        var replicaUntouched = replicaFault && replicaStillHoldsItsRound?.Invoke() == true;
        using var session = _context.Store.Begin(write: true);
        var current = session.FindVolume(seen.Id);
        if (current is null)
        {
            return;
        }

        var statusAfter = replicaFault && !replicaUntouched ? ReplicationStatus.Error : current.ReplicationStatus;
        var updated = current with
        {
            ReplicationStatus = statusAfter,
            ReplicationExtendedStatus = $"{operation} failed at {_context.Now:u} ({failure.ErrorId}): {failure.Message}" +
                (replicaUntouched ? $" The replica was not changed: read again, it still holds round {current.SyncGeneration}, and it stays {current.ReplicationStatus.ToCinder()}." : ""),
        };
        ReplicationStateMachine.Update(session, current, updated);
        var failed = _context.Event(operation + "Failed", "Volume", current.Name, updated.ReplicationExtendedStatus, current.Id, current.ReplicationStatus, statusAfter);
        session.AppendEvent(roundStartedAt is { } started ? failed with { RoundSeconds = Seconds(started) } : failed);
        session.Commit();
    }

    private double Seconds(DateTimeOffset since) => Math.Max(0, (_context.Now - since).TotalSeconds);

    /// <summary>Where a round's judge leaves the replica's verdict for the round's result (the driver only hashes).</summary>
    private sealed class VerdictHolder
    {
        public ReplicaVerdict? Value { get; set; }
    }
}
