using System;
using System.Collections.Generic;

namespace Replication.Engine.Drivers.Loading;

/// <summary>A storage driver the module can use, as Get-StorageDriver shows it.</summary>
public sealed class StorageDriverDescription
{
    public string Name { get; init; } = "";

    public string Version { get; init; } = "";

    /// <summary>Cinder's driver_volume_type of its connections ("file", "rbd", ...).</summary>
    public string ConnectionType { get; init; } = "";

    /// <summary>"BuiltIn", or "Registered" for a driver from its own assembly.</summary>
    public string Source { get; init; } = "";

    /// <summary>The settings a backend of the driver takes (New-StorageBackend -Setting).</summary>
    public IReadOnlyList<StorageDriverSetting> Settings { get; init; } = Array.Empty<StorageDriverSetting>();

    /// <summary>The driver's assembly; null for a built-in driver.</summary>
    public string? Path { get; init; }

    public DateTimeOffset? RegisteredAt { get; init; }

    /// <summary>Why a registered driver cannot be loaded now; null when it loads.</summary>
    public string? Problem { get; init; }

    public override string ToString() => Name;
}

/// <summary>One setting a backend of a driver takes.</summary>
public sealed class StorageDriverSetting
{
    public string Name { get; init; } = "";

    public string Description { get; init; } = "";

    public bool Required { get; init; }

    public bool Secret { get; init; }

    public string? DefaultValue { get; init; }

    public override string ToString() => Required ? Name + " (required)" : Name;
}
