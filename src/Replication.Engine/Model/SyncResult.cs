using System;

namespace Replication.Engine.Model;

/// <summary>What one sync round did.</summary>
public sealed class SyncResult
{
    public string VolumeName { get; init; } = "";

    public string PrimaryBackend { get; init; } = "";

    public string ReplicaBackend { get; init; } = "";

    /// <summary>How the round found what to copy (<see cref="SyncMode"/>, as a word).</summary>
    public string Mode { get; init; } = "";

    /// <summary>The replication status after the round, in Cinder's spelling.</summary>
    public string Status { get; init; } = "";

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
