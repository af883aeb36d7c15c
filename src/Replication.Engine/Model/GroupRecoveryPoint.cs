using System;
using System.Collections.Generic;

namespace Replication.Engine.Model;

/// <summary>A replication group's point: every member's recovery point of one group round.</summary>
public sealed class GroupRecoveryPoint
{
    public string GroupName { get; init; } = "";

    public long GroupRound { get; init; }

    /// <summary>The oldest of the members' data times: the group's data is as of this time at least.</summary>
    public DateTimeOffset DataTimestamp { get; init; }

    /// <summary>Each member's point of the round, in member name order.</summary>
    public IReadOnlyList<RecoveryPoint> Members { get; init; } = Array.Empty<RecoveryPoint>();
}
