using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Replication.Engine.Diagnostics;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.Rules;
using Replication.Engine.State;

namespace Replication.Engine.Groups;

/// <summary>
/// A replication group moved as one unit. A group round stages every member's changed blocks in journals marked with
/// the round's token, commits the round in one transaction, then applies and records all members together: before the
/// commit no replica moves (a crash discards the staged journals), after it every replica moves (a crash is finished
/// from the journals). A group promotion fences every old primary, then swaps every member in one transaction.
/// </summary>
public sealed class GroupOperations
{
    private readonly EngineContext _context;
    private readonly VolumeLeases _leases;
    private readonly SyncRound _sync;
    private readonly ReplicaPromotion _promotion;
    private readonly ReplicationReenable _reenable;
    private readonly Export.ExportGuards _exports;

    internal GroupOperations(EngineContext context, VolumeLeases leases, SyncRound sync, ReplicaPromotion promotion, ReplicationReenable reenable)
    {
        _context = context;
        _exports = new Export.ExportGuards(context);
        _leases = leases;
        _sync = sync;
        _promotion = promotion;
        _reenable = reenable;
    }

    /// <summary>One group round: every member's replica moves to the same round. Members still copying are copied first.</summary>
    /// <param name="forceRead">Read every member's primary even when it looks unchanged.</param>
    public IReadOnlyList<SyncResult> Sync(string groupName, bool forceRead, IOperationObserver observer, CancellationToken cancellation)
    {
        using var held = Hold(groupName, "SyncReplicationGroup", observer, cancellation);
        var members = Members(held.Group);
        foreach (var member in members)
        {
            // A paused group stays paused: Enable-Replication -Group resumes it.
            ReplicationRules.RequireSyncable(member.Volume);
            BackendRules.RequireNotFailedOver(member.ReplicaBackend, "a group round");
        }

        return Round(held.Group, members, observer, cancellation, forceRead);
    }

    /// <summary>
    /// Promotes every member as one unit: all or none; a promotion interrupted after its fences is finished by running it
    /// again. Every member's replica is verified by its content first: a planned promotion's final group round compares
    /// each with its primary and repairs it; an unplanned one checks each against the group round and refuses the whole
    /// group if any is damaged, unless <paramref name="allowDamagedReplica"/>.
    /// </summary>
    /// <param name="groupRound">
    /// Take every member's replica back to its recovery point of this group round first (never planned: a final round
    /// would copy the damage); refused, with nothing changed, when some member keeps no point of it.
    /// </param>
    public IReadOnlyList<PromotionResult> Promote(string groupName, bool planned, IOperationObserver observer, CancellationToken cancellation, string? failoverSource = null, bool duringFailback = false,
        bool allowDamagedReplica = false, long? groupRound = null)
    {
        planned &= groupRound is null;
        using var held = Hold(groupName, "PromoteReplicationGroup", observer, cancellation, finishesPromotion: true);
        // A round committed but not yet applied when its process died is finished from the replicas' journals first
        // (the primaries are not needed): the group's newest common point is then the one promoted.
        foreach (var member in Members(held.Group))
        {
            _sync.FinishInterrupted(member, observer);
        }

        var members = Members(held.Group);
        foreach (var member in members)
        {
            ReplicationRules.RequirePromotable(member.Volume);
            member.RequireChangeable("a group promotion", replicaMayBeFailedOver: duringFailback);
            _exports.RequireNotExported(member, "a group promotion");
        }

        if (groupRound is { } round)
        {
            members = RollBack(held.Group, members, round, observer);
        }

        var checks = new Dictionary<Guid, PromotionCheck>();
        if (planned)
        {
            observer.Decision($"Planned promotion of group '{held.Group}': a final group round first, comparing every primary with its replica's real blocks, so nothing written before now is lost and no damaged block is served.");
            foreach (var result in Round(held.Group, members, observer, cancellation, forceRead: true))
            {
                checks[members.Single(m => m.Volume.Name == result.VolumeName).Volume.Id] = PromotionCheck.Of(result);
            }

            members = Members(held.Group);
        }
        else
        {
            RequireCommonRound(held.Group, members, groupRound);
            var damaged = new List<string>();
            foreach (var member in members)
            {
                try
                {
                    checks[member.Volume.Id] = PromotionCheck.Of(_promotion.Verify(member, allowDamagedReplica, observer, cancellation));
                }
                catch (ReplicationException ex) when (ex.ErrorId == ErrorIds.ReplicaDamaged)
                {
                    // Every member is checked (and a damaged one marked) before the group is refused.
                    damaged.Add(ex.Message);
                }
            }

            if (damaged.Count > 0)
            {
                throw new ReplicationException(ErrorIds.ReplicaDamaged, ErrorKind.InvalidData,
                    $"The unplanned promotion of group '{held.Group}' was refused, and nothing was promoted or fenced: {damaged.Count} member replica(s) are damaged. " + string.Join(" ", damaged), held.Group);
            }

            members = Members(held.Group);
        }

        RequireCommonRound(held.Group, members, groupRound);
        using (var session = _context.Store.Begin(write: true))
        {
            session.PutGroupPromotion(held.Group, _context.Now, planned);
            session.Commit();
        }

        var fences = new List<(VolumeSnapshot Member, FenceOfOldPrimary Fence)>();
        try
        {
            foreach (var member in members)
            {
                fences.Add((member, _promotion.Fence(member, observer)));
            }

            CrashPoints.Hit("group.promote.after-fence");
            using var session = _context.Store.Begin(write: true);
            var promotedAt = _context.Now;
            var results = fences.Select(f => _promotion.Swap(session, f.Member.Volume, f.Fence, planned, promotedAt, failoverSource, duringFailback, checks[f.Member.Volume.Id])).ToList();
            session.DeleteGroupPromotion(held.Group);
            session.AppendEvent(_context.Event("PromoteReplicationGroup", "ReplicationGroup", held.Group,
                $"Group '{held.Group}' promoted as one unit: {results.Count} members served from '{results[0].PrimaryBackend}'."));
            session.Commit();
            foreach (var (member, fence) in fences)
            {
                FenceEpochs.HandOver(_context, member, fence.OnDisk, observer);
            }

            return results;
        }
        catch
        {
            // Nothing was swapped: every fence set so far is lifted and the promotion's record dropped, so the primaries
            // serve writes again as before.
            foreach (var (_, fence) in fences)
            {
                fence.Undo();
            }

            using (var session = _context.Store.Begin(write: true))
            {
                session.DeleteGroupPromotion(held.Group);
                session.Commit();
            }

            throw;
        }
    }

