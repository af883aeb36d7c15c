using System;
using System.Collections.Generic;

namespace Replication.Engine.State;

public sealed class VolumeTypeRecord
{
    public string Name { get; init; } = "";

    public string? Description { get; init; }

    public IReadOnlyDictionary<string, string> ExtraSpecs { get; init; } = new Dictionary<string, string>();

    public DateTimeOffset CreatedAt { get; init; }
}
