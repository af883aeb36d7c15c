using System;
using System.Collections.Generic;

namespace Replication.Engine.Model;

/// <summary>A storage backend (one per data centre in the usual pairing) and the capabilities it reports.</summary>
public sealed class StorageBackend
{
    public string Name { get; init; } = "";

    public string Driver { get; init; } = "";

    public string Path { get; init; } = "";

    /// <summary>The backend replicas of this backend's volumes go to, as configured.</summary>
    public string? ReplicationPartner { get; init; }

    /// <summary>True when the partner exists and names this backend back: only then can volumes here be replicated.</summary>
    public bool ReplicationEnabled { get; init; }

    /// <summary>Why volumes here cannot be replicated to the partner this backend names; null when they can, or when it names none.</summary>
    public string? PartnerProblem { get; init; }

    /// <summary>What the scheduler matches extra specs against: the driver's report merged with <see cref="DeclaredCapabilities"/>.</summary>
    public IReadOnlyDictionary<string, object?> Capabilities { get; init; } = new Dictionary<string, object?>();

    /// <summary>Capabilities the admin declared (for example tier = gold); the driver's own report wins on a clash.</summary>
    public IReadOnlyDictionary<string, object?> DeclaredCapabilities { get; init; } = new Dictionary<string, object?>();

    /// <summary>The driver's settings the backend was defined with (LocalFile: FileMode, FolderMode); a backend of an older version has the defaults.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Set while the backend is frozen: nothing on it changes through the module; sync rounds go on.</summary>
    public DateTimeOffset? FrozenAt { get; init; }

    /// <summary>Set while the backend is failed over: its volumes are served from its partner until failback.</summary>
    public DateTimeOffset? FailedOverAt { get; init; }

    /// <summary>Active, Frozen, FailedOver, or both.</summary>
    public string State => (FrozenAt, FailedOverAt) switch
    {
        (null, null) => "Active",
        (not null, null) => "Frozen",
        (null, not null) => "FailedOver",
        _ => "FailedOver, Frozen",
    };

    public override string ToString() => Name;
}
