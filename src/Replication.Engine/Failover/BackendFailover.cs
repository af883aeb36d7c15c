using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Replication.Engine.Catalog;
using Replication.Engine.Errors;
using Replication.Engine.Groups;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.Rules;
using Replication.Engine.State;

namespace Replication.Engine.Failover;

/// <summary>
/// Whole-site failover and failback (Cinder v2.1's failover_host and failback to "default"): every replicated volume
/// served from a failed backend is promoted on its partner, several at a time; failback resyncs only the changed blocks,
/// switches each volume back with a planned promotion and replicates it the original way again. The observer may be
/// called from several threads at once.
/// </summary>
public sealed class BackendFailover
{
    private readonly EngineContext _context;
    private readonly ReplicationService _replication;
    private readonly ReplicationReenable _reenable;
    private readonly VolumeLeases _leases;
    private readonly GroupOperations _groups;

    internal BackendFailover(EngineContext context, ReplicationService replication, ReplicationReenable reenable, VolumeLeases leases, GroupOperations groups)
    {
        _context = context;
        _replication = replication;
        _reenable = reenable;
        _leases = leases;
        _groups = groups;
    }

    /// <summary>
    /// Marks the backend failed over (no new volumes go there), then promotes every replicated volume served from it.
    /// Planned: each volume's final sync first, nothing lost; unplanned: promoted as is, each result says what was lost.
    /// Volumes that are not replicated, or whose replica is not consistent, are reported, not touched. An unplanned
    /// failover checks each replica's content first and leaves a damaged one where it is (reported, marked) unless
    /// <paramref name="allowDamagedReplica"/>.
    /// </summary>
    public void FailOver(string backendName, bool planned, int throttle, IOperationObserver observer, Action<BackendFailoverResult> report, CancellationToken cancellation,
        bool allowDamagedReplica = false)
    {
        var (backend, volumes) = MarkFailedOver(backendName, observer);
        // A replication group fails over as one unit, so its members keep their common point.
        foreach (var group in volumes.Where(v => v.GroupName is not null && v.ReplicaBackend is not null).GroupBy(v => v.GroupName!, StringComparer.OrdinalIgnoreCase))
        {
            ForGroup(backend, group.Key, group.ToList(), report, () => _groups.Promote(group.Key, planned, observer, cancellation, failoverSource: backend.Name, allowDamagedReplica: allowDamagedReplica)
                .Select(p => (p.VolumeName, p.PrimaryBackend, (double?)p.DataLossWindow.TotalSeconds, p.FinalSyncBytesWritten)), "FailedOver");
        }

        ForEachVolume(backend.Name, volumes.Where(v => v.GroupName is null || v.ReplicaBackend is null).ToList(), throttle, cancellation,
            volume => FailOverVolume(backend, volume, planned, allowDamagedReplica, observer, cancellation), report);
    }

