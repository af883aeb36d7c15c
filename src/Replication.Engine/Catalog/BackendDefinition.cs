using System.Collections.Generic;

namespace Replication.Engine.Catalog;

/// <summary>What an admin asks for when defining a backend.</summary>
public sealed class BackendDefinition
{
    public string Name { get; init; } = "";

    public string Driver { get; init; } = "";

    /// <summary>An absolute path; hosts resolve relative paths against their own current location first.</summary>
    public string Path { get; init; } = "";

    public string? ReplicationPartner { get; init; }

    public IReadOnlyDictionary<string, object?> DeclaredCapabilities { get; init; } = new Dictionary<string, object?>();

    /// <summary>The driver's settings (for LocalFile: FileMode and FolderMode), checked by the driver.</summary>
    public IReadOnlyDictionary<string, object?> Settings { get; init; } = new Dictionary<string, object?>();
}
