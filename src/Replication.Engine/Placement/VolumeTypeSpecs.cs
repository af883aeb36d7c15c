using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Replication.Engine.Capabilities;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.RecoveryPoints;

namespace Replication.Engine.Placement;

/// <summary>A volume type's extra specs, parsed once, and what they imply.</summary>
public sealed class VolumeTypeSpecs
{
    public const string ReplicationKey = "capabilities:replication";

    public const string ReplicationRequirement = "<is> True";

    /// <summary>The type's recovery point objective in minutes: DR tests fail when the replica's data is older.</summary>
    public const string RpoKey = "replication:rpo_minutes";

    /// <summary>Cinder's key for the replication mode: "&lt;in&gt; sync" (or plain "sync") places only on backends that can replicate synchronously.</summary>
    public const string ReplicationTypeKey = "replication_type";

    /// <summary>What a synchronous export does when the replica fails: "continue" (the default) or "stop".</summary>
    public const string SyncFailureKey = "replication:sync_failure";

    public VolumeTypeSpecs(IReadOnlyDictionary<string, string> extraSpecs)
    {
        Requirements = extraSpecs.OrderBy(s => s.Key, System.StringComparer.Ordinal)
            .Select(s => string.Equals(s.Key, ReplicationTypeKey, StringComparison.OrdinalIgnoreCase) ? ParseReplicationType(s.Value) : ExtraSpecRequirement.Parse(s.Key, s.Value)).ToList();
        if (ReplicationType == ReplicationType.Sync && !RequiresReplication)
        {
            throw new ReplicationException(ErrorIds.InvalidExtraSpec, ErrorKind.InvalidArgument,
                $"The extra spec {ReplicationTypeKey} asks for synchronous replication, but the type does not ask for replication: add {ReplicationKey} = '{ReplicationRequirement}' (New-ReplicatedVolumeType does).", ReplicationTypeKey);
        }

        if (extraSpecs.TryGetValue(SyncFailureKey, out var failure))
        {
            SyncFailure = failure switch
            {
                "continue" when ReplicationType == ReplicationType.Sync => SyncFailurePolicy.Continue,
                "stop" when ReplicationType == ReplicationType.Sync => SyncFailurePolicy.Stop,
                _ => throw new ReplicationException(ErrorIds.InvalidExtraSpec, ErrorKind.InvalidArgument,
                    ReplicationType == ReplicationType.Sync
                        ? $"The extra spec {SyncFailureKey} = '{Rules.Names.Printable(failure)}' must be 'continue' or 'stop'."
                        : $"The extra spec {SyncFailureKey} applies only to synchronous replication ({ReplicationTypeKey} = '<in> sync').", SyncFailureKey),
            };
        }
        if (extraSpecs.TryGetValue(RpoKey, out var rpo))
        {
            RpoTarget = double.TryParse(rpo, NumberStyles.Float, CultureInfo.InvariantCulture, out var minutes) && minutes > 0 && minutes <= TimeSpan.MaxValue.TotalMinutes / 2
                ? TimeSpan.FromMinutes(minutes)
                : throw new ReplicationException(ErrorIds.InvalidExtraSpec, ErrorKind.InvalidArgument,
                    $"The extra spec {RpoKey} = '{rpo}' must be a positive number of minutes (for example 15).", RpoKey);
        }

        RecoveryPoints = RecoveryPointPolicy.Parse(extraSpecs);
    }

    public IReadOnlyList<ExtraSpecRequirement> Requirements { get; }

    /// <summary>The recovery points the type's volumes keep (replication:recovery_*).</summary>
    public RecoveryPointPolicy RecoveryPoints { get; }

    /// <summary>The RPO target from <see cref="RpoKey"/>, if the type sets one.</summary>
    public TimeSpan? RpoTarget { get; }

    /// <summary>Sync when <see cref="ReplicationTypeKey"/> asks for it; async otherwise.</summary>
    public ReplicationType ReplicationType => Requirements.Any(r => r.Key == ReplicationTypeKey && r.Operands[0] == "sync") ? ReplicationType.Sync : ReplicationType.Async;

    /// <summary>From <see cref="SyncFailureKey"/>; <see cref="SyncFailurePolicy.Continue"/> when the type does not say.</summary>
    public SyncFailurePolicy SyncFailure { get; }

    /// <summary>
    /// True when placement demands a backend that replicates: some spec on the replication capability accepts a backend
    /// reporting True and refuses one reporting False (so "&lt;is&gt; True", "True", "&lt;or&gt; True &lt;or&gt; yes" all count).
    /// </summary>
    public bool RequiresReplication => Requirements.Any(r =>
        r.AppliesToCapabilities && r.CapabilityPath.Count == 1 && r.CapabilityPath[0] == "replication" && r.Accepts(true) && !r.Accepts(false));

    /// <summary>
    /// The replication mode spec as a requirement on the capability a backend reports (a list, as Cinder drivers report
    /// it): "&lt;in&gt; sync" as Cinder writes it; a plain "sync" or "async" reads the same.
    /// </summary>
    private static ExtraSpecRequirement ParseReplicationType(string value) => value.Trim() switch
    {
        "sync" or "<in> sync" => ExtraSpecRequirement.Parse(ReplicationTypeKey, "<in> sync"),
        "async" or "<in> async" => ExtraSpecRequirement.Parse(ReplicationTypeKey, "<in> async"),
        _ => throw new ReplicationException(ErrorIds.InvalidExtraSpec, ErrorKind.InvalidArgument,
            $"The extra spec {ReplicationTypeKey} = '{Rules.Names.Printable(value)}' must be '<in> sync' or '<in> async' (plain 'sync' or 'async' read the same).", ReplicationTypeKey),
    };
}
