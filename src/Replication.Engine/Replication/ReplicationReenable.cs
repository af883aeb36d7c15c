using System.Threading;
using Replication.Engine.Catalog;
using Replication.Engine.Diagnostics;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Rules;
using Replication.Engine.State;

namespace Replication.Engine.Replication;

/// <summary>
/// Enable-Replication: resumes a paused replica, or (after a promotion or a fault) makes the other copy a replica again,
/// writing only the blocks that differ, and reverses the direction after a promotion.
/// </summary>
internal sealed class ReplicationReenable
{
    private readonly EngineContext _context;
    private readonly SyncRound _sync;

    public ReplicationReenable(EngineContext context, SyncRound sync)
    {
        _context = context;
        _sync = sync;
    }

    /// <param name="discardFencedWrites">Overwrite a fenced former primary even if it may hold writes made after it was fenced.</param>
    /// <param name="duringFailback">Set by backend failback, which re-enables onto the backend it is bringing back.</param>
    public SyncResult Enable(string name, bool discardFencedWrites, IOperationObserver observer, CancellationToken cancellation, bool duringFailback = false)
    {
        var snapshot = VolumeSnapshot.Load(_context.Store, name);
        var volume = snapshot.Volume;
        ReplicationRules.RequireReenableable(volume);
        snapshot.RequireChangeable("re-enabling replication", replicaMayBeFailedOver: duringFailback);
        if (volume.ReplicationStatus == ReplicationStatus.ActiveStopped)
        {
            // Paused, the replica may have been changed on disk with its file times kept: the round compares its real blocks.
            observer.Decision($"'{volume.Name}' was paused with a consistent replica: one journaled round that compares the replica's real blocks with the primary brings it up to date and replication resumes.");
            return _sync.Run(snapshot, ReplicationStatus.Active, forceRead: true, "ResumeReplication", observer, cancellation);
        }

        if (volume.ReplicationStatus == ReplicationStatus.Copying)
        {
            observer.Decision($"'{volume.Name}' is already copying (an earlier re-enable was interrupted): the copy is finished now.");
            return _sync.Run(snapshot, ReplicationStatus.Active, forceRead: true, "EnableReplication", observer, cancellation);
        }

        var copying = StartCopying(volume, discardFencedWrites, observer);
        CrashPoints.Hit("enable.after-copying");
        return _sync.Run(VolumeSnapshot.Load(_context.Store, copying.Name), ReplicationStatus.Active, forceRead: true, "EnableReplication", observer, cancellation);
    }

    /// <summary>Records the move to copying and lifts a fence.</summary>
    private VolumeRecord StartCopying(VolumeRecord seen, bool discardFencedWrites, IOperationObserver observer)
    {
        using var session = _context.Store.Begin(write: true);
        var current = VolumeSnapshot.Reread(session, seen);
        var backends = session.ListBackends();
        var primaryBackend = BackendCatalog.Find(backends, current.Backend);
        var partner = BackendCatalog.PartnerOf(primaryBackend, backends) ?? throw new ReplicationException(ErrorIds.InvalidReplicationPartner, ErrorKind.InvalidOperation,
            $"Backend '{primaryBackend.Name}' has no mutual replication partner now, so '{current.Name}' cannot be replicated. Pair it with New-StorageBackend -ReplicationPartner on both sides.", current.Name);
        if (!string.Equals(current.ReplicaBackend, partner.Name, System.StringComparison.OrdinalIgnoreCase))
        {
            throw new ReplicationException(ErrorIds.InvalidReplicationPartner, ErrorKind.InvalidOperation,
                $"The replica of '{current.Name}' is on '{current.ReplicaBackend}', but '{primaryBackend.Name}' now pairs with '{partner.Name}'. Restore the pairing first.", current.Name);
        }

        var driver = _context.Drivers.Get(primaryBackend.Driver);
        var target = new Drivers.VolumeCopy(partner, current.ReplicaLocation!);
        // A copy its own storage fenced later (it could not be reached at the promotion) may say nothing wrote to it since.
        var fenceStamp = current.FenceStamp ?? (current.ReplicaFenced ? FenceEpochs.CleanFenceStamp(_context, target) : null);
        if (current.ReplicaFenced && !discardFencedWrites && driver.CopyStamp(target) is { } stamp && stamp != fenceStamp)
        {
            throw new ReplicationException(ErrorIds.FencedCopyChanged, ErrorKind.InvalidOperation,
                $"Rule: a fenced former primary is never overwritten silently. The copy of '{current.Name}' on '{partner.Name}' " +
                (fenceStamp is null ? "could not be fenced on disk when it was promoted away, so it may hold writes made after the failover." : "was written after it was fenced.") +
                $" Copy '{driver.ConnectionPath(target)}' aside if you need those writes, then run Enable-Replication with -DiscardFencedWrites to replicate '{primaryBackend.Name}' -> '{partner.Name}' over it.", current.Name);
        }

        var updated = current with
        {
            ReplicaFenced = false,
            FenceStamp = null,
            FenceEpoch = current.FenceEpoch + 1,
            ReplicationStatus = ReplicationStatus.Copying,
            ReplicationDriverData = null,
            ReplicationExtendedStatus = current.ReplicaFenced
                ? $"Re-enabled: replicating '{current.Backend}' -> '{partner.Name}', over the former primary; only differing blocks are written."
                : $"Re-enabled: copying '{current.Backend}' -> '{partner.Name}'; only differing blocks are written.",
        };
        if (current.ReplicaFenced)
        {
            // Lift the fence before recording, so a failure here changes nothing.
            driver.Unfence(target);
        }

        observer.Decision(updated.ReplicationExtendedStatus!);
        session.DeleteBlockMap(current.Id);
        ReplicationStateMachine.Update(session, current, updated);
        session.AppendEvent(_context.Event("EnableReplication", "Volume", current.Name, updated.ReplicationExtendedStatus!, current.Id, current.ReplicationStatus, ReplicationStatus.Copying));
        session.Commit();
        return updated;
    }
}
