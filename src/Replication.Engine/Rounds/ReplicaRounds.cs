using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using Replication.Drivers;
using Replication.Engine.Diagnostics;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Replication;

namespace Replication.Engine.Rounds;

/// <summary>
/// The engine's sync rounds over any driver: the quick check on change stamps, tracked, incremental and full-compare
/// rounds, journaled or direct writes, finishing an interrupted round, clones and block maps. Only blocks that changed
/// since the last round are copied, and holes are never filled.
/// </summary>
internal sealed class ReplicaRounds
{
    private readonly EngineDriver _driver;

    public ReplicaRounds(EngineDriver driver)
    {
        _driver = driver;
        Native = new NativeRounds(driver);
    }

    /// <summary>Rounds the driver's storage moves itself, where it can for the pair.</summary>
    public NativeRounds Native { get; }

    private IStorageDriver Contract => _driver.Contract;

    public ReplicaSyncOutcome Sync(ReplicaSyncRequest request, IOperationObserver observer, CancellationToken cancellation)
    {
        // A group round stages journals of the engine's own under the group's token: its members move their bytes through the engine.
        if (request.GroupToken is null && Native.Applies(request.Source, request.Target))
        {
            return Native.Stage(request, observer);
        }

        var primaryName = _driver.Describe(request.Source);
        var replicaName = _driver.Describe(request.Target);
        var stampTakenAt = DateTimeOffset.UtcNow;
        var stampBefore = PrimaryStamp(request.Source, primaryName, request.SizeBytes);
        // Open the replica first: a quiet primary proves nothing about a replica that was removed or resized.
        var target = OpenTarget(request.Target, replicaName, request.SizeBytes, rebuild: request.PreviousMap is null);
        ReplicaSyncOutcome? outcome = null;
        try
        {
            return outcome = SyncOpened(request, target, primaryName, replicaName, stampBefore, stampTakenAt, observer, cancellation);
        }
        finally
        {
            // A round left pending hands its open replica to its batch.
            if (outcome?.Pending is null)
            {
                target.Dispose();
            }
        }
    }

