using System;

namespace Replication.Engine.State;

/// <summary>A group promotion that started and has not finished (its fences may be set, no side swapped yet).</summary>
public sealed record GroupPromotion
{
    public string GroupName { get; init; } = "";

    public DateTimeOffset StartedAt { get; init; }

    public bool Planned { get; init; }
}
