using System.Threading;
using System;
using Replication.Engine.Diagnostics;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Rules;
using Replication.Engine.State;

namespace Replication.Engine.Replication;

/// <summary>
/// Failover: the replica becomes the primary. The old primary is fenced first (so nothing keeps writing to a copy that
/// is about to stop counting), then the two sides swap in one transaction.
/// </summary>
internal sealed class ReplicaPromotion
{
    private readonly EngineContext _context;
    private readonly SyncRound _sync;
    private readonly Export.ExportGuards _exports;

    public ReplicaPromotion(EngineContext context, SyncRound sync)
    {
        _context = context;
        _sync = sync;
        _exports = new Export.ExportGuards(context);
    }

    /// <param name="failoverSource">Set by a backend failover: recorded on the volume in the same transaction as the swap, so failback finds it.</param>
    /// <param name="duringFailback">Set by backend failback, which promotes back onto the backend it is bringing back.</param>
    public PromotionResult Promote(string name, bool planned, IOperationObserver observer, CancellationToken cancellation, string? failoverSource = null, bool duringFailback = false)
    {
        var snapshot = VolumeSnapshot.Load(_context.Store, name);
        ReplicationRules.RequirePromotable(snapshot.Volume);
        snapshot.RequireChangeable("a promotion", replicaMayBeFailedOver: duringFailback);
        _exports.RequireNotExported(snapshot, "a promotion");
        long finalSyncBytes = 0;
        if (planned)
        {
            finalSyncBytes = FinalSync(snapshot, observer, cancellation).BytesWritten;
        }
        else
        {
            _sync.FinishInterrupted(snapshot, observer);
        }

        snapshot = VolumeSnapshot.Load(_context.Store, name);
        ReplicationRules.RequirePromotable(snapshot.Volume);
        var fence = Fence(snapshot, observer);
        CrashPoints.Hit("promote.after-fence");
        try
        {
            using var session = _context.Store.Begin(write: true);
            var result = Swap(session, snapshot.Volume, fence, planned, _context.Now, failoverSource, duringFailback, finalSyncBytes);
            session.Commit();
            CrashPoints.Hit("promote.after-swap");
            return result;
        }
        catch
        {
            fence.Undo();
            throw;
        }
    }

    /// <summary>
    /// Fences the old primary ahead of the swap, after checking the replica is there to take over: never fence the
    /// old primary in favour of a replica that is gone.
    /// </summary>
    internal FenceOfOldPrimary Fence(VolumeSnapshot snapshot, IOperationObserver observer)
    {
        var driver = _context.Drivers.Get(snapshot.PrimaryBackend.Driver);
        try
        {
            driver.CheckCopy(snapshot.Replica, snapshot.Volume.SizeBytes);
        }
        catch (ReplicationException ex)
        {
            _sync.RecordFailure(snapshot.Volume, ex, "PromoteReplica");
            throw;
        }

        var oldPrimary = snapshot.Primary;
        var fencedOnDisk = driver.Fence(oldPrimary);
        observer.Decision(fencedOnDisk
            ? $"Fenced the old primary {oldPrimary}: its file is read-only now."
            : $"The old primary {oldPrimary} cannot be reached; the fence is recorded in state and no sync will write to or read from it until Enable-Replication.");

        // What the fenced copy looked like right after the fence: re-enable then knows whether anything wrote to it since.
        return new FenceOfOldPrimary(driver, oldPrimary, fencedOnDisk, fencedOnDisk ? driver.CopyStamp(oldPrimary) : null);
    }

    /// <summary>Swaps the two sides of a fenced volume inside the caller's transaction (one volume, or every member of a group at once).</summary>
    internal PromotionResult Swap(IStateSession session, VolumeRecord seen, FenceOfOldPrimary fence, bool planned, DateTimeOffset promotedAt,
        string? failoverSource, bool duringFailback, long finalSyncBytes)
    {
        var current = VolumeSnapshot.Reread(session, seen);
        ReplicationRules.RequirePromotable(current);
        SyncRound.EnsureTransition(current, ReplicationStatus.Inactive);
        var dataTimestamp = current.LastSyncStartedAt ?? current.CreatedAt;
        var lossWindow = planned ? TimeSpan.Zero : promotedAt - dataTimestamp;
        var promoted = current with
        {
            Backend = current.ReplicaBackend!,
            Location = current.ReplicaLocation!,
            ReplicaBackend = current.Backend,
            ReplicaLocation = current.Location,
            ReplicaFenced = true,
            FenceStamp = fence.Stamp,
            FailoverSource = duringFailback ? null : failoverSource ?? current.FailoverSource,
            ReplicationStatus = ReplicationStatus.Inactive,
            ReplicationDriverData = null,
            ReplicationExtendedStatus = $"{(planned ? "Planned" : "Unplanned")} promotion at {promotedAt:u}: served from '{current.ReplicaBackend}' with data as of {dataTimestamp:u}" +
                (planned ? "" : $" (writes to '{current.Backend}' in the last {Humane.Duration(lossWindow)} are not in it)") +
                $"; the copy on '{current.Backend}' is fenced until Enable-Replication.",
        };
        // The map described both copies as of the last round; from now on they diverge.
        session.DeleteBlockMap(current.Id);
        session.UpdateVolume(promoted);
        session.AppendEvent(_context.Event("PromoteReplica", "Volume", current.Name, promoted.ReplicationExtendedStatus, current.Id, current.ReplicationStatus, ReplicationStatus.Inactive));
        return new PromotionResult
        {
            VolumeName = current.Name,
            PrimaryBackend = promoted.Backend,
            FencedBackend = current.Backend,
            Planned = planned,
            DataTimestamp = dataTimestamp,
            DataLossWindow = lossWindow,
            FencedOnDisk = fence.OnDisk,
            Status = ReplicationStatus.Inactive.ToCinder(),
            FinalSyncBytesWritten = finalSyncBytes,
        };
    }

    private SyncResult FinalSync(VolumeSnapshot snapshot, IOperationObserver observer, CancellationToken cancellation)
    {
        observer.Decision($"Planned promotion of '{snapshot.Volume.Name}': a final sync round first, reading the whole primary, so nothing written before now is lost.");
        try
        {
            return _sync.Run(snapshot, snapshot.Volume.ReplicationStatus, forceRead: true, "PlannedPromotionSync", observer, cancellation);
        }
        catch (ReplicationException ex)
        {
            var advice = ex.ErrorId == ErrorIds.PrimaryUnreadable
                ? $"Without -Planned the replica is promoted with its data as of {(snapshot.Volume.LastSyncStartedAt ?? snapshot.Volume.CreatedAt):u}."
                : "The replica side is at fault, so promoting it would not help; see Get-VolumeReplica.";
            throw new ReplicationException(ErrorIds.PlannedPromotionFailed, ErrorKind.ResourceUnavailable,
                $"The planned promotion of '{snapshot.Volume.Name}' was refused because its final sync failed ({ex.ErrorId}: {ex.Message}). Nothing was promoted. {advice}", snapshot.Volume.Name, ex);
        }
    }
}
