using System;

namespace Replication.Engine.State;

/// <summary>
/// One sync round of a replication group. Its members' journals carry its token; the round counts only once
/// <see cref="CommittedAt"/> is set, in one transaction: before that, every member's journal is discarded on recovery.
/// </summary>
public sealed record GroupRound
{
    public Guid Token { get; init; }

    public string GroupName { get; init; } = "";

    public long Round { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? CommittedAt { get; init; }
}