    /// <summary>Re-enables every member (resuming, or reversing after a promotion), then one group round gives them a common point again.</summary>
    public IReadOnlyList<SyncResult> Enable(string groupName, bool discardFencedWrites, IOperationObserver observer, CancellationToken cancellation, bool duringFailback = false)
    {
        using var held = Hold(groupName, "EnableReplicationGroup", observer, cancellation);
        var members = Members(held.Group);
        // Members already replicating need only the group round below; the others are re-enabled first. A group none of
        // whose members needs re-enabling is refused, as a single volume is.
        var toReenable = members.Where(m => m.Volume.ReplicationStatus != ReplicationStatus.Active).ToList();
        foreach (var member in toReenable.Count > 0 ? toReenable : members)
        {
            ReplicationRules.RequireReenableable(member.Volume);
        }

        foreach (var member in members)
        {
            member.RequireChangeable("re-enabling replication", replicaMayBeFailedOver: duringFailback);
        }

        // Paused replicas are consistent: they only need to run again, and the group round below moves them together.
        using (var session = _context.Store.Begin(write: true))
        {
            foreach (var member in members.Where(m => m.Volume.ReplicationStatus == ReplicationStatus.ActiveStopped))
            {
                var current = VolumeSnapshot.Reread(session, member.Volume);
                ReplicationStateMachine.Update(session, current, current with { ReplicationStatus = ReplicationStatus.Active });
                session.AppendEvent(_context.Event("ResumeReplication", "Volume", current.Name, $"Resumed with group '{held.Group}'.", current.Id, current.ReplicationStatus, ReplicationStatus.Active));
            }

            session.Commit();
        }

        // The others hold no consistent round (promoted away, faulty, or half-copied): each is compared and recopied first.
        foreach (var member in members.Where(m => m.Volume.ReplicationStatus is ReplicationStatus.Inactive or ReplicationStatus.Error or ReplicationStatus.Copying))
        {
            _reenable.Enable(member.Volume.Name, discardFencedWrites, observer, cancellation, duringFailback);
        }

        // The round compares every replica's real blocks, so a replica changed on disk while paused or promoted away is found and repaired.
        return Round(held.Group, Members(held.Group), observer, cancellation, forceRead: true);
    }

