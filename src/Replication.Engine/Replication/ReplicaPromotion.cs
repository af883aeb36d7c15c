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
    private readonly ReplicaCheck _check;
    private readonly Export.ExportGuards _exports;

    public ReplicaPromotion(EngineContext context, SyncRound sync)
    {
        _context = context;
        _sync = sync;
        _check = new ReplicaCheck(context);
        _exports = new Export.ExportGuards(context);
    }

    /// <param name="failoverSource">Set by a backend failover: recorded on the volume in the same transaction as the swap, so failback finds it.</param>
    /// <param name="duringFailback">Set by backend failback, which promotes back onto the backend it is bringing back.</param>
    /// <param name="allowDamagedReplica">An unplanned promotion serves a replica found damaged, reporting the damage, instead of refusing.</param>
    /// <param name="recoveryPoint">Roll the replica back to this recovery point's round first (never planned: a final sync would copy the damage); newer points are dropped.</param>
    public PromotionResult Promote(string name, bool planned, IOperationObserver observer, CancellationToken cancellation, string? failoverSource = null, bool duringFailback = false,
        bool allowDamagedReplica = false, long? recoveryPoint = null)
    {
        var snapshot = VolumeSnapshot.Load(_context.Store, name);
        ReplicationRules.RequirePromotable(snapshot.Volume);
        snapshot.RequireChangeable("a promotion", replicaMayBeFailedOver: duringFailback);
        _exports.RequireNotExported(snapshot, "a promotion");
        PromotionCheck checkedReplica;
        if (planned && recoveryPoint is null)
        {
            checkedReplica = PromotionCheck.Of(FinalSync(snapshot, observer, cancellation));
        }
        else
        {
            _sync.FinishInterrupted(snapshot, observer);
            if (recoveryPoint is { } round)
            {
                new RecoveryPoints.ReplicaRollback(_context).Run(VolumeSnapshot.Load(_context.Store, name), round, observer);
            }

            checkedReplica = PromotionCheck.Of(Verify(VolumeSnapshot.Load(_context.Store, name), allowDamagedReplica, observer, cancellation));
        }

        snapshot = VolumeSnapshot.Load(_context.Store, name);
        ReplicationRules.RequirePromotable(snapshot.Volume);
        var fence = Fence(snapshot, observer);
        CrashPoints.Hit("promote.after-fence");
        try
        {
            using var session = _context.Store.Begin(write: true);
            var result = Swap(session, snapshot.Volume, fence, planned, _context.Now, failoverSource, duringFailback, checkedReplica);
            session.Commit();
            CrashPoints.Hit("promote.after-swap");
            // The points were of the copy that is the primary now: its undo logs go (the state dropped them with the swap).
            RecoveryPoints.RecoveryPointFiles.Sweep(_context, snapshot);
            FenceEpochs.HandOver(_context, snapshot, fence.OnDisk, observer);
            return result;
        }
        catch
        {
            fence.Undo();
            throw;
        }
    }

    /// <summary>
    /// The check an unplanned promotion makes before it serves the replica: its real blocks against its recorded round.
    /// A replica found damaged is marked, and the promotion refused unless <paramref name="allowDamagedReplica"/>.
    /// </summary>
    internal ReplicaVerdict Verify(VolumeSnapshot snapshot, bool allowDamagedReplica, IOperationObserver observer, CancellationToken cancellation)
    {
        var volume = snapshot.Volume;
        ReplicaVerdict verdict;
        try
        {
            verdict = _check.Run(snapshot, observer, cancellation);
        }
        catch (ReplicationException ex)
        {
            _sync.RecordFailure(volume, ex, "PromoteReplica");
            throw;
        }

        _check.Record(volume, verdict, "VerifyReplica", $"Checked before an unplanned promotion at {_context.Now:u}");
        if (verdict.Damaged && !allowDamagedReplica)
        {
            throw new ReplicationException(ErrorIds.ReplicaDamaged, ErrorKind.InvalidData,
                $"The unplanned promotion of '{volume.Name}' was refused, and nothing was promoted or fenced: {verdict.Describe()} " +
                "While the primary can be read, a planned promotion (-Planned) or Sync-VolumeReplica -Full repairs the replica from it; " +
                "to serve the replica as it is, losing the data of those blocks, run the promotion again with -AllowDamagedReplica.", volume.Name);
        }

        if (verdict.Damaged)
        {
            observer.Decision($"'{volume.Name}': the replica is damaged, and -AllowDamagedReplica serves it as found.");
        }

        return verdict;
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
    /// <param name="checkedReplica">What was found about the replica's content before the swap: by the final sync, or by the check of an unplanned promotion.</param>
    internal PromotionResult Swap(IStateSession session, VolumeRecord seen, FenceOfOldPrimary fence, bool planned, DateTimeOffset promotedAt,
        string? failoverSource, bool duringFailback, PromotionCheck checkedReplica)
    {
        var current = VolumeSnapshot.Reread(session, seen);
        ReplicationRules.RequirePromotable(current);
        var dataTimestamp = current.LastSyncStartedAt ?? current.CreatedAt;
        var lossWindow = planned ? TimeSpan.Zero : promotedAt - dataTimestamp;
        var damage = checkedReplica.Verdict is { Damaged: true } found ? found : null;
        // The mark was about the copy that is served now; from here on the replica is the fenced former primary.
        var promoted = current.WithVerificationCleared() with
        {
            Backend = current.ReplicaBackend!,
            Location = current.ReplicaLocation!,
            ReplicaBackend = current.Backend,
            ReplicaLocation = current.Location,
            ReplicaFenced = true,
            FenceStamp = fence.Stamp,
            FenceEpoch = current.FenceEpoch + 1,
            FailoverSource = duringFailback ? null : failoverSource ?? current.FailoverSource,
            ReplicationStatus = ReplicationStatus.Inactive,
            ReplicationDriverData = null,
            ReplicationExtendedStatus = $"{(planned ? "Planned" : "Unplanned")} promotion at {promotedAt:u}: served from '{current.ReplicaBackend}' with data as of {dataTimestamp:u}" +
                (current.LastSyncRaced ? " (not a crash-consistent point in time: the primary was written during that round)" : "") +
                (planned ? "" : $" (writes to '{current.Backend}' in the last {Humane.Duration(lossWindow)} are not in it)") +
                (checkedReplica.RepairedBlocks > 0 ? $"; the final sync found {checkedReplica.RepairedBlocks} blocks of the replica damaged and rewrote them from the primary" : "") +
                (damage is null ? "" : $"; served although damaged (-AllowDamagedReplica), so the data of those blocks is lost too: {damage.Describe()}") +
                (checkedReplica.Verdict is { Damaged: false, Verified: false } unjudged ? $"; not fully verified: {unjudged.Describe()}" : "") +
                $"; the copy on '{current.Backend}' is fenced until Enable-Replication.",
        };
        // The map described both copies as of the last round; from now on they diverge.
        session.DeleteBlockMap(current.Id);
        RecoveryPoints.RecoveryPointLedger.DropAll(session, current.Id);
        ReplicationStateMachine.Update(session, current, promoted);
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
            FinalSyncBytesWritten = checkedReplica.FinalSyncBytes,
            CrashConsistent = !current.LastSyncRaced,
            ReplicaVerified = checkedReplica.Verified,
            DamagedBlocks = damage?.BlocksDiffering ?? 0,
            DamagedBytes = damage?.BytesDiffering ?? 0,
            RepairedBlocks = checkedReplica.RepairedBlocks,
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
            var stillPromotable = VolumeSnapshot.Load(_context.Store, snapshot.Volume.Name).Volume.ReplicationStatus is ReplicationStatus.Active or ReplicationStatus.ActiveStopped;
            var advice = ex.ErrorId == ErrorIds.PrimaryUnreadable
                ? $"Without -Planned the replica is promoted with its data as of {(snapshot.Volume.LastSyncStartedAt ?? snapshot.Volume.CreatedAt):u}."
                : stillPromotable
                    ? $"The replica side is at fault, but the replica was not changed: it still holds its last round, and without -Planned it is promoted with its data as of {(snapshot.Volume.LastSyncStartedAt ?? snapshot.Volume.CreatedAt):u}."
                    : "The replica side is at fault, so promoting it would not help; see Get-VolumeReplica.";
            throw new ReplicationException(ErrorIds.PlannedPromotionFailed, ErrorKind.ResourceUnavailable,
                $"The planned promotion of '{snapshot.Volume.Name}' was refused because its final sync failed ({ex.ErrorId}: {ex.Message}). Nothing was promoted. {advice}", snapshot.Volume.Name, ex);
        }
    }
}
