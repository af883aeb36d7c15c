using System.Collections.Generic;

namespace Replication.Drivers;

/// <summary>One backend as the admin defined it: its name and the settings the driver validated.</summary>
public sealed class BackendConfiguration
{
    public BackendConfiguration(string name, IReadOnlyDictionary<string, string> settings, string stateStoreId)
    {
        Name = name;
        Settings = settings;
        StateStoreId = stateStoreId;
    }

    public string Name { get; }

    /// <summary>The settings as <see cref="IStorageDriver.ValidateSettings"/> returned them; a secret setting holds its name.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>The identity of the state store that owns the backend, so storage can refuse a second owner.</summary>
    public string StateStoreId { get; }

    public override string ToString() => Name;
}
