using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Replication.Engine.Capabilities;
using Replication.Engine.Errors;

namespace Replication.Engine.Placement;

/// <summary>A volume type's extra specs, parsed once, and what they imply.</summary>
public sealed class VolumeTypeSpecs
{
    public const string ReplicationKey = "capabilities:replication";

    public const string ReplicationRequirement = "<is> True";

    /// <summary>The type's recovery point objective in minutes: DR tests fail when the replica's data is older.</summary>
    public const string RpoKey = "replication:rpo_minutes";

    public VolumeTypeSpecs(IReadOnlyDictionary<string, string> extraSpecs)
    {
        Requirements = extraSpecs.OrderBy(s => s.Key, System.StringComparer.Ordinal)
            .Select(s => ExtraSpecRequirement.Parse(s.Key, s.Value)).ToList();
        if (extraSpecs.TryGetValue(RpoKey, out var rpo))
        {
            RpoTarget = double.TryParse(rpo, NumberStyles.Float, CultureInfo.InvariantCulture, out var minutes) && minutes > 0 && minutes <= TimeSpan.MaxValue.TotalMinutes / 2
                ? TimeSpan.FromMinutes(minutes)
                : throw new ReplicationException(ErrorIds.InvalidExtraSpec, ErrorKind.InvalidArgument,
                    $"The extra spec {RpoKey} = '{rpo}' must be a positive number of minutes (for example 15).", RpoKey);
        }
    }

    public IReadOnlyList<ExtraSpecRequirement> Requirements { get; }

    /// <summary>The RPO target from <see cref="RpoKey"/>, if the type sets one.</summary>
    public TimeSpan? RpoTarget { get; }

    /// <summary>
    /// True when placement demands a backend that replicates: some spec on the replication capability accepts a backend
    /// reporting True and refuses one reporting False (so "&lt;is&gt; True", "True", "&lt;or&gt; True &lt;or&gt; yes" all count).
    /// </summary>
    public bool RequiresReplication => Requirements.Any(r =>
        r.AppliesToCapabilities && r.CapabilityPath.Count == 1 && r.CapabilityPath[0] == "replication" && r.Accepts(true) && !r.Accepts(false));
}
