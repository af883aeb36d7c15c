using System;

namespace Replication.Engine.State;

/// <summary>A volume's recovery history in one row: points kept, the data times of its oldest and newest, and the bytes they hold.</summary>
public sealed record RecoveryPointSummary
{
    public Guid VolumeId { get; init; }

    public int Count { get; init; }

    public DateTimeOffset Oldest { get; init; }

    public DateTimeOffset Newest { get; init; }

    public long BytesHeld { get; init; }
}
