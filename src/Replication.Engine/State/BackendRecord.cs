using System;
using System.Collections.Generic;
using Newtonsoft.Json;

namespace Replication.Engine.State;

/// <summary>A backend as stored: what the admin defined, nothing the driver reports live.</summary>
public sealed record BackendRecord
{
    public string Name { get; init; } = "";

    public string Driver { get; init; } = "";

    public string Path { get; init; } = "";

    public string? ReplicationPartner { get; init; }

    public IReadOnlyDictionary<string, object?> DeclaredCapabilities { get; init; } = new Dictionary<string, object?>();

    /// <summary>The driver's settings (New-StorageBackend -Setting), as the driver checked and stored them; empty for a backend of an older version.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The identity of the state store this record was read from (one for the whole store, not a column of the backend).
    /// The driver marks the backend's storage with it, so a second state store cannot take the same storage over.
    /// </summary>
    [JsonIgnore]
    public Guid StoreId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the backend was frozen (Cinder's freeze): nothing on it changes through the module until thawed.</summary>
    public DateTimeOffset? FrozenAt { get; init; }

    /// <summary>When the backend was failed over: its volumes are served from its partner until failback.</summary>
    public DateTimeOffset? FailedOverAt { get; init; }
}
