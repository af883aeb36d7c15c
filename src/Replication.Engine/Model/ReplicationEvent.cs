using System;

namespace Replication.Engine.Model;

/// <summary>One recorded state change: who did what to which object, when, and the status it moved between.</summary>
public sealed record ReplicationEvent
{
    public long Id { get; init; }

    public DateTimeOffset Time { get; init; }

    /// <summary>user@host (pid) of the process that made the change.</summary>
    public string Actor { get; init; } = "";

    public string Operation { get; init; } = "";

    public string ObjectType { get; init; } = "";

    public string ObjectName { get; init; } = "";

    public Guid? VolumeId { get; init; }

    public string? FromStatus { get; init; }

    public string? ToStatus { get; init; }

    public string Message { get; init; } = "";

    /// <summary>For the event of a sync round: the bytes it wrote to the replica; null for other events and for a round that failed.</summary>
    public long? RoundBytesWritten { get; init; }

    /// <summary>For the event of a sync round, failed ones too: how long it took, in seconds; null for other events.</summary>
    public double? RoundSeconds { get; init; }

    public override string ToString() => $"{Time:u} {Operation} {ObjectType} {ObjectName}: {Message}";
}
