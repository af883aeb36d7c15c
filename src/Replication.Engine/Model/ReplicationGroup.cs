using System;
using System.Collections.Generic;

namespace Replication.Engine.Model;

/// <summary>
/// A named set of volumes replicated to one common point in time: every group round moves all their replicas to the
/// same round at once, and the group is promoted and re-enabled as one unit.
/// </summary>
public sealed class ReplicationGroup
{
    public string Name { get; init; } = "";

    public string? Description { get; init; }

    public IReadOnlyList<string> Members { get; init; } = Array.Empty<string>();

    public string? PrimaryBackend { get; init; }

    public string? ReplicaBackend { get; init; }

    /// <summary>The newest committed group round.</summary>
    public long? LastRound { get; init; }

    /// <summary>When the newest round started: the common point in time every member's replica holds.</summary>
    public DateTimeOffset? LastRoundDataTimestamp { get; init; }

    /// <summary>True when every member's replica holds the newest round and is consistent (active or active-stopped).</summary>
    public bool Consistent { get; init; }

    /// <summary>
    /// False when some member's primary was written while the round its replica holds read it: that replica then holds
    /// writes made after <see cref="LastRoundDataTimestamp"/> too, so the group's point is no crash-consistent one.
    /// </summary>
    public bool CrashConsistent { get; init; } = true;

    /// <summary>The members' replication statuses, in Cinder's spelling, with counts ("active: 3").</summary>
    public string MemberStatus { get; init; } = "";

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When a group promotion that did not finish started (its process died); null normally. Running the promotion again finishes it.</summary>
    public DateTimeOffset? PromotionUnfinishedSince { get; init; }

    public override string ToString() => Name;
}
