using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Replication.Engine.Errors;
using Replication.Engine.Groups;
using Replication.Engine.Model;
using Replication.Engine.Rules;
using Replication.Engine.State;
using Replication.Engine.Volumes;

namespace Replication.Engine.Replication;

/// <summary>The replication side of volumes: status, sync, promotion, re-enable and pause.</summary>
public sealed class ReplicationService
{
    private readonly EngineContext _context;
    private readonly SyncRound _sync;
    private readonly ReplicaPromotion _promotion;
    private readonly ReplicationReenable _reenable;
    private readonly VolumeLeases _leases;
    private readonly Export.ExportGuards _exports;

    public ReplicationService(EngineContext context, VolumeLeases leases)
    {
        _context = context;
        _exports = new Export.ExportGuards(context);
        _leases = leases;
        _sync = new SyncRound(context);
        _promotion = new ReplicaPromotion(context, _sync);
        _reenable = new ReplicationReenable(context, _sync);
    }

    public IReadOnlyList<VolumeReplica> List(VolumeQuery query)
    {
        List<(VolumeRecord Volume, TimeSpan? RpoTarget)> volumes;
        IReadOnlyList<BackendRecord> backends;
        Dictionary<Guid, RecoveryPointSummary> points;
        using (var session = _context.Store.Begin(write: false))
        {
            VolumeService.CheckFilters(session, query);
            var targets = new Health.RpoTargets(session);
            volumes = session.ListVolumes(query).Select(v => (v, targets.For(v.VolumeType))).ToList();
            backends = session.ListBackends();
            points = session.ListRecoveryPointSummaries(volumes.Select(v => v.Volume.Id).ToList()).ToDictionary(p => p.VolumeId);
        }

        // The exports are asked outside the transaction: a service's answer may take a moment.
        var now = _context.Now;
        var pending = _exports.PendingBytes(volumes.Select(v => VolumeSnapshot.Load(v.Volume, backends)));
        return volumes.Select(v => VolumeViews.ToReplica(v.Volume, now, v.RpoTarget, PendingOf(pending, v.Volume), points.TryGetValue(v.Volume.Id, out var kept) ? kept : null)).ToList();
    }

    public VolumeReplica Get(string name)
    {
        VolumeSnapshot snapshot;
        TimeSpan? rpoTarget;
        RecoveryPointSummary? points;
        using (var session = _context.Store.Begin(write: false))
        {
            snapshot = VolumeSnapshot.Load(session, VolumeSnapshot.FindVolume(session, name));
            rpoTarget = new Health.RpoTargets(session).For(snapshot.Volume.VolumeType);
            points = session.ListRecoveryPointSummaries(new[] { snapshot.Volume.Id }).SingleOrDefault();
        }

        return VolumeViews.ToReplica(snapshot.Volume, _context.Now, rpoTarget, PendingOf(_exports.PendingBytes(new[] { snapshot }), snapshot.Volume), points);
    }

    /// <summary>
    /// One summary of <paramref name="replicas"/> (Measure-VolumeReplica), with the figures of their sync rounds since
    /// <paramref name="roundsSince"/>, summed by the state store in one query.
    /// </summary>
    public Health.ReplicationHealthSummary Measure(IReadOnlyCollection<VolumeReplica> replicas, DateTimeOffset roundsSince)
    {
        IReadOnlyList<RoundFigures> rounds;
        using (var session = _context.Store.Begin(write: false))
        {
            rounds = replicas.Count == 0 ? Array.Empty<RoundFigures>() : session.ListRoundFigures(roundsSince);
        }

        return Health.ReplicationHealthSummary.Measure(replicas, _context.Now, rounds.ToDictionary(r => r.VolumeId), roundsSince);
    }

    private static long? PendingOf(Dictionary<Guid, long> pending, VolumeRecord volume) =>
        pending.TryGetValue(volume.Id, out var bytes) ? bytes : null;

