using System.Collections.Generic;

namespace Replication.Engine.Catalog;

/// <summary>What Set-StorageBackend asks to change; what is left null (or empty) stays as it is.</summary>
public sealed class BackendEdit
{
    /// <summary>Declared capabilities to add or replace.</summary>
    public IReadOnlyDictionary<string, object?> Capabilities { get; init; } = new Dictionary<string, object?>();

    /// <summary>Declared capabilities to remove.</summary>
    public IReadOnlyCollection<string> RemoveCapabilities { get; init; } = new List<string>();

    /// <summary>True to change the replication partner to <see cref="ReplicationPartner"/> (null: none).</summary>
    public bool ChangePartner { get; init; }

    public string? ReplicationPartner { get; init; }

    /// <summary>Driver settings to add or replace, checked by the driver with the ones kept.</summary>
    public IReadOnlyDictionary<string, object?> Settings { get; init; } = new Dictionary<string, object?>();
}
