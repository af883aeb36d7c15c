using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Replication.Benchmarks;

/// <summary>
/// Runs the micro-benchmarks with a short, fixed job (in-process, so no per-benchmark project build) and writes
/// micro.json (name, mean/median ns, allocated bytes, MB/s where it means something) to the folder given first.
/// "read-allocated &lt;file&gt;" instead times one read of a file's allocated extents (a baseline for the sync benchmark).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "read-allocated")
        {
            return ReadAllocated.Run(args[1]);
        }

        var outFolder = Path.GetFullPath(args.Length > 0 ? args[0] : "BenchmarkDotNet.Artifacts");
        Directory.CreateDirectory(outFolder);
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(4)
            .WithIterationCount(12)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(200))
            .WithId("short-inprocess");
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddLogger(ConsoleLogger.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddExporter(MarkdownExporter.GitHub)
            .WithArtifactsPath(Path.Combine(outFolder, "bdn"))
            .WithOptions(ConfigOptions.DisableLogFile);
        var types = new[] { typeof(HashingBenchmarks), typeof(MatchingBenchmarks), typeof(PlacementBenchmarks) };
        var summaries = args.Length > 1
            ? BenchmarkSwitcher.FromTypes(types).Run(args.Skip(1).ToArray(), config).ToArray()
            : BenchmarkRunner.Run(types, config);
        var rows = new List<Dictionary<string, object?>>();
        foreach (var summary in summaries)
        {
            foreach (var report in summary.Reports)
            {
                var stats = report.ResultStatistics;
                var method = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
                double? mbPerSecond = report.BenchmarkCase.Descriptor.Type == typeof(HashingBenchmarks) && stats is not null
                    ? HashingBenchmarks.ReadSize / (stats.Median / 1e9) / 1e6
                    : null;
                rows.Add(new Dictionary<string, object?>
                {
                    ["class"] = report.BenchmarkCase.Descriptor.Type.Name,
                    ["method"] = method,
                    ["description"] = report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\''),
                    ["parameters"] = report.BenchmarkCase.Parameters.DisplayInfo,
                    ["meanNs"] = stats?.Mean,
                    ["medianNs"] = stats?.Median,
                    ["stdDevNs"] = stats?.StandardDeviation,
                    ["allocatedBytesPerOp"] = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase),
                    ["throughputMBps"] = mbPerSecond,
                    ["success"] = report.Success,
                });
            }
        }

        var file = Path.Combine(outFolder, "micro.json");
        File.WriteAllText(file, JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"Micro-benchmark summary: {file}");
        return rows.Count > 0 && rows.All(r => (bool)r["success"]!) ? 0 : 1;
    }
}
