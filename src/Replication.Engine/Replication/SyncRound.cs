using System.Threading;
using System;
using Replication.Engine.Diagnostics;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Model;
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

    public SyncRound(EngineContext context) => _context = context;

    /// <param name="statusAfter">The status a successful round leaves (active, or active-stopped for a paused volume's final round).</param>
    public SyncResult Run(VolumeSnapshot snapshot, ReplicationStatus statusAfter, bool forceRead, string operation, IOperationObserver observer, CancellationToken cancellation)
    {
        var volume = FinishInterrupted(snapshot, observer);
        snapshot = VolumeSnapshot.Load(_context.Store, volume.Name);
        volume = snapshot.Volume;
        var driver = _context.Drivers.Get(snapshot.PrimaryBackend.Driver);
        var consistent = volume.ReplicationStatus is ReplicationStatus.Active or ReplicationStatus.ActiveStopped;
        BlockMap? map = null;
        if (consistent)
        {
            using var read = _context.Store.Begin(write: false);
            map = read.LoadBlockMap(volume.Id);
        }
        else
        {
            driver.DiscardSyncJournal(snapshot.Replica, volume.Id);
        }

        var request = new ReplicaSyncRequest
        {
            VolumeId = volume.Id,
            VolumeName = volume.Name,
            SizeBytes = volume.SizeBytes,
            Source = snapshot.Primary,
            Target = snapshot.Replica,
            PreviousMap = map,
            PreviousDriverData = map is null ? null : volume.ReplicationDriverData,
            Journaled = map is not null,
            ForceRead = forceRead,
            Generation = volume.SyncGeneration + 1,
            StartedAt = _context.Now,
        };
        observer.Decision(map is null
            ? $"'{volume.Name}' is {volume.ReplicationStatus.ToCinder()}: the replica is not a consistent copy, so blocks that differ are written to it directly."
            : $"'{volume.Name}' has a consistent replica: changed blocks go through a journal, so the replica never holds half a round.");

        ReplicaSyncOutcome outcome;
        try
        {
            outcome = driver.SyncReplica(request, observer, cancellation);
        }
        catch (ReplicationException ex)
        {
            RecordFailure(volume, ex, operation);
            throw;
        }

        var recorded = Record(volume, outcome, statusAfter, operation, $"{outcome.Mode} round");
        CrashPoints.Hit("sync.after-record");
        if (request.Journaled)
        {
            driver.DiscardSyncJournal(snapshot.Replica, volume.Id);
        }

        return new SyncResult
        {
            VolumeName = recorded.Name,
            PrimaryBackend = recorded.Backend,
            ReplicaBackend = recorded.ReplicaBackend ?? "",
            Mode = outcome.Mode,
            Status = recorded.ReplicationStatus,
            BytesRead = outcome.BytesRead,
            BytesWritten = outcome.BytesWritten,
            BlocksWritten = outcome.BlocksWritten,
            BlocksDeallocated = outcome.BlocksDeallocated,
            DataTimestamp = outcome.StartedAt,
            Duration = _context.Now - request.StartedAt,
            SyncGeneration = recorded.SyncGeneration,
        };
    }

    /// <summary>
    /// Completes a round whose journal was committed but not recorded (the process died, or the replica failed while it
    /// was applied), so the replica is again exactly one recorded round. Returns the volume as now recorded.
    /// </summary>
    public VolumeRecord FinishInterrupted(VolumeSnapshot snapshot, IOperationObserver observer)
    {
        var volume = snapshot.Volume;
        if (volume.ReplicaBackend is null || volume.ReplicationStatus is not (ReplicationStatus.Active or ReplicationStatus.ActiveStopped))
        {
            return volume;
        }

        var driver = _context.Drivers.Get(snapshot.PrimaryBackend.Driver);
        ReplicaSyncOutcome? outcome;
        try
        {
            outcome = driver.FinishInterruptedSync(snapshot.Replica, volume.Id);
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
            volume = Record(volume, outcome, volume.ReplicationStatus, "FinishInterruptedSync", "Interrupted round finished");
        }

        driver.DiscardSyncJournal(snapshot.Replica, volume.Id);
        return volume;
    }

    private VolumeRecord Record(VolumeRecord seen, ReplicaSyncOutcome outcome, ReplicationStatus statusAfter, string operation, string what)
    {
        using var session = _context.Store.Begin(write: true);
        var current = VolumeSnapshot.Reread(session, seen);
        EnsureTransition(current, statusAfter);
        var updated = current with
        {
            ReplicationStatus = statusAfter,
            SyncGeneration = outcome.Mode == SyncMode.Unchanged ? current.SyncGeneration : outcome.Generation,
            LastSyncStartedAt = outcome.StartedAt,
            LastSyncCompletedAt = _context.Now,
            ReplicationDriverData = outcome.DriverData,
            ReplicationExtendedStatus = $"{what}: replica holds the primary's data as of {outcome.StartedAt:u}; {outcome.BlocksWritten} blocks written, {outcome.BlocksDeallocated} deallocated.",
        };
        if (outcome.NewMap is not null)
        {
            session.SaveBlockMap(current.Id, outcome.NewMap);
        }

        session.UpdateVolume(updated);
        session.AppendEvent(_context.Event(operation, "Volume", current.Name, updated.ReplicationExtendedStatus!, current.Id, current.ReplicationStatus, statusAfter));
        session.Commit();
        return updated;
    }

    /// <summary>
    /// A primary that cannot be read says nothing about the replica, which still holds its last round: the status stays
    /// and the extended status tells. Any other fault is on the replica side: the status becomes error.
    /// </summary>
    internal void RecordFailure(VolumeRecord seen, ReplicationException failure, string operation)
    {
        using var session = _context.Store.Begin(write: true);
        var current = session.FindVolume(seen.Id);
        if (current is null)
        {
            return;
        }

        var replicaFault = failure.ErrorId != ErrorIds.PrimaryUnreadable;
        var statusAfter = replicaFault ? ReplicationStatus.Error : current.ReplicationStatus;
        EnsureTransition(current, statusAfter);
        var updated = current with
        {
            ReplicationStatus = statusAfter,
            ReplicationExtendedStatus = $"{operation} failed at {_context.Now:u} ({failure.ErrorId}): {failure.Message}",
        };
        session.UpdateVolume(updated);
        session.AppendEvent(_context.Event(operation + "Failed", "Volume", current.Name, updated.ReplicationExtendedStatus, current.Id, current.ReplicationStatus, statusAfter));
        session.Commit();
    }

    internal static void EnsureTransition(VolumeRecord volume, ReplicationStatus to)
    {
        if (!ReplicationStateMachine.CanMove(volume.ReplicationStatus, to))
        {
            throw new InvalidOperationException($"The engine tried to move volume '{volume.Name}' from {volume.ReplicationStatus.ToCinder()} to {to.ToCinder()}, which the state machine forbids.");
        }
    }
}
