using System;
using System.Collections.Generic;

namespace Replication.Engine.Model;

/// <summary>A volume type: a name and the extra specs every volume of the type must be placed by.</summary>
public sealed class VolumeType
{
    public string Name { get; init; } = "";

    public string? Description { get; init; }

    public IReadOnlyDictionary<string, string> ExtraSpecs { get; init; } = new Dictionary<string, string>();

    /// <summary>True when the extra specs require the replication capability, so volumes of the type get a replica.</summary>
    public bool IsReplicated { get; init; }

    /// <summary>Sync when the extra spec replication_type asks for synchronous replication (through an export); Async otherwise (<see cref="Model.ReplicationType"/>, as a word).</summary>
    public string ReplicationType { get; init; } = "";

    public DateTimeOffset CreatedAt { get; init; }

    public override string ToString() => Name;
}
