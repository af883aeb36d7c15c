using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using Replication.Engine.Capabilities;
using Replication.Engine.Model;
using Replication.Engine.Placement;

namespace Replication.Benchmarks;

/// <summary>Capability sets and volume-type specs as a LocalFile deployment with declared capabilities has them.</summary>
internal static class Fixtures
{
    public static readonly string[] Sites = { "north", "south", "east", "west" };
    public static readonly string[] Tiers = { "gold", "silver", "bronze" };

    /// <summary>What a backend reports: the LocalFile driver's keys, replication, and the admin's declared capabilities.</summary>
    public static Dictionary<string, object?> Capabilities(int i) => new(System.StringComparer.OrdinalIgnoreCase)
    {
        ["volume_backend_name"] = $"backend-{i:D4}",
        ["vendor_name"] = "Replication.PowerShell",
        ["driver_version"] = "0.1.0",
        ["storage_protocol"] = "file",
        ["thin_provisioning_support"] = true,
        ["total_capacity_gb"] = 4096.0,
        ["free_capacity_gb"] = 100.0 + ((i * 7919) % 3000) + ((i % 10) / 10.0),
        ["replication"] = i % 5 != 0,
        ["site"] = Sites[i % Sites.Length],
        ["tier"] = Tiers[i % Tiers.Length],
        ["max_iops"] = 1000 * (1 + (i % 20)),
        ["features"] = new[] { "compression", i % 2 == 0 ? "dedup" : "encryption" },
        ["pool"] = new Dictionary<string, object?> { ["raid"] = i % 3 == 0 ? "raid10" : "raid6", ["disks"] = 12 },
    };

    /// <summary>A replicated gold type: seven specs covering the operators admins use.</summary>
    public static readonly Dictionary<string, string> ExtraSpecs = new()
    {
        ["capabilities:replication"] = "<is> True",
        ["capabilities:site"] = "<or> north <or> south",
        ["capabilities:tier"] = "s== gold",
        ["free_capacity_gb"] = ">= 500",
        ["capabilities:max_iops"] = "= 4000",
        ["capabilities:features"] = "<in> compression",
        ["capabilities:pool:raid"] = "raid10",
        ["replication:rpo_minutes"] = "15",
    };

    public static StorageBackend Backend(int i)
    {
        var capabilities = Capabilities(i);
        return new StorageBackend
        {
            Name = (string)capabilities["volume_backend_name"]!,
            Driver = "LocalFile",
            Path = $"/srv/backend-{i:D4}",
            ReplicationPartner = $"backend-{(i ^ 1):D4}",
            ReplicationEnabled = (bool)capabilities["replication"]!,
            Capabilities = capabilities,
        };
    }
}

/// <summary>ExtraSpecRequirement.Match: every spec of a type against one backend's capabilities (8 specs per call).</summary>
[MemoryDiagnoser]
public class MatchingBenchmarks
{
    private ExtraSpecRequirement[] _requirements = null!;
    private IReadOnlyDictionary<string, object?> _matching = null!;
    private IReadOnlyDictionary<string, object?> _failing = null!;

    [GlobalSetup]
    public void Setup()
    {
        _requirements = Fixtures.ExtraSpecs.Select(s => ExtraSpecRequirement.Parse(s.Key, s.Value)).ToArray();
        // The first backend that meets every spec, and one that fails several (so reasons are built).
        _matching = Enumerable.Range(0, 1000).Select(Fixtures.Capabilities).First(c => _requirements.All(r => r.Match(c).IsSatisfied));
        _failing = Enumerable.Range(0, 1000).Select(Fixtures.Capabilities).First(c => _requirements.Count(r => !r.Match(c).IsSatisfied) >= 3);
    }

    [Benchmark(Baseline = true, Description = "Match 8 specs, all satisfied")]
    public int MatchSatisfied()
    {
        var satisfied = 0;
        foreach (var requirement in _requirements)
        {
            satisfied += requirement.Match(_matching).IsSatisfied ? 1 : 0;
        }

        return satisfied;
    }

    [Benchmark(Description = "Match 8 specs, some fail (reasons built)")]
    public int MatchFailing()
    {
        var satisfied = 0;
        foreach (var requirement in _requirements)
        {
            satisfied += requirement.Match(_failing).IsSatisfied ? 1 : 0;
        }

        return satisfied;
    }

    [Benchmark(Description = "Parse 8 specs (VolumeTypeSpecs)")]
    public int ParseSpecs() => new VolumeTypeSpecs(Fixtures.ExtraSpecs).Requirements.Count;
}

/// <summary>BackendScheduler.Place over 1,000 backends (a fifth without replication, mixed sites, tiers and free space).</summary>
[MemoryDiagnoser]
public class PlacementBenchmarks
{
    private VolumeTypeSpecs _specs = null!;
    private VolumeTypeSpecs _simple = null!;
    private List<StorageBackend> _backends = null!;

    [Params(1000)]
    public int Backends { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _specs = new VolumeTypeSpecs(Fixtures.ExtraSpecs);
        _simple = new VolumeTypeSpecs(new Dictionary<string, string> { [VolumeTypeSpecs.ReplicationKey] = VolumeTypeSpecs.ReplicationRequirement });
        _backends = Enumerable.Range(0, Backends).Select(Fixtures.Backend).ToList();
    }

    [Benchmark(Baseline = true, Description = "Place: replicated gold type (8 specs)")]
    public string PlaceGold() => BackendScheduler.Place("gold", _specs, _backends).Backend.Name;

    [Benchmark(Description = "Place: replication only (1 spec)")]
    public string PlaceReplicated() => BackendScheduler.Place("replicated", _simple, _backends).Backend.Name;
}
