using System.Collections.Generic;
using System.Linq;
using Replication.Engine.Model;

namespace Replication.Engine.Rules;

/// <summary>
/// Every replication status change the engine may make, in one table (DESIGN.md, Cinder v1's values). A change not in
/// the table is a bug in the engine, not a user error, and is refused before anything is written.
/// </summary>
public static class ReplicationStateMachine
{
    private static readonly Dictionary<ReplicationStatus, ReplicationStatus[]> Allowed = new()
    {
        [ReplicationStatus.Disabled] = new[] { ReplicationStatus.Copying },
        [ReplicationStatus.Copying] = new[] { ReplicationStatus.Active, ReplicationStatus.Error },
        [ReplicationStatus.Active] = new[] { ReplicationStatus.ActiveStopped, ReplicationStatus.Inactive, ReplicationStatus.Copying, ReplicationStatus.Error },
        [ReplicationStatus.ActiveStopped] = new[] { ReplicationStatus.Active, ReplicationStatus.Inactive, ReplicationStatus.Copying, ReplicationStatus.Error },
        [ReplicationStatus.Inactive] = new[] { ReplicationStatus.Copying },
        [ReplicationStatus.Error] = new[] { ReplicationStatus.Copying },
    };

    /// <summary>True when <paramref name="from"/> may become <paramref name="to"/>; staying in a status is always allowed.</summary>
    public static bool CanMove(ReplicationStatus from, ReplicationStatus to) => from == to || Allowed[from].Contains(to);

    public static IReadOnlyList<ReplicationStatus> NextOf(ReplicationStatus from) => Allowed[from];
}
