using System.Collections.Generic;
using System.Linq;
using Replication.Engine.Capabilities;
using Replication.Engine.Errors;
using Replication.Engine.Model;

namespace Replication.Engine.Placement;

/// <summary>
/// Cinder's filter scheduler, reduced to what matters here: the capabilities filter (every extra spec must hold) and
/// the capacity weigher (most free space wins; the name breaks ties so placement is repeatable).
/// </summary>
public static class BackendScheduler
{
    /// <summary>How many specs (and backends per spec) a message names before it just counts the rest.</summary>
    private const int Named = 10;

    private const int BackendsNamedPerSpec = 3;

    public static PlacementDecision Place(string volumeTypeName, VolumeTypeSpecs specs, IReadOnlyList<StorageBackend> backends)
    {
        var reasons = new List<string>();
        var candidates = new List<StorageBackend>();
        var failuresBySpec = specs.Requirements.ToDictionary(r => r, _ => new List<string>());
        var unavailable = new List<string>();
        var considered = new List<StorageBackend>();
        var byName = backends.ToDictionary(b => b.Name, System.StringComparer.OrdinalIgnoreCase);
        var requiresReplication = specs.RequiresReplication;
        foreach (var backend in backends)
        {
            if (Unavailable(backend, requiresReplication, byName) is { } why)
            {
                unavailable.Add($"'{backend.Name}' {why}");
                reasons.Add($"Backend '{backend.Name}' was left out: it {why}.");
                continue;
            }

            considered.Add(backend);
            var failed = specs.Requirements
                .Select(r => (Requirement: r, Match: r.Match(backend.Capabilities)))
                .Where(m => !m.Match.IsSatisfied)
                .ToList();
            foreach (var (requirement, match) in failed)
            {
                failuresBySpec[requirement].Add($"{backend.Name} {match.Reason}");
            }

            if (failed.Count == 0)
            {
                candidates.Add(backend);
                reasons.Add($"Backend '{backend.Name}' satisfies every extra spec of volume type '{volumeTypeName}' (free {FreeGb(backend)} GB).");
            }
            else
            {
                reasons.Add($"Backend '{backend.Name}' was filtered out: {Some(failed.Select(f => $"{f.Requirement} not met, it {f.Match.Reason}").ToList(), "; ", Named, "specs not met")}.");
            }
        }

        var chosen = candidates.OrderByDescending(FreeGb).ThenBy(b => b.Name, System.StringComparer.OrdinalIgnoreCase).FirstOrDefault();
        if (chosen is null)
        {
            var message = considered.Count == 0 && unavailable.Count > 0
                ? $"No backend can take a new volume of type '{volumeTypeName}' now: {Some(unavailable, "; ", Named, "backends")}. Resume-StorageBackend thaws a frozen backend; Invoke-BackendFailback returns a failed-over one."
                : NoBackendMessage(volumeTypeName, considered, failuresBySpec) + (unavailable.Count > 0 ? $" Not available for new volumes: {Some(unavailable, "; ", Named, "backends")}." : "");

            throw new ReplicationException(ErrorIds.NoValidBackend, ErrorKind.ResourceUnavailable, message, volumeTypeName);
        }

        reasons.Add(candidates.Count == 1
            ? $"Chose '{chosen.Name}', the only backend that satisfies the type."
            : $"Chose '{chosen.Name}' among {candidates.Count} matching backends: it has the most free capacity.");
        return new PlacementDecision(chosen, reasons);
    }

    /// <summary>Why a backend cannot take a new volume whatever the specs say, or null when it can.</summary>
    private static string? Unavailable(StorageBackend backend, bool requiresReplication, Dictionary<string, StorageBackend> byName)
    {
        if (backend.FrozenAt is not null)
        {
            return "is frozen";
        }

        if (backend.FailedOverAt is not null)
        {
            return "is failed over";
        }

        return requiresReplication && backend.ReplicationPartner is { } partnerName && byName.TryGetValue(partnerName, out var partner) && partner.FrozenAt is not null
            ? $"has a frozen replication partner ('{partner.Name}'), where no replica can be made"
            : null;
    }

    private static string NoBackendMessage(string volumeTypeName, IReadOnlyList<StorageBackend> backends, Dictionary<ExtraSpecRequirement, List<string>> failuresBySpec)
    {
        if (backends.Count == 0)
        {
            return "No backend satisfies volume type '" + volumeTypeName + "': there are no backends that can take a volume. Add one with New-StorageBackend.";
        }

        var unmet = failuresBySpec.Where(f => f.Value.Count == backends.Count).ToList();
        if (unmet.Count > 0)
        {
            return $"No backend satisfies volume type '{volumeTypeName}': " +
                Some(unmet.Take(Named + 1).Select(f => $"no backend meets {f.Key} ({Backends(f.Value)})").ToList(), "; ", Named, "specs that no backend meets", unmet.Count) + ".";
        }

        var failing = failuresBySpec.Where(f => f.Value.Count > 0).ToList();
        return $"No backend satisfies volume type '{volumeTypeName}': each spec is met by some backend, but no backend meets them all (" +
            Some(failing.Take(Named + 1).Select(f => $"{f.Key} fails on {Backends(f.Value)}").ToList(), "; ", Named, "specs that some backend fails", failing.Count) + ").";
    }

    private static string Backends(IReadOnlyList<string> failures) => Some(failures, ", ", BackendsNamedPerSpec, "backends");

    /// <summary>
    /// The first <paramref name="named"/> items, then how many more there are (of <paramref name="total"/>, when only the
    /// first few were formatted): a type with thousands of specs, or a fleet of backends, still gets a message one can read.
    /// </summary>
    private static string Some(IReadOnlyList<string> items, string separator, int named, string more, int? total = null)
    {
        var count = total ?? items.Count;
        return count <= named
            ? string.Join(separator, items)
            : $"{string.Join(separator, items.Take(named))} and {count - named} more {more}";
    }

    private static double FreeGb(StorageBackend backend) =>
        backend.Capabilities.TryGetValue("free_capacity_gb", out var free) && free is not null && CapabilityValue.TryNumber(free, out var gb) ? gb : 0;
}