    /// <summary>
    /// Brings a failed-over backend back: each volume it lost is resynced to it (only changed blocks), promoted back with a
    /// final sync, and replicated the original way; volumes made on the partner meanwhile get their replica on it. The
    /// backend is marked active again when every volume is back.
    /// </summary>
    public void FailBack(string backendName, bool discardFencedWrites, int throttle, IOperationObserver observer, Action<BackendFailoverResult> report, CancellationToken cancellation)
    {
        BackendRecord backend;
        IReadOnlyList<VolumeRecord> volumes;
        using (var read = _context.Store.Begin(write: false))
        {
            backend = read.FindBackend(backendName) ?? throw BackendCatalog.NotFound(backendName);
            volumes = read.ListVolumes(new VolumeQuery { Backend = backend.Name });
        }

        if (backend.FailedOverAt is null)
        {
            throw new ReplicationException(ErrorIds.BackendNotFailedOver, ErrorKind.InvalidOperation,
                $"Rule: only a failed-over backend can fail back. Backend '{backend.Name}' is not failed over.", backend.Name);
        }

        BackendRules.RequireNotFrozen(backend, "a failback");
        _context.Drivers.Get(backend.Driver).ListLocations(backend); // Throws while the site is still down.
        var results = new List<BackendFailoverResult>();
        void Collect(BackendFailoverResult r)
        {
            // Volumes are failed back in parallel.
            lock (results)
            {
                results.Add(r);
            }

            report(r);
        }

        var movedBack = volumes.Where(v => string.Equals(v.FailoverSource, backend.Name, StringComparison.OrdinalIgnoreCase)).ToList();
        foreach (var group in movedBack.Where(v => v.GroupName is not null).GroupBy(v => v.GroupName!, StringComparer.OrdinalIgnoreCase))
        {
            ForGroup(backend, group.Key, group.ToList(), Collect, () => FailBackGroup(backend, group.Key, discardFencedWrites, observer, cancellation), "FailedBack");
        }

        movedBack = movedBack.Where(v => v.GroupName is null).ToList();
        var unprotected = volumes.Where(v => v.FailoverSource is null && string.Equals(v.ReplicaBackend, backend.Name, StringComparison.OrdinalIgnoreCase)
            && v.ReplicationStatus == ReplicationStatus.Inactive && !v.ReplicaFenced).ToList();
        ForEachVolume(backend.Name, movedBack, throttle, cancellation, volume => FailBackVolume(backend, volume, discardFencedWrites, observer, cancellation), Collect);
        ForEachVolume(backend.Name, unprotected, throttle, cancellation, volume => Protect(backend, volume, observer, cancellation), Collect);
        if (results.All(r => r.Succeeded))
        {
            using var session = _context.Store.Begin(write: true);
            var current = session.FindBackend(backend.Name)!;
            session.UpdateBackend(current with { FailedOverAt = null });
            session.AppendEvent(_context.Event("FailBackBackend", "Backend", backend.Name, $"Backend '{backend.Name}' failed back: {movedBack.Count} volume(s) served from it again, {unprotected.Count} protected on it."));
            session.Commit();
            observer.Decision($"Backend '{backend.Name}' is active again.");
        }
        else
        {
            observer.Decision($"Backend '{backend.Name}' stays failed over: {results.Count(r => !r.Succeeded)} volume(s) did not fail back; run Invoke-BackendFailback again once their faults are fixed.");
        }
    }

