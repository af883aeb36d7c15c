using System;
using System.Collections.Generic;

namespace Replication.Drivers;

/// <summary>What a driver is and what it accepts.</summary>
public sealed class DriverInfo
{
    public DriverInfo(string name, Version version, string connectionType, IReadOnlyList<DriverSetting> settings, IReadOnlyList<string> capabilityNames)
    {
        Name = name;
        Version = version;
        ConnectionType = connectionType;
        Settings = settings;
        CapabilityNames = capabilityNames;
    }

    /// <summary>The name admins give as New-StorageBackend -Driver.</summary>
    public string Name { get; }

    public Version Version { get; }

    /// <summary>Cinder's driver_volume_type of the connections the driver gives ("file", "rbd", "iscsi", ...).</summary>
    public string ConnectionType { get; }

    public IReadOnlyList<DriverSetting> Settings { get; }

    /// <summary>Every capability name the driver may report, whether or not it can report it at this moment.</summary>
    public IReadOnlyList<string> CapabilityNames { get; }
}

/// <summary>One setting a backend of the driver takes.</summary>
public sealed class DriverSetting
{
    public DriverSetting(string name, string description, bool required = false, bool secret = false, string? defaultValue = null)
    {
        Name = name;
        Description = description;
        Required = required;
        Secret = secret;
        DefaultValue = defaultValue;
    }

    public string Name { get; }

    public string Description { get; }

    public bool Required { get; }

    /// <summary>
    /// A secret (a password, a key): the admin gives a reference to it (<c>env:NAME</c>, <c>vault:VAULT/NAME</c>), never its
    /// value; the setting holds the reference, and the driver reads the value with <see cref="BackendConfiguration.ResolveSecret"/>.
    /// </summary>
    public bool Secret { get; }

    public string? DefaultValue { get; }
}