    /// <summary>Brings the replica up to date with the primary: only blocks changed since the last round are written.</summary>
    /// <param name="forceRead">Read the primary even when its size and modification time say it is unchanged.</param>
    public SyncResult Sync(string name, bool forceRead, IOperationObserver observer, CancellationToken cancellation)
    {
        using var lease = _leases.Acquire(name, "SyncReplica", observer, cancellation);
        return SyncHeld(VolumeSnapshot.Load(_context.Store, name), forceRead, observer, cancellation, batch: null)!;
    }

    /// <summary>A batch for a run of rounds over many volumes, whose records are committed together (see <see cref="SyncBatch"/>).</summary>
    public SyncBatch BeginBatch() => new(_sync);

    /// <summary>
    /// <see cref="Sync(string, bool, IOperationObserver, CancellationToken)"/> as part of <paramref name="batch"/>: returns
    /// the results recorded now, in the order their rounds ran (none while this round waits for the batch's commit; the
    /// caller flushes the batch at the end of its run).
    /// </summary>
    public IReadOnlyList<SyncResult> Sync(string name, bool forceRead, SyncBatch batch, IOperationObserver observer, CancellationToken cancellation)
    {
        IReadOnlyList<SyncResult> flushed = Array.Empty<SyncResult>();
        IDisposable lease;
        try
        {
            lease = _leases.Acquire(name, "SyncReplica", observer, cancellation, wait: batch.Waiting > 0 ? TimeSpan.Zero : null);
        }
        catch (ReplicationException ex) when (ex.ErrorId == ErrorIds.VolumeBusy && batch.Waiting > 0)
        {
            // The batch itself may hold this volume's lease (it came down the pipeline twice): record what waits, then ask again.
            flushed = batch.Flush();
            lease = _leases.Acquire(name, "SyncReplica", observer, cancellation);
        }

        return flushed.Concat(InBatch(batch, lease, () => VolumeSnapshot.Load(_context.Store, name), forceRead, observer, cancellation)).ToList();
    }

    /// <summary>
    /// One host's share of a run that several hosts make over the same volumes (each on its own schedule): syncs the
    /// volume unless another operation holds it now (this never waits for it) or a round started at or after
    /// <paramref name="runStartedAt"/> already, which is another host's round of the same run. Null when skipped; the
    /// observer says why.
    /// </summary>
    public SyncResult? SyncUnlessBusy(string name, bool forceRead, DateTimeOffset runStartedAt, IOperationObserver observer, CancellationToken cancellation) =>
        SyncUnlessBusy(name, forceRead, runStartedAt, batch: null, observer, cancellation).SingleOrDefault();

    /// <summary><see cref="SyncUnlessBusy(string, bool, DateTimeOffset, IOperationObserver, CancellationToken)"/> as part of <paramref name="batch"/>.</summary>
    public IReadOnlyList<SyncResult> SyncUnlessBusy(string name, bool forceRead, DateTimeOffset runStartedAt, SyncBatch? batch, IOperationObserver observer, CancellationToken cancellation)
    {
        IDisposable lease;
        try
        {
            lease = _leases.Acquire(name, "SyncReplica", observer, cancellation, wait: TimeSpan.Zero);
        }
        catch (ReplicationException ex) when (ex.ErrorId == ErrorIds.VolumeBusy)
        {
            observer.Decision($"Skipped without waiting: {ex.Message}");
            return Array.Empty<SyncResult>();
        }

        var snapshot = VolumeSnapshot.Load(_context.Store, name);
        if (snapshot.Volume.LastSyncStartedAt is { } lastRound && lastRound >= runStartedAt)
        {
            lease.Dispose();
            observer.Decision($"Skipped '{snapshot.Volume.Name}': a round that started at {lastRound:u}, after this run began ({runStartedAt:u}), already brought its replica up to date.");
            return Array.Empty<SyncResult>();
        }

        if (batch is null)
        {
            using (lease)
            {
                return new[] { SyncHeld(snapshot, forceRead, observer, cancellation, batch: null)! };
            }
        }

        return InBatch(batch, lease, () => snapshot, forceRead, observer, cancellation);
    }

