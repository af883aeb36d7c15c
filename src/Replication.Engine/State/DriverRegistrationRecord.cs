using System;

namespace Replication.Engine.State;

/// <summary>A storage driver registered from its own assembly (Register-StorageDriver), as stored.</summary>
public sealed record DriverRegistrationRecord
{
    /// <summary>The driver's name (its DriverInfo.Name), as New-StorageBackend -Driver takes it.</summary>
    public string Name { get; init; } = "";

    /// <summary>The full path of the driver's assembly.</summary>
    public string Path { get; init; } = "";

    /// <summary>The assembly's SHA-256 when it was registered (hex); a file that no longer has it is not loaded.</summary>
    public string Sha256 { get; init; } = "";

    /// <summary>The driver's version when it was registered.</summary>
    public string Version { get; init; } = "";

    public DateTimeOffset RegisteredAt { get; init; }
}
