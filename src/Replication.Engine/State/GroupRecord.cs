using System;

namespace Replication.Engine.State;

/// <summary>A replication group as stored; its members are the volumes whose group_name names it.</summary>
public sealed record GroupRecord
{
    public string Name { get; init; } = "";

    public string? Description { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