    private (BackendRecord Backend, IReadOnlyList<VolumeRecord> Volumes) MarkFailedOver(string backendName, IOperationObserver observer)
    {
        using var session = _context.Store.Begin(write: true);
        var backend = session.FindBackend(backendName) ?? throw BackendCatalog.NotFound(backendName);
        BackendRules.RequireNotFrozen(backend, "a failover");
        var partner = BackendCatalog.PartnerOf(backend, session.ListBackends()) ?? throw new ReplicationException(ErrorIds.InvalidReplicationPartner, ErrorKind.InvalidOperation,
            $"Backend '{backend.Name}' has no mutual replication partner to fail over to.", backend.Name);
        BackendRules.RequireNotFailedOver(partner, "a failover onto it");
        var volumes = session.ListVolumes(new VolumeQuery { Backend = backend.Name }).Where(v => string.Equals(v.Backend, backend.Name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (backend.FailedOverAt is null)
        {
            backend = backend with { FailedOverAt = _context.Now };
            session.UpdateBackend(backend);
            session.AppendEvent(_context.Event("FailOverBackend", "Backend", backend.Name, $"Backend '{backend.Name}' failed over to '{partner.Name}': {volumes.Count} volume(s) served from it."));
        }

        session.Commit();
        observer.Decision($"Backend '{backend.Name}' is marked failed over: new volumes go to '{partner.Name}', nothing is written to '{backend.Name}' until failback.");
        return (backend, volumes);
    }

    private BackendFailoverResult FailOverVolume(BackendRecord backend, VolumeRecord volume, bool planned, bool allowDamagedReplica, IOperationObserver observer, CancellationToken cancellation)
    {
        if (volume.ReplicaBackend is null)
        {
            return Result(backend, volume, "NotReplicated", succeeded: false, volume.Backend,
                $"'{volume.Name}' has no replica: it is unavailable until '{backend.Name}' is back.");
        }

        if (volume.ReplicationStatus is not (ReplicationStatus.Active or ReplicationStatus.ActiveStopped))
        {
            return Result(backend, volume, "NotFailedOver", succeeded: false, volume.Backend,
                $"Its replica is {volume.ReplicationStatus.ToCinder()}, not a consistent copy to promote.");
        }

        var promotion = _replication.Promote(volume.Name, planned, observer, cancellation, failoverSource: backend.Name, duringFailback: false, allowDamagedReplica);
        return new BackendFailoverResult
        {
            Backend = backend.Name,
            VolumeName = volume.Name,
            Action = "FailedOver",
            Succeeded = true,
            PrimaryBackend = promotion.PrimaryBackend,
            DataLossSeconds = promotion.DataLossWindow.TotalSeconds,
            BytesCopied = promotion.FinalSyncBytesWritten,
            Detail = Detail(promotion),
        };
    }

    /// <summary>
    /// Moves one volume back and protects it the original way. Each step is recorded on its own, so running failback again
    /// after an interruption picks up where it stopped: a volume already served from the backend is not moved again.
    /// </summary>
    private BackendFailoverResult FailBackVolume(BackendRecord backend, VolumeRecord volume, bool discardFencedWrites, IOperationObserver observer, CancellationToken cancellation)
    {
        long copied = 0;
        if (!string.Equals(volume.Backend, backend.Name, StringComparison.OrdinalIgnoreCase))
        {
            if (volume.ReplicationStatus is not (ReplicationStatus.Active or ReplicationStatus.ActiveStopped))
            {
                // Resync the survivor's copy onto the returning backend first: only the blocks that differ.
                using (_leases.Acquire(volume.Name, "FailBack", observer, cancellation))
                {
                    copied += _reenable.Enable(volume.Name, discardFencedWrites, observer, cancellation, duringFailback: true).BytesWritten;
                }
            }

            copied += _replication.Promote(volume.Name, planned: true, observer, cancellation, failoverSource: null, duringFailback: true, allowDamagedReplica: false).FinalSyncBytesWritten;
        }

        using (_leases.Acquire(volume.Name, "FailBack", observer, cancellation))
        {
            VolumeRecord current;
            using (var read = _context.Store.Begin(write: false))
            {
                current = read.FindVolume(volume.Id)!;
            }

            if (current.ReplicationStatus is not (ReplicationStatus.Active or ReplicationStatus.ActiveStopped))
            {
                copied += _reenable.Enable(volume.Name, discardFencedWrites: false, observer, cancellation).BytesWritten;
            }

            using var session = _context.Store.Begin(write: true);
            var stored = session.FindVolume(volume.Id)!;
            ReplicationStateMachine.Update(session, stored, stored with { FailoverSource = null });
            session.Commit();
        }

        return Result(backend, volume, "FailedBack", succeeded: true, backend.Name, "Resynced, switched back with a final sync, replicating the original way again.", copied);
    }

    /// <summary>A group's failback: resync it onto the backend, promote it back as one unit, and replicate it the original way.</summary>
    private IEnumerable<(string Volume, string Primary, double? DataLossSeconds, long Bytes)> FailBackGroup(BackendRecord backend, string group, bool discardFencedWrites, IOperationObserver observer, CancellationToken cancellation)
    {
        var copied = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        void Add(IEnumerable<SyncResult> rounds)
        {
            foreach (var round in rounds)
            {
                copied[round.VolumeName] = (copied.TryGetValue(round.VolumeName, out var bytes) ? bytes : 0) + round.BytesWritten;
            }
        }

        var members = _groups.Members(group);
        if (members.Any(m => !string.Equals(m.Volume.Backend, backend.Name, StringComparison.OrdinalIgnoreCase)))
        {
            if (members.Any(m => m.Volume.ReplicationStatus is not (ReplicationStatus.Active or ReplicationStatus.ActiveStopped)))
            {
                Add(_groups.Enable(group, discardFencedWrites, observer, cancellation, duringFailback: true));
            }

            foreach (var promotion in _groups.Promote(group, planned: true, observer, cancellation, duringFailback: true))
            {
                copied[promotion.VolumeName] = (copied.TryGetValue(promotion.VolumeName, out var bytes) ? bytes : 0) + promotion.FinalSyncBytesWritten;
            }
        }

        Add(_groups.Enable(group, discardFencedWrites: false, observer, cancellation));
        using (var session = _context.Store.Begin(write: true))
        {
            foreach (var member in session.ListVolumes(new VolumeQuery { GroupName = group }))
            {
                ReplicationStateMachine.Update(session, member, member with { FailoverSource = null });
            }

            session.Commit();
        }

        return copied.Select(c => (c.Key, backend.Name, (double?)null, c.Value));
    }

    /// <summary>Runs a group's step and reports each member; a failure is every member's result.</summary>
    private static void ForGroup(BackendRecord backend, string group, IReadOnlyList<VolumeRecord> members, Action<BackendFailoverResult> report,
        Func<IEnumerable<(string Volume, string Primary, double? DataLossSeconds, long Bytes)>> step, string action)
    {
        List<(string Volume, string Primary, double? DataLossSeconds, long Bytes)> done;
        try
        {
            done = step().ToList();
        }
        catch (ReplicationException ex)
        {
            foreach (var member in members)
            {
                report(new BackendFailoverResult { Backend = backend.Name, VolumeName = member.Name, Action = "Failed", Succeeded = false, PrimaryBackend = member.Backend, Detail = $"Group '{group}': {ex.ErrorId}: {ex.Message}" });
            }

            return;
        }

        foreach (var (volume, primary, loss, bytes) in done)
        {
            report(new BackendFailoverResult { Backend = backend.Name, VolumeName = volume, Action = action, Succeeded = true, PrimaryBackend = primary, DataLossSeconds = loss, BytesCopied = bytes, Detail = $"With group '{group}', as one unit." });
        }
    }

    private BackendFailoverResult Protect(BackendRecord backend, VolumeRecord volume, IOperationObserver observer, CancellationToken cancellation)
    {
        using (_leases.Acquire(volume.Name, "FailBack", observer, cancellation))
        {
            var round = _reenable.Enable(volume.Name, discardFencedWrites: false, observer, cancellation, duringFailback: true);
            return Result(backend, volume, "Protected", succeeded: true, volume.Backend, $"Made while '{backend.Name}' was failed over; its replica is now on '{backend.Name}'.", round.BytesWritten);
        }
    }

    /// <summary>Runs the work for each volume, at most <paramref name="throttle"/> at once; a failure is that volume's result, not the run's end.</summary>
    private static void ForEachVolume(string backend, IReadOnlyList<VolumeRecord> volumes, int throttle, CancellationToken cancellation, Func<VolumeRecord, BackendFailoverResult> work, Action<BackendFailoverResult> report)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, throttle), CancellationToken = cancellation };
        Parallel.ForEach(volumes.OrderBy(v => v.Name, StringComparer.OrdinalIgnoreCase), options, volume =>
        {
            BackendFailoverResult result;
            try
            {
                result = work(volume);
            }
            catch (ReplicationException ex)
            {
                result = new BackendFailoverResult { Backend = backend, VolumeName = volume.Name, Action = "Failed", Succeeded = false, PrimaryBackend = volume.Backend, Detail = $"{ex.ErrorId}: {ex.Message}" };
            }

            report(result);
        });
    }

    /// <summary>What a promoted volume's result says about its data: nothing lost, or as of when, torn or damaged.</summary>
    private static string Detail(PromotionResult promotion) =>
        (promotion.Planned ? "Final sync done; nothing lost." : $"Data as of {promotion.DataTimestamp:u}.") +
        (promotion.RepairedBlocks > 0 ? $" The final sync repaired {promotion.RepairedBlocks} damaged blocks of the replica." : "") +
        (promotion.CrashConsistent ? "" : " Not a crash-consistent point: the primary was written during its round.") +
        (promotion.DamagedBlocks > 0 ? $" Served with {promotion.DamagedBlocks} damaged blocks ({Humane.Bytes(promotion.DamagedBytes)}), whose data is lost too." : "");

    private static BackendFailoverResult Result(BackendRecord backend, VolumeRecord volume, string action, bool succeeded, string? primary, string detail, long copied = 0) => new()
    {
        Backend = backend.Name,
        VolumeName = volume.Name,
        Action = action,
        Succeeded = succeeded,
        PrimaryBackend = primary,
        BytesCopied = copied,
        Detail = detail,
    };
}