    private ReplicaSyncOutcome SyncOpened(ReplicaSyncRequest request, IBlockDevice target, string primaryName, string replicaName, string stampBefore, DateTimeOffset stampTakenAt,
        IOperationObserver observer, CancellationToken cancellation)
    {
        var previous = RoundStamp.Parse(request.PreviousDriverData);
        var replicaUntouched = previous is not null && previous.ReplicaStamp == _driver.CopyStamp(request.Target);
        if (request.PreviousMap is not null && !request.ForceRead && replicaUntouched && previous!.PrimaryStamp is { } stamp && stamp == stampBefore &&
            ProvesQuiet(stamp, new DateTimeOffset(previous.PrimaryStampTakenTicks, TimeSpan.Zero)))
        {
            observer.Decision($"'{request.VolumeName}': the primary's change stamp (for a file: its size and modification time) is that of the last round, and the replica is untouched, so nothing was read.");
            return new ReplicaSyncOutcome
            {
                Mode = SyncMode.Unchanged,
                Generation = request.Generation,
                StartedAt = request.StartedAt,
                DriverData = previous.ToDriverData(),
            };
        }

        // Marked before anything of the primary is read: a write from here on is the next round's.
        var round = new Round(request, primaryName, replicaName, target, stampBefore, stampTakenAt, ChangedBlockMarks.Take(_driver, request.Source));
        if (request.DirtyBlocks is { } dirty && request.PreviousMap is not null && !request.ForceRead && (replicaUntouched || previous is null || request.ReplicaWrittenAtDirtyBlocks))
        {
            return SyncTracked(round, dirty, "its export tracked", observer, cancellation);
        }

        if (request.PreviousMap is not null && !request.ForceRead && replicaUntouched &&
            ChangedBlockMarks.Since(_driver, request.Source, previous, request.PreviousMap.Value) is { } changed)
        {
            return SyncTracked(round, changed, "the storage's changed-block tracking reported", observer, cancellation);
        }

        using var source = OpenSource(request.Source, primaryName, ErrorIds.PrimaryUnreadable, request.SizeBytes);
        var reader = new BlockReader(source, primaryName, ErrorIds.PrimaryUnreadable, Reporter(observer, "Syncing", request.VolumeName), cancellation);
        var trustMap = request.PreviousMap is not null && !request.ForceRead && (replicaUntouched || previous is null) && previous?.Native != true;
        if (request.PreviousMap is not null && !trustMap)
        {
            observer.Decision(request.ForceRead
                ? $"'{request.VolumeName}': a full round compares the primary with the replica's real blocks, not with the block map, so a replica changed on disk is repaired whatever its file times say."
                : previous?.Native == true ? $"'{request.VolumeName}': the last round was replicated by the driver itself, which leaves no block map, so the replica's blocks are compared."
                : $"'{request.VolumeName}': the replica was modified outside the module since the last round, so its blocks are compared instead of trusting the block map.");
        }

        var mode = trustMap ? SyncMode.Incremental : SyncMode.FullCompare;
        var baseline = trustMap ? request.PreviousMap!.Value : HashTarget(round, observer, cancellation);
        if (!trustMap)
        {
            request.ReplicaHashed?.Invoke(baseline);
        }

        var newMap = request.Journaled
            ? SyncThroughJournal(round, baseline, sink => reader.CopyChanged(baseline, sink))
            : SyncDirectly(round, baseline.BlockSize, sink => reader.CopyChanged(baseline, sink));
        observer.Decision($"'{request.VolumeName}': {mode} round read {reader.BytesRead} bytes of the primary and wrote {reader.BlocksWritten} changed blocks ({reader.BytesWritten} bytes); {reader.BlocksDeallocated} blocks became holes.");
        return Outcome(round, mode, newMap, reader);
    }

    /// <param name="undoRound">The volume's current round when it is a recovery point: its undo log is captured before the journal is applied, unless it already was.</param>
    public ReplicaSyncOutcome? FinishInterrupted(VolumeCopy target, Guid volumeId, long? undoRound)
    {
        var store = Contract.Sidecars(EngineDriver.Config(target.Backend));
        var where = EngineDriver.SidecarPath(target.Backend, SyncJournal.CommittedName(volumeId));
        (Stream Journal, SyncJournal.Header Header, BlockMap Map)? committed;
        try
        {
            committed = DriverFaults.Run(() =>
            {
                SyncJournal.DiscardUncommitted(store, volumeId);
                return SyncJournal.OpenCommitted(store, volumeId, where);
            }, ErrorIds.ReplicaUnwritable, "Writing the replica", where);
        }
        catch (ReplicationException ex) when (ex.InnerException is StorageDriverException missing && EngineDriver.IsNotThere(missing))
        {
            // Storage that is not there holds no journal: the round that follows says what is wrong with it.
            return null;
        }

        if (committed is not { } journal)
        {
            return null;
        }

        using (journal.Journal)
        {
            var replicaName = _driver.Describe(target);
            using var device = OpenTarget(target, replicaName, journal.Header.VolumeSize, rebuild: false);
            var undoBytes = undoRound == journal.Header.Generation - 1 ? CaptureUndo(store, journal.Journal, where, device, undoRound.Value) : (long?)null;
            var applied = DriverFaults.Run(() => SyncJournal.Apply(journal.Journal, where, device, replicaName), ErrorIds.ReplicaUnwritable, "Writing the replica", replicaName);
            return new ReplicaSyncOutcome
            {
                Mode = SyncMode.Incremental,
                NewMap = journal.Map,
                Generation = journal.Header.Generation,
                StartedAt = journal.Header.StartedAt,
                BlocksWritten = applied.BlocksWritten,
                BytesWritten = applied.BytesWritten,
                BlocksDeallocated = applied.BlocksDeallocated,
                UndoBytes = undoBytes,
            };
        }
    }

