using System;

namespace Replication.Engine.Preflight;

/// <summary>
/// What a driver found when it looked at a backend's storage for a pre-flight check. A driver fills in what it could
/// find out and says why it could not find out the rest; it never throws for a storage fault.
/// </summary>
public sealed class BackendProbe
{
    /// <summary>What was probed, as an admin would look for it (for LocalFile, the folder).</summary>
    public string Location { get; init; } = "";

    /// <summary>Why the storage cannot be reached; null when it can. Nothing else was probed when it cannot.</summary>
    public string? Unreachable { get; init; }

    /// <summary>True when a probe file was written and removed again.</summary>
    public bool Writable { get; init; }

    /// <summary>Why no probe file could be written (or removed); null when one could, or when the storage cannot be reached.</summary>
    public string? WriteProblem { get; init; }

    public long? TotalBytes { get; init; }

    /// <summary>Bytes this process could still write (space reserved for root excluded where the OS says so).</summary>
    public long? FreeBytes { get; init; }

    /// <summary>The file system's block size (statvfs f_bsize on Linux, the cluster size on Windows); null when it cannot be asked.</summary>
    public long? BlockSize { get; init; }

    /// <summary>True when a sparse probe file showed holes around its data; null when it could not be written.</summary>
    public bool? HolesSupported { get; init; }

    /// <summary>What the sparse probe showed, in words.</summary>
    public string? HolesDetail { get; init; }

    /// <summary>The modification time the file system gave a probe file just written; null when none could be written.</summary>
    public DateTimeOffset? ProbeFileTime { get; init; }
}
