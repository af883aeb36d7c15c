using System;
using System.Collections.Generic;

namespace Replication.Engine.State;

/// <summary>A backend as stored: what the admin defined, nothing the driver reports live.</summary>
public sealed record BackendRecord
{
    public string Name { get; init; } = "";

    public string Driver { get; init; } = "";

    public string Path { get; init; } = "";

    public string? ReplicationPartner { get; init; }

    public IReadOnlyDictionary<string, object?> DeclaredCapabilities { get; init; } = new Dictionary<string, object?>();

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the backend was frozen (Cinder's freeze): nothing on it changes through the module until thawed.</summary>
    public DateTimeOffset? FrozenAt { get; init; }

    /// <summary>When the backend was failed over: its volumes are served from its partner until failback.</summary>
    public DateTimeOffset? FailedOverAt { get; init; }
}