    /// <summary>
    /// Captures, before the committed journal is applied, the replica's blocks it overwrites in the undo log of point
    /// <paramref name="round"/> (kept when this journal's log is already committed); returns the log's bytes.
    /// </summary>
    private static long CaptureUndo(ISidecarStore store, Stream journal, string where, IBlockDevice replica, long round)
    {
        var (header, blocks) = SyncJournal.Blocks(journal, where);
        var undo = $"{where} (undo log of round {round})";
        try
        {
            return DriverFaults.Run(() => RecoveryPoints.PointStore.Capture(store, header.VolumeId, round, new RecoveryPoints.UndoIdentity(header.Generation, header.StartedAt.UtcTicks),
                header.BlockSize, header.VolumeSize, blocks, replica), ErrorIds.ReplicaUnwritable, "Writing the recovery point's undo log", undo);
        }
        catch (InvalidDataException ex)
        {
            throw new ReplicationException(ErrorIds.ReplicaUnwritable, ErrorKind.InvalidData, $"The undo log of round {round} beside '{where}' cannot be read: {ex.Message}.", undo, ex);
        }
    }

    public Guid? CommittedGroup(VolumeCopy target, Guid volumeId)
    {
        var store = Contract.Sidecars(EngineDriver.Config(target.Backend));
        var where = EngineDriver.SidecarPath(target.Backend, SyncJournal.CommittedName(volumeId));
        try
        {
            var committed = DriverFaults.Run(() => SyncJournal.OpenCommitted(store, volumeId, where), ErrorIds.ReplicaUnwritable, "Reading the sync journal", where);
            committed?.Journal.Dispose();
            return committed?.Header.GroupToken;
        }
        catch (ReplicationException ex) when (ex.InnerException is StorageDriverException missing && EngineDriver.IsNotThere(missing))
        {
            return null;
        }
    }

    /// <summary>
    /// Makes the new <paramref name="target"/> a copy of <paramref name="source"/>, the one rule for every test volume and
    /// DR test clone: a native clone where the driver makes one on the same backend (<see cref="INativeCloning"/>);
    /// else block by block, holes kept, read from a snapshot of the source where its driver takes one
    /// (<see cref="INativeSnapshots"/>: a snapshot is read-only, so it is the copy's source, never the copy), so the
    /// clone is one point in time even if the source is written meanwhile; else read from the source itself.
    /// </summary>
    public BlockMap Clone(VolumeCopy source, VolumeCopy target, long sizeBytes, IOperationObserver observer, CancellationToken cancellation)
    {
        const string cloning = "Writing the test volume";
        var sourceName = _driver.Describe(source);
        var targetName = _driver.Describe(target);
        if (_driver.Copy(target, () => Contract.CopyLength(EngineDriver.Config(target.Backend), target.Location), ErrorIds.VolumeFileFault, cloning) is not null)
        {
            throw new ReplicationException(ErrorIds.VolumeFileFault, ErrorKind.WriteError, $"{cloning} '{targetName}' failed: something is already there.", targetName);
        }

        if (string.Equals(source.Backend.Name, target.Backend.Name, StringComparison.OrdinalIgnoreCase) && Contract is INativeCloning native &&
            _driver.Copy(target, () => native.TryCloneCopy(EngineDriver.Config(target.Backend), source.Location, target.Location), ErrorIds.VolumeFileFault, cloning))
        {
            var map = Hash(target, sizeBytes, observer, cancellation);
            observer.Decision($"Cloned {source} to {target} inside the storage (the driver's native clone); its blocks were hashed to check it.");
            return map;
        }

        var snapshot = Snapshot(source, target);
        try
        {
            return CopyBlocks(snapshot is null ? source : new VolumeCopy(source.Backend, snapshot), source, target, sizeBytes, observer, cancellation);
        }
        finally
        {
            if (snapshot is not null)
            {
                // A snapshot left by a failure here is the driver's litter, not a copy of the engine's: it only costs space.
                IgnoringFaults(() => ((INativeSnapshots)Contract).DeleteSnapshot(EngineDriver.Config(source.Backend), snapshot));
            }
        }
    }

