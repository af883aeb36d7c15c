using System;
using System.Collections.Generic;
using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Rules;
using Replication.Engine.State;

namespace Replication.Engine.RecoveryPoints;

/// <summary>
/// Chooses a group's point: one group round that every member keeps a point of, so the members are taken back to the
/// same moment. A round some member lacks (it joined later, or its points were pruned) is refused, never approximated.
/// </summary>
internal static class GroupRecoveryPoints
{
    /// <summary>The group round <paramref name="groupRound"/>, or the latest whose members' data is all older than <paramref name="before"/>.</summary>
    public static GroupRecoveryPoint Choose(IStateSession session, string groupName, long? groupRound, DateTimeOffset? before, DateTimeOffset now)
    {
        var members = session.ListVolumes(new VolumeQuery { GroupName = groupName }).OrderBy(v => v.Name, StringComparer.OrdinalIgnoreCase).ToList();
        if (members.Count == 0)
        {
            throw new ReplicationException(ErrorIds.GroupNotConsistent, ErrorKind.InvalidOperation,
                $"Replication group '{Names.Printable(groupName)}' has no members. Add-ReplicationGroupMember adds some.", groupName);
        }

        var points = members.ToDictionary(m => m.Id, m => RecoveryPointLedger.Describe(session, m, now).Where(p => p.GroupName is not null && string.Equals(p.GroupName, groupName, StringComparison.OrdinalIgnoreCase) && p.GroupRound is not null).ToList());
        var round = groupRound ?? points.Values.SelectMany(p => p)
            .GroupBy(p => p.GroupRound!.Value)
            .Where(g => before is not { } b || g.All(p => p.DataTimestamp < b))
            .Select(g => (long?)g.Key)
            .Max();
        if (round is null)
        {
            throw new ReplicationException(ErrorIds.RecoveryPointNotFound, ErrorKind.ObjectNotFound,
                $"Replication group '{Names.Printable(groupName)}' has no group point with data older than {before:u}. Get-VolumeRecoveryPoint on a member lists its points (GroupRound).", groupName);
        }

        var lacking = members.Where(m => !points[m.Id].Any(p => p.GroupRound == round)).Select(m => m.Name).ToList();
        if (lacking.Count == members.Count)
        {
            throw new ReplicationException(ErrorIds.RecoveryPointNotFound, ErrorKind.ObjectNotFound,
                $"Replication group '{Names.Printable(groupName)}' has no point of group round {round}. Get-VolumeRecoveryPoint on a member lists its points (GroupRound).", groupName);
        }

        if (lacking.Count > 0)
        {
            throw new ReplicationException(ErrorIds.GroupRecoveryPointIncomplete, ErrorKind.InvalidOperation,
                $"Members {string.Join(", ", lacking)} of group '{Names.Printable(groupName)}' keep no point of group round {round}, so the group cannot be taken back to it as one unit; nothing was changed. " +
                "Choose a group round every member keeps (Get-VolumeRecoveryPoint on each member, GroupRound), or take the members out of the group and recover each alone.", groupName);
        }

        var chosen = members.Select(m => points[m.Id].First(p => p.GroupRound == round)).ToList();
        return new GroupRecoveryPoint { GroupName = members[0].GroupName ?? groupName, GroupRound = round.Value, DataTimestamp = chosen.Min(p => p.DataTimestamp), Members = chosen };
    }
}