    /// <summary>Pauses every member (active-stopped); the replicas keep their common round.</summary>
    public void Disable(string groupName, IOperationObserver observer, CancellationToken cancellation)
    {
        using var held = Hold(groupName, "DisableReplicationGroup", observer, cancellation);
        using var session = _context.Store.Begin(write: true);
        foreach (var member in Members(held.Group))
        {
            ReplicationRules.RequirePausable(member.Volume);
            member.RequireChangeable("pausing replication", replicaMayBeFailedOver: true);
            var current = VolumeSnapshot.Reread(session, member.Volume);
            var paused = current with
            {
                ReplicationStatus = ReplicationStatus.ActiveStopped,
                ReplicationExtendedStatus = $"Paused with group '{held.Group}' at {_context.Now:u}; the replica holds group round {current.GroupRound}. Enable-Replication -Group resumes.",
            };
            ReplicationStateMachine.Update(session, current, paused);
            session.AppendEvent(_context.Event("DisableReplication", "Volume", current.Name, paused.ReplicationExtendedStatus, current.Id, current.ReplicationStatus, paused.ReplicationStatus));
        }

        session.Commit();
    }

    /// <summary>The group's members, with their backends, in name order (the order leases are taken in, so no two group operations deadlock).</summary>
    internal IReadOnlyList<VolumeSnapshot> Members(string groupName)
    {
        using var session = _context.Store.Begin(write: false);
        var backends = session.ListBackends();
        var members = session.ListVolumes(new VolumeQuery { GroupName = groupName }).Select(v => VolumeSnapshot.Load(v, backends)).ToList();
        return members.Count > 0 ? members : throw new ReplicationException(ErrorIds.GroupNotConsistent, ErrorKind.InvalidOperation,
            $"Replication group '{groupName}' has no members. Add-ReplicationGroupMember adds some.", groupName);
    }

    private IReadOnlyList<SyncResult> Round(string groupName, IReadOnlyList<VolumeSnapshot> members, IOperationObserver observer, CancellationToken cancellation, bool forceRead)
    {
        // Anything a killed round left is settled first: committed rounds applied, uncommitted ones discarded.
        foreach (var member in members)
        {
            _sync.FinishInterrupted(member, observer);
        }

        members = Members(groupName);
        foreach (var member in members.Where(m => m.Volume.ReplicationStatus == ReplicationStatus.Copying))
        {
            _sync.Run(member, ReplicationStatus.Active, forceRead: true, "SyncReplicationGroup", observer, cancellation);
        }

        members = Members(groupName);
        foreach (var member in members)
        {
            ReplicationRules.RequireAvailable(member.Volume, "a group round");
            if (member.Volume.ReplicationStatus != ReplicationStatus.Active && member.Volume.ReplicationStatus != ReplicationStatus.ActiveStopped)
            {
                throw new ReplicationException(ErrorIds.GroupNotConsistent, ErrorKind.InvalidOperation,
                    $"Member '{member.Volume.Name}' of group '{groupName}' is {member.Volume.ReplicationStatus.ToCinder()}; a group round needs every replica consistent.", groupName);
            }
        }

        var (round, staged) = StageRound(groupName, members, forceRead, observer, cancellation);
        CrashPoints.Hit("group.before-commit");
        round = CommitRound(round, staged);
        CrashPoints.Hit("group.after-commit");
        return _sync.ApplyGroup(staged, round, observer);
    }