    /// <summary>A snapshot of the source for a clone to read from; null when its driver takes none (or failed to).</summary>
    private string? Snapshot(VolumeCopy source, VolumeCopy target)
    {
        if (Contract is not INativeSnapshots snapshots)
        {
            return null;
        }

        try
        {
            return snapshots.CreateSnapshot(EngineDriver.Config(source.Backend), source.Location, "clone-" + target.Location);
        }
        catch (StorageDriverException)
        {
            return null;
        }
    }

    private BlockMap CopyBlocks(VolumeCopy readFrom, VolumeCopy source, VolumeCopy target, long sizeBytes, IOperationObserver observer, CancellationToken cancellation)
    {
        var sourceName = _driver.Describe(source);
        using var from = OpenSource(readFrom, sourceName, ErrorIds.VolumeFileFault, sizeBytes);
        return CopyBlocks(from, readFrom == source ? source.ToString() : $"{source} (read from the driver's snapshot of it)", target, sizeBytes, observer, cancellation);
    }

    /// <summary>Makes the new <paramref name="target"/> a block-by-block copy of <paramref name="from"/> (a recovery point, say), holes kept; returns its block hashes.</summary>
    public BlockMap CopyBlocks(IBlockDevice from, string sourceName, VolumeCopy target, long sizeBytes, IOperationObserver observer, CancellationToken cancellation)
    {
        const string cloning = "Writing the test volume";
        var targetName = _driver.Describe(target);
        _driver.Copy(target, () => Contract.CreateCopy(EngineDriver.Config(target.Backend), target.Location, sizeBytes), ErrorIds.VolumeFileFault, cloning);
        using var to = _driver.Copy(target, () => Contract.Open(EngineDriver.Config(target.Backend), target.Location, DeviceAccess.ReadWrite), ErrorIds.VolumeFileFault, cloning);
        var reader = new BlockReader(from, sourceName, ErrorIds.VolumeFileFault, Reporter(observer, "Cloning", sourceName), cancellation);
        var copied = reader.CopyChanged(BlockMap.Empty(BlockMap.DefaultBlockSize, sizeBytes), new DirectBlockSink(to, targetName, BlockMap.DefaultBlockSize, ErrorIds.VolumeFileFault, cloning));
        DriverFaults.Run(to.Flush, ErrorIds.VolumeFileFault, cloning, targetName);
        observer.Decision($"Cloned {reader.BytesWritten} bytes in {reader.BlocksWritten} blocks from {sourceName} to {target}; holes stayed holes.");
        return copied;
    }

    public BlockMap Hash(VolumeCopy copy, long sizeBytes, IOperationObserver observer, CancellationToken cancellation)
    {
        var name = _driver.Describe(copy);
        using var device = OpenSource(copy, name, ErrorIds.VolumeFileFault, sizeBytes);
        return new BlockReader(device, name, ErrorIds.VolumeFileFault, Reporter(observer, "Verifying", copy.ToString()), cancellation).HashAll(sizeBytes, BlockMap.DefaultBlockSize);
    }

