using System;

namespace Replication.Engine.State;

/// <summary>A claim on a volume by one running operation; it lapses at <see cref="ExpiresAt"/> unless renewed.</summary>
public sealed class VolumeLease
{
    public Guid VolumeId { get; init; }

    /// <summary>Unique to one operation in one process.</summary>
    public string Holder { get; init; } = "";

    /// <summary>user@host (pid), for the message another command shows while it waits.</summary>
    public string Actor { get; init; } = "";

    public string Operation { get; init; } = "";

    public DateTimeOffset AcquiredAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }
}
