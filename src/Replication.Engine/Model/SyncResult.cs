using System;

namespace Replication.Engine.Model;

/// <summary>What one sync round did.</summary>
public sealed class SyncResult
{
    public string VolumeName { get; init; } = "";

    public string PrimaryBackend { get; init; } = "";

    public string ReplicaBackend { get; init; } = "";

    public SyncMode Mode { get; init; }

    public ReplicationStatus Status { get; init; }

    public long BytesRead { get; init; }

    public long BytesWritten { get; init; }

    /// <summary>Blocks whose content was written to the replica.</summary>
    public long BlocksWritten { get; init; }

    /// <summary>Blocks that became holes on the primary and were deallocated on the replica.</summary>
    public long BlocksDeallocated { get; init; }

    public DateTimeOffset DataTimestamp { get; init; }

    public TimeSpan Duration { get; init; }

    public long SyncGeneration { get; init; }

    public override string ToString() => VolumeName;
}