    /// <summary>
    /// A round of a volume whose writes were tracked (by its export, or by the storage): only the dirty blocks are read
    /// (and, for a replica a synchronous export wrote, compared with the replica's own blocks); a volume with none is not read at all.
    /// </summary>
    /// <param name="tracker">Who tracked the writes, as the decision says it ("its export tracked").</param>
    private ReplicaSyncOutcome SyncTracked(Round round, DirtyBlockSet dirty, string tracker, IOperationObserver observer, CancellationToken cancellation)
    {
        var request = round.Request;
        var map = request.PreviousMap!.Value;
        var dirtyCount = dirty.Count;
        if (dirtyCount == 0)
        {
            observer.Decision($"'{request.VolumeName}': {tracker} no write since the last round, so nothing was read.");
            return new ReplicaSyncOutcome
            {
                Mode = SyncMode.Unchanged,
                Generation = request.Generation,
                StartedAt = request.StartedAt,
                DriverData = round.Stamp(round.StampBefore, _driver.CopyStamp(request.Target)),
            };
        }

        using var source = OpenSource(request.Source, round.PrimaryName, ErrorIds.PrimaryUnreadable, request.SizeBytes);
        var reader = new BlockReader(source, round.PrimaryName, ErrorIds.PrimaryUnreadable, Reporter(observer, "Syncing", request.VolumeName), cancellation);
        var compareWith = request.ReplicaWrittenAtDirtyBlocks ? round.Target : null;
        var newMap = request.Journaled
            ? SyncThroughJournal(round, map, sink => reader.CopyBlocks(map, dirty, sink, compareWith, round.ReplicaName))
            : SyncDirectly(round, map.BlockSize, sink => reader.CopyBlocks(map, dirty, sink, compareWith, round.ReplicaName));
        observer.Decision($"'{request.VolumeName}': {tracker} {dirtyCount} written blocks since the last round; only they were read ({reader.BytesRead} bytes of the primary" +
            (compareWith is null ? "" : ", compared with the replica, which the synchronous export wrote too") + $"), and {reader.BlocksWritten} that differed were written ({reader.BytesWritten} bytes); {reader.BlocksDeallocated} became holes.");
        return Outcome(round, SyncMode.TrackedWrites, newMap, reader);
    }

    /// <summary>What a round that read the primary reports: its new block map, its counts, and the stamps the next round's quick check compares.</summary>
    private ReplicaSyncOutcome Outcome(Round round, SyncMode mode, BlockMap newMap, BlockReader reader)
    {
        // A write during the round makes the primary's stamp useless for skipping the next one, and the replica no
        // crash-consistent point in time.
        var quiet = _driver.CopyStamp(round.Request.Source) == round.StampBefore;
        var primaryStamp = quiet ? round.StampBefore : null;
        return new ReplicaSyncOutcome
        {
            Mode = mode,
            NewMap = newMap,
            PrimaryChangedDuringRound = !quiet,
            // A pending round's replica changes when its batch applies it: its stamp is taken then.
            DriverData = round.Sealed is null ? round.Stamp(primaryStamp, _driver.CopyStamp(round.Request.Target)) : null,
            Pending = round.Sealed is { } journal
                ? new PendingRound(journal, round.Request.Target.Backend.Name, round.Target, round.ReplicaName, round.Request.UndoRound, () => round.Stamp(primaryStamp, _driver.CopyStamp(round.Request.Target)))
                : null,
            Generation = round.Request.Generation,
            StartedAt = round.Request.StartedAt,
            BytesRead = reader.BytesRead,
            BytesWritten = reader.BytesWritten,
            BlocksWritten = reader.BlocksWritten,
            BlocksDeallocated = reader.BlocksDeallocated,
            UndoBytes = round.UndoBytes,
        };
    }

    private static BlockMap SyncDirectly(Round round, int blockSize, Func<IBlockSink, BlockMap> copy)
    {
        var newMap = copy(new DirectBlockSink(round.Target, round.ReplicaName, blockSize, beforeFirstChange: round.Request.BeforeFirstDirectChange));
        using var syncing = RoundClock.In(RoundPhase.Fsync);
        DriverFaults.Run(round.Target.Flush, ErrorIds.ReplicaUnwritable, "Writing the replica", round.ReplicaName);
        return newMap;
    }

