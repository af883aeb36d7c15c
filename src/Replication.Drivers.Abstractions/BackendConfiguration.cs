using System;
using System.Collections.Generic;
using System.Linq;

namespace Replication.Drivers;

/// <summary>One backend as the admin defined it: its name and the settings the driver validated.</summary>
public sealed class BackendConfiguration
{
    private readonly ISecretResolver? _secrets;

    public BackendConfiguration(string name, IReadOnlyDictionary<string, string> settings, string stateStoreId)
        : this(name, settings, stateStoreId, secrets: null)
    {
    }

    /// <summary>A configuration whose secret settings <paramref name="secrets"/> reads when the driver asks (null: none can be read).</summary>
    public BackendConfiguration(string name, IReadOnlyDictionary<string, string> settings, string stateStoreId, ISecretResolver? secrets)
    {
        Name = name;
        Settings = settings;
        StateStoreId = stateStoreId;
        _secrets = secrets;
    }

    public string Name { get; }

    /// <summary>The settings as <see cref="IStorageDriver.ValidateSettings"/> returned them; a secret setting holds its reference, never its value.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>The identity of the state store that owns the backend, so storage can refuse a second owner.</summary>
    public string StateStoreId { get; }

    /// <summary>
    /// The value of a setting declared <see cref="DriverSetting.Secret"/>, read now from the reference the setting holds;
    /// null when the backend has no such setting. Ask when the value is needed and keep it no longer than that work:
    /// never store it, log it or put it in a message. A reference that cannot be read throws a
    /// <see cref="StorageDriverException"/> naming the setting and the reference; let it propagate.
    /// </summary>
    public string? ResolveSecret(string settingName)
    {
        var reference = Settings.TryGetValue(settingName, out var exact)
            ? exact
            : Settings.FirstOrDefault(s => string.Equals(s.Key, settingName, StringComparison.OrdinalIgnoreCase)).Value;
        if (reference is null)
        {
            return null;
        }

        return _secrets is null
            ? throw new StorageDriverException(DriverErrorIds.NotSupported, $"Setting '{settingName}' of backend '{Name}' is a secret ('{reference}'), and this configuration was given no secret resolver to read it.")
            : _secrets.Resolve(settingName, reference);
    }

    public override string ToString() => Name;
}
