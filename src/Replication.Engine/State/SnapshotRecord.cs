using System;

namespace Replication.Engine.State;

/// <summary>A volume snapshot as state records it (schema 13): kept on <see cref="Backend"/> at <see cref="Location"/>, the driver's.</summary>
public sealed record SnapshotRecord
{
    public Guid Id { get; init; }

    public string Name { get; init; } = "";

    public Guid VolumeId { get; init; }

    public string? Description { get; init; }

    /// <summary>The backend the volume's primary was on when the snapshot was taken; the snapshot stays there.</summary>
    public string Backend { get; init; } = "";

    public string Location { get; init; } = "";

    public long SizeBytes { get; init; }

    /// <summary>What the snapshot costs on disk, as its driver measured it when it was taken.</summary>
    public long BytesHeld { get; init; }

    /// <summary>How the driver made it (Copy, Reflink, ...).</summary>
    public string Method { get; init; } = "";

    public DateTimeOffset CreatedAt { get; init; }
}
