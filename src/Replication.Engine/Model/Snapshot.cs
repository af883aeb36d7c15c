using System;

namespace Replication.Engine.Model;

/// <summary>
/// A point-in-time copy of a volume's primary (New-VolumeSnapshot), kept on the backend the primary was on. It costs
/// <see cref="BytesHeld"/> on disk; <see cref="Method"/> says how the driver made it (Copy: its allocated data copied).
/// </summary>
public sealed class Snapshot
{
    public string Name { get; init; } = "";

    public string VolumeName { get; init; } = "";

    public Guid VolumeId { get; init; }

    public Guid Id { get; init; }

    public string? Description { get; init; }

    /// <summary>The backend the snapshot is kept on (where the volume's primary was when it was taken).</summary>
    public string Backend { get; init; } = "";

    /// <summary>The volume's size when the snapshot was taken: a volume made from it has this size.</summary>
    public long SizeBytes { get; init; }

    public long BytesHeld { get; init; }

    public string Method { get; init; } = "";

    public DateTimeOffset CreatedAt { get; init; }

    public override string ToString() => Name;
}
