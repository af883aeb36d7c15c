using System;
using System.Collections.Generic;

namespace Replication.Engine.State;

/// <summary>A backend as stored: what the admin defined, nothing the driver reports live.</summary>
public sealed class BackendRecord
{
    public string Name { get; init; } = "";

    public string Driver { get; init; } = "";

    public string Path { get; init; } = "";

    public string? ReplicationPartner { get; init; }

    public IReadOnlyDictionary<string, object?> DeclaredCapabilities { get; init; } = new Dictionary<string, object?>();

    public DateTimeOffset CreatedAt { get; init; }
}
