using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.Rules;
using Replication.Engine.State;

namespace Replication.Engine.Groups;

/// <summary>
/// Defines replication groups and their members. Members must replicate between the same two backends, so the group
/// can move as one unit; a volume belongs to one group at most; test volumes and volumes that are not replicated cannot join.
/// Membership changes hold the group's lease, so they never land in the middle of a group round or promotion.
/// </summary>
public sealed class GroupCatalog
{
    private readonly EngineContext _context;
    private readonly VolumeLeases _leases;
    private readonly SyncRound _sync;

    internal GroupCatalog(EngineContext context, VolumeLeases leases, SyncRound sync)
    {
        _context = context;
        _leases = leases;
        _sync = sync;
    }

    public ReplicationGroup Add(string name, string? description, IReadOnlyList<string> members, IOperationObserver? observer = null, CancellationToken cancellation = default)
    {
        Names.Validate("replication group", name);
        if (description is not null && (description.Length > 255 || description.Any(char.IsControl)))
        {
            throw new ReplicationException(ErrorIds.InvalidDescription, ErrorKind.InvalidArgument, "A description is at most 255 characters without control characters.", description);
        }

        using var lease = _leases.AcquireGroup(name, "CreateReplicationGroup", observer ?? SilentObserver.Instance, cancellation);
        using var session = _context.Store.Begin(write: true);
        if (session.FindGroup(name) is not null)
        {
            throw new ReplicationException(ErrorIds.GroupExists, ErrorKind.ResourceExists, $"A replication group named '{name}' already exists.", name);
        }

        session.InsertGroup(new GroupRecord { Name = name, Description = description, CreatedAt = _context.Now });
        session.AppendEvent(_context.Event("CreateReplicationGroup", "ReplicationGroup", name, $"Replication group '{name}' created."));
        Join(session, name, members);
        var group = Describe(session, session.FindGroup(name)!);
        session.Commit();
        return group;
    }

    public ReplicationGroup AddMembers(string name, IReadOnlyList<string> members, IOperationObserver? observer = null, CancellationToken cancellation = default)
    {
        using var lease = _leases.AcquireGroup(name, "JoinReplicationGroup", observer ?? SilentObserver.Instance, cancellation);
        using var session = _context.Store.Begin(write: true);
        var group = Find(session, name);
        RequireNoUnfinishedPromotion(session, group.Name);
        Join(session, group.Name, members);
        var described = Describe(session, group);
        session.Commit();
        return described;
    }

    public ReplicationGroup RemoveMembers(string name, IReadOnlyList<string> members, IOperationObserver? observer = null, CancellationToken cancellation = default)
    {
        using var lease = _leases.AcquireGroup(name, "LeaveReplicationGroup", observer ?? SilentObserver.Instance, cancellation);
        using var session = _context.Store.Begin(write: true);
        var group = Find(session, name);
        RequireNoUnfinishedPromotion(session, group.Name);
        foreach (var memberName in members)
        {
            var volume = VolumeSnapshotLookup(session, memberName);
            if (!string.Equals(volume.GroupName, group.Name, StringComparison.OrdinalIgnoreCase))
            {
                throw Refused($"Volume '{volume.Name}' is not a member of group '{group.Name}'.", volume.Name);
            }

            ReplicationStateMachine.Update(session, volume, volume with { GroupName = null, GroupRound = null });
            session.AppendEvent(_context.Event("LeaveReplicationGroup", "Volume", volume.Name, $"Volume '{volume.Name}' left replication group '{group.Name}'.", volume.Id));
        }

        var described = Describe(session, group);
        session.Commit();
        return described;
    }

    /// <summary>
    /// Removes the group and its round records; its members stay, replicated on their own from now on. A round a dead
    /// process committed but did not apply is finished first: once the round's record is gone it could not be.
    /// </summary>
    public void Remove(string name, IOperationObserver? observer = null, CancellationToken cancellation = default)
    {
        observer ??= SilentObserver.Instance;
        using var held = _leases.AcquireGroupWithMembers(name, "RemoveReplicationGroup", observer, cancellation);
        using (var read = _context.Store.Begin(write: false))
        {
            RequireNoUnfinishedPromotion(read, held.Group);
        }

        foreach (var member in held.Members)
        {
            _sync.FinishInterrupted(VolumeSnapshot.Load(_context.Store, member), observer);
        }

        using var session = _context.Store.Begin(write: true);
        foreach (var member in session.ListVolumes(new VolumeQuery { GroupName = held.Group }))
        {
            ReplicationStateMachine.Update(session, member, member with { GroupName = null, GroupRound = null });
        }

        session.DeleteGroup(held.Group);
        session.AppendEvent(_context.Event("RemoveReplicationGroup", "ReplicationGroup", held.Group, $"Replication group '{held.Group}' removed; its members are replicated on their own."));
        session.Commit();
    }

    public IReadOnlyList<ReplicationGroup> List()
    {
        using var session = _context.Store.Begin(write: false);
        return session.ListGroups().Select(g => Describe(session, g)).ToList();
    }

    /// <summary>The groups with these names, looked up by key; a name that matches none is left out.</summary>
    public IReadOnlyList<ReplicationGroup> List(IReadOnlyCollection<string> names)
    {
        using var session = _context.Store.Begin(write: false);
        return names.Select(session.FindGroup).OfType<GroupRecord>().Select(g => Describe(session, g)).ToList();
    }

