using System;
using System.Collections.Generic;
using System.Linq;
using Replication.Engine.Model;
using Replication.Engine.State;

namespace Replication.Engine.Rules;

/// <summary>
/// Every replication status change the engine may make, in one table (DESIGN.md, Cinder v1's values), and the one place
/// a stored volume is rewritten (<see cref="Update"/>), so no status is written without the table's leave. A change not
/// in the table is a bug in the engine, not a user error, and is refused before anything is written.
/// </summary>
public static class ReplicationStateMachine
{
    private static readonly Dictionary<ReplicationStatus, ReplicationStatus[]> Allowed = new()
    {
        [ReplicationStatus.Disabled] = new[] { ReplicationStatus.Copying },
        [ReplicationStatus.Copying] = new[] { ReplicationStatus.Active, ReplicationStatus.Error },
        // Active and active-stopped become disabled when a retype to a plain type removes the replica.
        [ReplicationStatus.Active] = new[] { ReplicationStatus.ActiveStopped, ReplicationStatus.Inactive, ReplicationStatus.Copying, ReplicationStatus.Error, ReplicationStatus.Disabled },
        [ReplicationStatus.ActiveStopped] = new[] { ReplicationStatus.Active, ReplicationStatus.Inactive, ReplicationStatus.Copying, ReplicationStatus.Error, ReplicationStatus.Disabled },
        [ReplicationStatus.Inactive] = new[] { ReplicationStatus.Copying },
        [ReplicationStatus.Error] = new[] { ReplicationStatus.Copying },
    };

    /// <summary>True when <paramref name="from"/> may become <paramref name="to"/>; staying in a status is always allowed.</summary>
    public static bool CanMove(ReplicationStatus from, ReplicationStatus to) => from == to || Allowed[from].Contains(to);

    public static IReadOnlyList<ReplicationStatus> NextOf(ReplicationStatus from) => Allowed[from];

    /// <summary>
    /// Rewrites a stored volume: <paramref name="updated"/> over <paramref name="current"/>, as read in the session's
    /// transaction. Every change of a stored volume goes through here (a test holds the engine to it).
    /// </summary>
    internal static void Update(IStateSession session, VolumeRecord current, VolumeRecord updated)
    {
        if (!CanMove(current.ReplicationStatus, updated.ReplicationStatus))
        {
            throw new InvalidOperationException($"The engine tried to move volume '{current.Name}' from {current.ReplicationStatus.ToCinder()} to {updated.ReplicationStatus.ToCinder()}, which the state machine forbids.");
        }

        session.UpdateVolume(updated);
    }
}
