using System;
using System.Collections.Generic;
using Replication.Engine.Placement;
using Replication.Engine.State;

namespace Replication.Engine.Health;

/// <summary>The RPO target (replication:rpo_minutes) of each volume type, read in the caller's transaction and parsed once per type.</summary>
internal sealed class RpoTargets
{
    private readonly IStateSession _session;
    private readonly Dictionary<string, TimeSpan?> _byType = new(StringComparer.OrdinalIgnoreCase);

    public RpoTargets(IStateSession session) => _session = session;

    /// <summary>The type's target, or null when it sets none (or no longer exists, which state forbids while a volume uses it).</summary>
    public TimeSpan? For(string volumeType)
    {
        if (!_byType.TryGetValue(volumeType, out var target))
        {
            target = _session.FindVolumeType(volumeType) is { } type ? new VolumeTypeSpecs(type.ExtraSpecs).RpoTarget : null;
            _byType[volumeType] = target;
        }

        return target;
    }
}
