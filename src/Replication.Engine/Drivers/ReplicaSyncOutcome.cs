using System;
using Replication.Engine.Model;
using Replication.Engine.Replication;

namespace Replication.Engine.Drivers;

/// <summary>What a driver did in one sync round, for the engine to record.</summary>
public sealed class ReplicaSyncOutcome
{
    public SyncMode Mode { get; init; }

    /// <summary>The target's block hashes after the round; null when nothing changed.</summary>
    public BlockMap? NewMap { get; init; }

    public string? DriverData { get; init; }

    public long Generation { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public long BytesRead { get; init; }

    public long BytesWritten { get; init; }

    public long BlocksWritten { get; init; }

    public long BlocksDeallocated { get; init; }
}
