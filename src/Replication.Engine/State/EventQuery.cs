using System;

namespace Replication.Engine.State;

/// <summary>Filters for the event history; unset filters match everything. Newest events come last.</summary>
public sealed class EventQuery
{
    public string? ObjectName { get; init; }

    public DateTimeOffset? Since { get; init; }

    /// <summary>Only the newest N matching events.</summary>
    public int? Newest { get; init; }
}
