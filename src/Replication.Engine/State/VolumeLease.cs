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

    /// <summary>The machine and process holding the lease, so a holder that died on this machine is known at once.</summary>
    public string Host { get; init; } = "";

    public int ProcessId { get; init; }

    /// <summary>When the holding process started (wall clock), which tells it apart from a later process with its id.</summary>
    public DateTimeOffset ProcessStartedAt { get; init; }

    public DateTimeOffset AcquiredAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }
}