    public ReplicationGroup Get(string name)
    {
        using var session = _context.Store.Begin(write: false);
        return Describe(session, Find(session, name));
    }

    internal static GroupRecord Find(IStateSession session, string name) =>
        session.FindGroup(name) ?? throw new ReplicationException(ErrorIds.GroupNotFound, ErrorKind.ObjectNotFound,
            $"There is no replication group named '{Names.Printable(name)}'. Get-ReplicationGroup lists them.", name);

    /// <summary>Refuses a change to a group whose promotion was interrupted: that promotion is finished or rolled back first.</summary>
    internal static void RequireNoUnfinishedPromotion(IStateSession session, string groupName)
    {
        if (session.FindGroupPromotion(groupName) is { } startedAt)
        {
            throw new ReplicationException(ErrorIds.GroupPromotionUnfinished, ErrorKind.InvalidOperation,
                $"Rule: a group whose promotion was interrupted changes only by finishing or rolling back that promotion. Group '{groupName}' has a promotion started at {startedAt:u} that did not finish: run Invoke-ReplicaPromotion -Group '{groupName}' again to finish it, or Repair-ReplicationState to roll it back.", groupName);
        }
    }

    /// <summary>Refuses an individual operation on a group member: the group moves as one unit.</summary>
    internal static void RequireNotGroupMember(VolumeRecord volume, string operation, string groupParameterHint)
    {
        if (volume.GroupName is { } group)
        {
            throw new ReplicationException(ErrorIds.GroupMemberOperation, ErrorKind.InvalidOperation,
                $"Rule: a member of a replication group is {operation} with its group, so all members keep one common point. Volume '{volume.Name}' belongs to group '{group}': use {groupParameterHint} -Group '{group}'.", volume.Name);
        }
    }

    private void Join(IStateSession session, string groupName, IReadOnlyList<string> members)
    {
        var existing = session.ListVolumes(new VolumeQuery { GroupName = groupName });
        var pair = existing.Select(v => (v.Backend, v.ReplicaBackend)).FirstOrDefault();
        foreach (var memberName in members)
        {
            var volume = VolumeSnapshotLookup(session, memberName);
            if (string.Equals(volume.GroupName, groupName, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var why = volume switch
            {
                { GroupName: { } other } => $"it already belongs to group '{other}'",
                { SourceReplica: not null } => "it is a test volume, which is never replicated",
                { ReplicaBackend: null } => "it is not replicated",
                { Status: not VolumeStatus.Available } => $"it is {volume.Status.ToString().ToLowerInvariant()}",
                _ when pair.Backend is not null && !(Same(volume.Backend, pair.Backend) && Same(volume.ReplicaBackend, pair.ReplicaBackend)) =>
                    $"it replicates '{volume.Backend}' -> '{volume.ReplicaBackend}', but the group's members replicate '{pair.Backend}' -> '{pair.ReplicaBackend}'",
                _ => null,
            };
            if (why is not null)
            {
                throw Refused($"Rule: a group's members are replicated volumes between the same two backends, each in one group. Volume '{volume.Name}' cannot join group '{groupName}': {why}.", volume.Name);
            }

            pair = (volume.Backend, volume.ReplicaBackend);
            ReplicationStateMachine.Update(session, volume, volume with { GroupName = groupName, GroupRound = null });
            session.AppendEvent(_context.Event("JoinReplicationGroup", "Volume", volume.Name, $"Volume '{volume.Name}' joined replication group '{groupName}'.", volume.Id));
        }
    }

    private ReplicationGroup Describe(IStateSession session, GroupRecord group)
    {
        var members = session.ListVolumes(new VolumeQuery { GroupName = group.Name });
        var last = session.LastCommittedGroupRound(group.Name);
        return new ReplicationGroup
        {
            Name = group.Name,
            Description = group.Description,
            Members = members.Select(m => m.Name).ToList(),
            PrimaryBackend = members.FirstOrDefault()?.Backend,
            ReplicaBackend = members.FirstOrDefault()?.ReplicaBackend,
            LastRound = last?.Round,
            LastRoundDataTimestamp = last?.StartedAt,
            Consistent = members.Count > 0 && last is not null && members.All(m => m.GroupRound == last.Round && m.ReplicationStatus is ReplicationStatus.Active or ReplicationStatus.ActiveStopped),
            CrashConsistent = members.All(m => !m.LastSyncRaced),
            MemberStatus = string.Join(", ", members.GroupBy(m => m.ReplicationStatus).OrderBy(g => g.Key).Select(g => $"{g.Key.ToCinder()}: {g.Count()}")),
            CreatedAt = group.CreatedAt,
            PromotionUnfinishedSince = session.FindGroupPromotion(group.Name),
        };
    }

    private static VolumeRecord VolumeSnapshotLookup(IStateSession session, string name) => Replication.VolumeSnapshot.FindVolume(session, name);

    private static bool Same(string? a, string? b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static ReplicationException Refused(string message, string target) =>
        new(ErrorIds.GroupMembershipRefused, ErrorKind.InvalidOperation, message, target);
}
