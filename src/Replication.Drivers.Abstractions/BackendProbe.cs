using System;

namespace Replication.Drivers;

/// <summary>
/// What a driver found when it looked at a backend's storage for a pre-flight check: what it could find out, and why it
/// could not find out the rest.
/// </summary>
public sealed class BackendProbe
{
    /// <summary>What was probed, as an admin would look for it (a folder, a pool, an array's address).</summary>
    public string Location { get; set; } = "";

    /// <summary>Why the storage cannot be reached; null when it can. Nothing else was probed when it cannot.</summary>
    public string? Unreachable { get; set; }

    /// <summary>True when probe data was written and removed again.</summary>
    public bool Writable { get; set; }

    /// <summary>Why no probe data could be written (or removed); null when it could, or when the storage cannot be reached.</summary>
    public string? WriteProblem { get; set; }

    public long? TotalBytes { get; set; }

    /// <summary>Bytes this process could still write.</summary>
    public long? FreeBytes { get; set; }

    /// <summary>The storage's allocation unit; null when it cannot be asked.</summary>
    public long? BlockSize { get; set; }

    /// <summary>True when the storage kept a probe sparse (unwritten ranges take no space); null when unknown.</summary>
    public bool? HolesSupported { get; set; }

    /// <summary>What the sparse probe showed, in words.</summary>
    public string? HolesDetail { get; set; }

    /// <summary>The modification time the storage gave probe data just written, where it keeps one; null otherwise.</summary>
    public DateTimeOffset? ProbeFileTime { get; set; }
}
