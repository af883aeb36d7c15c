using System;

namespace Replication.Engine.State;

/// <summary>A rollback of a volume's replica to one of its points that started and has not finished (the next command finishes it).</summary>
public sealed record RecoveryRollbackRecord
{
    public Guid VolumeId { get; init; }

    public long Round { get; init; }

    public DateTimeOffset StartedAt { get; init; }
}