    private BlockMap SyncThroughJournal(Round round, BlockMap baseline, Func<IBlockSink, BlockMap> copy)
    {
        var request = round.Request;
        var store = Contract.Sidecars(EngineDriver.Config(request.Target.Backend));
        var where = EngineDriver.SidecarPath(request.Target.Backend, SyncJournal.CommittedName(request.VolumeId));
        var header = new SyncJournal.Header
        {
            VolumeId = request.VolumeId,
            Generation = request.Generation,
            StartedAt = request.StartedAt,
            BlockSize = baseline.BlockSize,
            VolumeSize = baseline.VolumeSize,
            GroupToken = request.GroupToken,
        };
        BlockMap newMap;
        var pending = request.DeferCommit && request.GroupToken is null;
        using (var journal = new SyncJournal.Writer(store, header, where))
        {
            try
            {
                newMap = copy(journal);
                if (pending)
                {
                    round.Sealed = journal.Seal(newMap);
                    return newMap;
                }

                journal.Commit(newMap);
            }
            catch
            {
                journal.Dispose();
                // Nothing of the replica changed yet: the round is forgotten whole, and the failure that stopped it is the one to report.
                IgnoringFaults(() => SyncJournal.Discard(store, request.VolumeId));
                throw;
            }
        }

        if (request.GroupToken is null)
        {
            round.UndoBytes = ApplyCommitted(store, request.VolumeId, where, round.Target, round.ReplicaName, request.UndoRound, flush: true);
            CrashPoints.Hit("sync.after-apply");
        }

        return newMap;
    }

    /// <summary>
    /// Applies the volume's committed journal to the replica, capturing first the undo log of recovery point
    /// <paramref name="undoRound"/> when one is asked; returns the undo log's bytes.
    /// </summary>
    /// <param name="flush">Flush the replica when done; a batch of rounds flushes its replicas together instead.</param>
    internal static long? ApplyCommitted(ISidecarStore store, Guid volumeId, string where, IBlockDevice replica, string replicaName, long? undoRound, bool flush)
    {
        using var staged = DriverFaults.Run(() => SyncJournal.OpenStaged(store, volumeId), ErrorIds.ReplicaUnwritable, "Reading the sync journal", where)
            ?? throw new ReplicationException(ErrorIds.ReplicaUnwritable, ErrorKind.WriteError, $"The sync journal '{where}' just committed is gone.", where);
        var undoBytes = undoRound is { } point ? CaptureUndo(store, staged, where, replica, point) : (long?)null;
        DriverFaults.Run(() => SyncJournal.Apply(staged, where, replica, replicaName, flush), ErrorIds.ReplicaUnwritable, "Writing the replica", replicaName);
        return undoBytes;
    }

    private static BlockMap HashTarget(Round round, IOperationObserver observer, CancellationToken cancellation)
    {
        var request = round.Request;
        observer.Decision($"'{request.VolumeName}': no block map of the replica is recorded, so its blocks are hashed to find what differs.");
        var hasher = new BlockReader(round.Target, round.ReplicaName, ErrorIds.ReplicaUnwritable, Reporter(observer, "Comparing replica", request.VolumeName), cancellation);
        return hasher.HashAll(request.SizeBytes, BlockMap.DefaultBlockSize);
    }

    /// <summary>The primary's change stamp before it is read; a primary that is gone or refused fails the round on the primary's side.</summary>
    private string PrimaryStamp(VolumeCopy primary, string name, long sizeBytes)
    {
        if (_driver.CopyStamp(primary) is { } stamp)
        {
            return stamp;
        }

        // No stamp: opening says why (gone, a link, unreachable), on the primary's side.
        OpenSource(primary, name, ErrorIds.PrimaryUnreadable, sizeBytes).Dispose();
        throw new ReplicationException(ErrorIds.PrimaryUnreadable, ErrorKind.ReadError, $"The primary '{name}' cannot be reached.", name);
    }

