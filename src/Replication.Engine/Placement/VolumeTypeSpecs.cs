using System.Collections.Generic;
using System.Linq;
using Replication.Engine.Capabilities;

namespace Replication.Engine.Placement;

/// <summary>A volume type's extra specs, parsed once, and what they imply.</summary>
public sealed class VolumeTypeSpecs
{
    public const string ReplicationKey = "capabilities:replication";

    public const string ReplicationRequirement = "<is> True";

    public VolumeTypeSpecs(IReadOnlyDictionary<string, string> extraSpecs)
    {
        Requirements = extraSpecs.OrderBy(s => s.Key, System.StringComparer.Ordinal)
            .Select(s => ExtraSpecRequirement.Parse(s.Key, s.Value)).ToList();
    }

    public IReadOnlyList<ExtraSpecRequirement> Requirements { get; }

    /// <summary>
    /// True when placement demands a backend that replicates: some spec on the replication capability accepts a backend
    /// reporting True and refuses one reporting False (so "&lt;is&gt; True", "True", "&lt;or&gt; True &lt;or&gt; yes" all count).
    /// </summary>
    public bool RequiresReplication => Requirements.Any(r =>
        r.AppliesToCapabilities && r.CapabilityPath.Count == 1 && r.CapabilityPath[0] == "replication" && r.Accepts(true) && !r.Accepts(false));
}
