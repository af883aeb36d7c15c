using System;
using System.Collections.Generic;
using Replication.Drivers;
using Replication.Engine.State;

namespace Replication.Engine.Drivers;

/// <summary>A stored backend as its driver sees it: its settings, the file-system path as LocalFile's Path setting, and the state store that owns it.</summary>
internal static class BackendBinding
{
    /// <summary>LocalFile's shorthand: the backend's folder, kept in its own column of state and handed to the driver as this setting.</summary>
    public const string PathSetting = "Path";

    public static BackendConfiguration ConfigurationOf(BackendRecord backend)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var setting in backend.Settings)
        {
            settings[setting.Key] = setting.Value;
        }

        if (!string.IsNullOrEmpty(backend.Path))
        {
            settings[PathSetting] = backend.Path;
        }

        return new BackendConfiguration(backend.Name, settings, backend.StoreId.ToString("D"), Loading.SecretReferences.For(backend.Name));
    }
}