    private bool ProvesQuiet(string stamp, DateTimeOffset takenAt) => Contract is not ICoarseChangeStamps coarse || coarse.ProvesQuiet(stamp, takenAt);

    private IBlockDevice OpenSource(VolumeCopy copy, string name, string errorId, long expectedSize)
    {
        var device = _driver.Copy(copy, () => Contract.Open(EngineDriver.Config(copy.Backend), copy.Location, DeviceAccess.Read), errorId, "Opening", readSide: true);
        if (device.Length != expectedSize)
        {
            var length = device.Length;
            device.Dispose();
            throw new ReplicationException(errorId, ErrorKind.InvalidData, $"'{name}' is {length} bytes but the volume is {expectedSize}; it was resized or truncated outside the module.", name);
        }

        return device;
    }

    /// <param name="rebuild">The target is being recopied, not a consistent replica: a missing one is created, a resized one set back to size.</param>
    private IBlockDevice OpenTarget(VolumeCopy copy, string name, long expectedSize, bool rebuild) => DriverFaults.Run(() =>
    {
        var backend = EngineDriver.Config(copy.Backend);
        var length = Contract.CopyLength(backend, copy.Location);
        if (length is null)
        {
            if (!rebuild)
            {
                throw new FileNotFoundException("The replica is missing.", name);
            }

            Contract.CreateCopy(backend, copy.Location, expectedSize);
        }
        else if (length != expectedSize)
        {
            if (!rebuild)
            {
                throw new IOException($"The replica is {length} bytes but the volume is {expectedSize}.");
            }

            // A replica being recopied may be resized: the blocks are compared and rewritten anyway.
            Contract.ResizeCopy(backend, copy.Location, expectedSize);
        }

        return Contract.Open(backend, copy.Location, DeviceAccess.ReadWrite);
    }, ErrorIds.ReplicaUnwritable, "Writing the replica", name);

    private static void IgnoringFaults(Action work)
    {
        try
        {
            work();
        }
        catch (Exception ex) when (ex is StorageDriverException or IOException or ReplicationException)
        {
        }
    }

    internal static Action<long, long> Reporter(IOperationObserver observer, string activity, string target)
    {
        var clock = Stopwatch.StartNew();
        return (done, total) => observer.Progress(new OperationProgress(activity, target, done, total, clock.Elapsed));
    }

    /// <summary>One round's opened replica and the names and stamp it goes by.</summary>
    private sealed class Round
    {
        public Round(ReplicaSyncRequest request, string primaryName, string replicaName, IBlockDevice target, string stampBefore, DateTimeOffset stampTakenAt, string? changeMark)
        {
            ChangeMark = changeMark;
            Request = request;
            PrimaryName = primaryName;
            ReplicaName = replicaName;
            Target = target;
            StampBefore = stampBefore;
            StampTakenAt = stampTakenAt;
        }

        public ReplicaSyncRequest Request { get; }

        public string PrimaryName { get; }

        public string ReplicaName { get; }

        public IBlockDevice Target { get; }

        public string StampBefore { get; }

        public DateTimeOffset StampTakenAt { get; }

        /// <summary>The bytes of the undo log captured before the round was applied; null when none was.</summary>
        public long? UndoBytes { get; set; }

        /// <summary>The journal of a round left pending for its batch: sealed, not committed.</summary>
        public SyncJournal.Sealed? Sealed { get; set; }

        /// <summary>The driver's changed-block mark taken before the primary was read; null when it tracks none.</summary>
        public string? ChangeMark { get; }

        /// <summary>What the round leaves in the volume's driver data for the next round.</summary>
        public string Stamp(string? primaryStamp, string? replicaStamp) =>
            new RoundStamp(primaryStamp, StampTakenAt.UtcTicks, replicaStamp, ChangeMark, ChangeMark is null ? null : Request.Source.ToString()).ToDriverData();
    }
}