    /// <summary>
    /// Runs a round under <paramref name="lease"/>: a round that waits for the batch's record hands its lease to the
    /// batch; any other gives it back. The batch is flushed before a round recorded on its own (so results come out in
    /// the order the rounds ran) and when it is due.
    /// </summary>
    private IReadOnlyList<SyncResult> InBatch(SyncBatch batch, IDisposable lease, Func<VolumeSnapshot> load, bool forceRead, IOperationObserver observer, CancellationToken cancellation)
    {
        SyncResult? result;
        try
        {
            result = SyncHeld(load(), forceRead, observer, cancellation, batch);
        }
        catch
        {
            lease.Dispose();
            throw;
        }

        if (result is null)
        {
            batch.Hold(lease);
            return batch.Due ? batch.Flush() : Array.Empty<SyncResult>();
        }

        lease.Dispose();
        return batch.Flush().Append(result).ToList();
    }

    private SyncResult? SyncHeld(VolumeSnapshot snapshot, bool forceRead, IOperationObserver observer, CancellationToken cancellation, SyncBatch? batch)
    {
        GroupCatalog.RequireNotGroupMember(snapshot.Volume, "synced", "Sync-VolumeReplica");
        ReplicationRules.RequireSyncable(snapshot.Volume);
        // A frozen backend keeps replicating; a failed-over one is down.
        BackendRules.RequireNotFailedOver(snapshot.ReplicaBackend, "a sync round");
        if (snapshot.Volume.ReplicationStatus == ReplicationStatus.Active && _exports.IsMirroring(snapshot))
        {
            observer.Decision($"'{snapshot.Volume.Name}' is replicated synchronously by its export: every acknowledged write is on both copies already, so no round is needed and nothing was read.");
            return Mirrored(snapshot.Volume);
        }

        return batch is null
            ? _sync.Run(snapshot, ReplicationStatus.Active, forceRead, "SyncReplica", observer, cancellation)
            : _sync.RunOrDefer(snapshot, forceRead, "SyncReplica", observer, cancellation, batch);
    }

    /// <summary>What a sync of a volume whose export mirrors every write reports: nothing to copy, the replica current as of now.</summary>
    private SyncResult Mirrored(VolumeRecord volume) => new()
    {
        VolumeName = volume.Name,
        PrimaryBackend = volume.Backend,
        ReplicaBackend = volume.ReplicaBackend ?? "",
        Mode = SyncMode.Mirrored.ToString(),
        Status = volume.ReplicationStatus.ToCinder(),
        DataTimestamp = _context.Now,
        SyncGeneration = volume.SyncGeneration,
    };

    /// <summary>
    /// Makes the replica the primary (failover). Planned: a final sync first that compares the primary with the replica's
    /// real blocks and repairs them, refused if it fails. Unplanned: the replica's real blocks are checked against its
    /// recorded round first, and a damaged replica is refused (ReplicaDamaged) unless <paramref name="allowDamagedReplica"/>.
    /// </summary>
    /// <param name="recoveryPoint">Roll the replica back to this recovery point's round before it is promoted (unplanned); the newer points are dropped.</param>
    public PromotionResult Promote(string name, bool planned, IOperationObserver observer, CancellationToken cancellation, bool allowDamagedReplica = false, long? recoveryPoint = null)
    {
        using (var read = _context.Store.Begin(write: false))
        {
            GroupCatalog.RequireNotGroupMember(VolumeSnapshot.FindVolume(read, name), "promoted", "Invoke-ReplicaPromotion");
        }

        return Promote(name, planned, observer, cancellation, failoverSource: null, duringFailback: false, allowDamagedReplica, recoveryPoint);
    }