    /// <summary>
    /// Starts a group round and stages every member's changed blocks under its token. Nothing is committed: if any
    /// member fails, the staged journals are dropped and no replica moves.
    /// </summary>
    internal (GroupRound Round, IReadOnlyList<(VolumeSnapshot Snapshot, Drivers.ReplicaSyncOutcome Outcome)> Staged) StageRound(
        string groupName, IReadOnlyList<VolumeSnapshot> members, bool forceRead, IOperationObserver observer, CancellationToken cancellation)
    {
        foreach (var member in members)
        {
            _exports.RequireNotMirroring(member, "a group round");
        }

        GroupRound round;
        using (var session = _context.Store.Begin(write: true))
        {
            foreach (var stale in session.ListUncommittedGroupRounds(groupName))
            {
                session.DeleteGroupRound(stale.Token);
            }

            round = new GroupRound { Token = Guid.NewGuid(), GroupName = groupName, Round = (session.LastCommittedGroupRound(groupName)?.Round ?? 0) + 1, StartedAt = _context.Now };
            session.PutGroupRound(round);
            session.Commit();
        }

        var staged = new List<(VolumeSnapshot Snapshot, Drivers.ReplicaSyncOutcome Outcome)>();
        try
        {
            foreach (var member in members)
            {
                staged.Add((member, _sync.Stage(member, round.Token, forceRead, observer, cancellation)));
            }
        }
        catch
        {
            // No member moved: the staged journals are dropped and the replicas stay at the previous round.
            foreach (var (member, _) in staged)
            {
                _context.Drivers.Get(member.PrimaryBackend.Driver).DiscardSyncJournal(member.Replica, member.Volume.Id);
            }

            throw;
        }

        return (round, staged);
    }

    /// <summary>The commit point of a group round: from here on every member's replica moves to it, even across a crash.</summary>
    internal GroupRound CommitRound(GroupRound round, IReadOnlyList<(VolumeSnapshot Snapshot, Drivers.ReplicaSyncOutcome Outcome)> staged)
    {
        using var session = _context.Store.Begin(write: true);
        round = round with { CommittedAt = _context.Now };
        session.PutGroupRound(round);
        _sync.RecordUnchangedMembers(session, staged, round);
        session.AppendEvent(_context.Event("SyncReplicationGroup", "ReplicationGroup", round.GroupName,
            $"Group '{round.GroupName}' round {round.Round} committed: {staged.Count} members, data as of {round.StartedAt:u}."));
        session.Commit();
        return round;
    }

    /// <summary>
    /// Takes every member's replica back to its point of <paramref name="groupRound"/>, all intents recorded before any
    /// block moves (a crash is finished member by member by the next command); returns the members as recorded after.
    /// </summary>
    private IReadOnlyList<VolumeSnapshot> RollBack(string groupName, IReadOnlyList<VolumeSnapshot> members, long groupRound, IOperationObserver observer)
    {
        GroupRecoveryPoint point;
        using (var read = _context.Store.Begin(write: false))
        {
            point = RecoveryPoints.GroupRecoveryPoints.Choose(read, groupName, groupRound, null, _context.Now);
        }

        observer.Decision($"Group '{groupName}': every member's replica goes back to its point of group round {groupRound} (data as of {point.DataTimestamp:u}); their newer points are dropped.");
        new RecoveryPoints.ReplicaRollback(_context).RunTogether(members.Select(m => (m, point.Members.Single(p => p.VolumeId == m.Volume.Id).Round)).ToList(), observer);
        return Members(groupName);
    }

    /// <param name="groupRound">The round the members must hold: the group's last committed one unless a point's round is given.</param>
    private void RequireCommonRound(string groupName, IReadOnlyList<VolumeSnapshot> members, long? groupRound = null)
    {
        using var session = _context.Store.Begin(write: false);
        var last = groupRound is { } chosen ? new GroupRound { GroupName = groupName, Round = chosen } : session.LastCommittedGroupRound(groupName);
        var off = members.Where(m => last is null || m.Volume.GroupRound != last.Round).Select(m => m.Volume.Name).ToList();
        if (off.Count > 0)
        {
            throw new ReplicationException(ErrorIds.GroupNotConsistent, ErrorKind.InvalidOperation,
                $"Rule: a group is promoted only from a common round. " + (last is null
                    ? $"Group '{groupName}' has had no group round yet: Sync-VolumeReplica -Group '{groupName}' makes one."
                    : $"Members {string.Join(", ", off)} of group '{groupName}' do not hold round {last.Round}."), groupName);
        }
    }

    /// <summary>
    /// The group's own lease and every member's. Only a promotion may start while an earlier group promotion is
    /// unfinished (running it again finishes it); anything else would move replicas under a half-done failover.
    /// </summary>
    private HeldGroup Hold(string groupName, string operation, IOperationObserver observer, CancellationToken cancellation, bool finishesPromotion = false)
    {
        var held = _leases.AcquireGroupWithMembers(groupName, operation, observer, cancellation);
        try
        {
            if (!finishesPromotion)
            {
                using var read = _context.Store.Begin(write: false);
                GroupCatalog.RequireNoUnfinishedPromotion(read, held.Group);
            }

            return held;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }
}