    internal PromotionResult Promote(string name, bool planned, IOperationObserver observer, CancellationToken cancellation, string? failoverSource, bool duringFailback, bool allowDamagedReplica,
        long? recoveryPoint = null)
    {
        using var lease = _leases.Acquire(name, "PromoteReplica", observer, cancellation);
        return _promotion.Promote(name, planned, observer, cancellation, failoverSource, duringFailback, allowDamagedReplica, recoveryPoint);
    }

    /// <summary>
    /// Resumes paused replication, or re-creates the replica after a promotion or fault (reversing the direction after a
    /// promotion). Returns the round that made the replica consistent again: what it read and wrote.
    /// </summary>
    /// <param name="discardFencedWrites">Overwrite a fenced former primary even if it may hold writes made after it was fenced.</param>
    public SyncResult Enable(string name, IOperationObserver observer, CancellationToken cancellation, bool discardFencedWrites = false)
    {
        using (_leases.Acquire(name, "EnableReplication", observer, cancellation))
        {
            using (var read = _context.Store.Begin(write: false))
            {
                GroupCatalog.RequireNotGroupMember(VolumeSnapshot.FindVolume(read, name), "re-enabled", "Enable-Replication");
            }

            return _reenable.Enable(name, discardFencedWrites, observer, cancellation);
        }
    }

    /// <summary>Pauses replication (active-stopped): the replica keeps its last round and can still be promoted or cloned.</summary>
    public VolumeReplica Disable(string name, IOperationObserver? observer = null, CancellationToken cancellation = default)
    {
        using (_leases.Acquire(name, "DisableReplication", observer ?? SilentObserver.Instance, cancellation))
        {
            var snapshot = VolumeSnapshot.Load(_context.Store, name);
            GroupCatalog.RequireNotGroupMember(snapshot.Volume, "paused", "Disable-Replication");
            ReplicationRules.RequirePausable(snapshot.Volume);
            snapshot.RequireChangeable("pausing replication", replicaMayBeFailedOver: true);
            // A mirroring export stops between two writes and records the pause itself, so no write reaches the replica after it.
            if (_exports.PauseMirroring(snapshot))
            {
                (observer ?? SilentObserver.Instance).Decision($"'{name}': its export stopped mirroring writes; the replica holds every write acknowledged until the pause.");
                return Get(name);
            }

            PauseHeld(name);
        }

        return Get(name);
    }

    /// <summary>Records the pause, the volume's rules checked again inside the transaction.</summary>
    private void PauseHeld(string name)
    {
        using (var session = _context.Store.Begin(write: true))
        {
            var volume = VolumeSnapshot.FindVolume(session, name);
            GroupCatalog.RequireNotGroupMember(volume, "paused", "Disable-Replication");
            ReplicationRules.RequirePausable(volume);
            VolumeSnapshot.Load(session, volume).RequireChangeable("pausing replication", replicaMayBeFailedOver: true);
            var paused = volume with
            {
                ReplicationStatus = ReplicationStatus.ActiveStopped,
                ReplicationExtendedStatus = $"Paused at {_context.Now:u}; the {SyncRound.ReplicaHolds(volume.LastSyncStartedAt, volume.LastSyncRaced)}. Enable-Replication resumes.",
            };
            ReplicationStateMachine.Update(session, volume, paused);
            session.AppendEvent(_context.Event("DisableReplication", "Volume", volume.Name, paused.ReplicationExtendedStatus, volume.Id, volume.ReplicationStatus, paused.ReplicationStatus));
            session.Commit();
        }
    }

    internal SyncRound Rounds => _sync;

    internal ReplicationReenable Reenable => _reenable;

    internal ReplicaPromotion Promotion => _promotion;

    /// <summary>Completes an interrupted round before something reads the replica (a clone of it, for example).</summary>
    internal void FinishInterrupted(string name, IOperationObserver observer) =>
        _sync.FinishInterrupted(VolumeSnapshot.Load(_context.Store, name), observer);
}
