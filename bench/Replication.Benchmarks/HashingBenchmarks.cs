using System;
using System.IO;
using System.IO.Hashing;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Replication.Engine.Replication;

namespace Replication.Benchmarks;

/// <summary>
/// Block hashing as a sync round does it, block by block: 1 MiB hashed as sixteen 64 KiB blocks. Throughput = 1 MiB / mean.
/// BlockMap.Hash is the engine's XxHash128; SHA-256 (hardware-accelerated where the CPU has SHA-NI) is the reference
/// a cryptographic map would pay.
/// <para>This project runs on net10.0, so NuGet gives it System.IO.Hashing's net10.0 build. The module ships the
/// package's net8.0 build for PowerShell 7.4+ (and its netstandard2.0 build for Windows PowerShell): "as shipped" loads
/// the net8.0 file (REPLICATION_BENCH_HASHING_DLL, else the NuGet cache) into its own load context and times the same loop.</para>
/// </summary>
[MemoryDiagnoser]
public class HashingBenchmarks
{
    public const int ReadSize = 1 << 20;

    private readonly byte[] _data = new byte[ReadSize];
    private readonly byte[] _hash = new byte[32];

    private HashBlock? _shipped;

    private delegate int HashBlock(ReadOnlySpan<byte> source, Span<byte> destination, long seed);

    [GlobalSetup]
    public void Setup()
    {
        new Random(42).NextBytes(_data);
        var path = ShippedHashingPath();
        if (path is not null)
        {
            var assembly = new AssemblyLoadContext("shipped System.IO.Hashing", isCollectible: false).LoadFromAssemblyPath(path);
            var method = assembly.GetType("System.IO.Hashing.XxHash128", throwOnError: true)!
                .GetMethod("Hash", BindingFlags.Public | BindingFlags.Static, new[] { typeof(ReadOnlySpan<byte>), typeof(Span<byte>), typeof(long) })!;
            _shipped = (HashBlock)Delegate.CreateDelegate(typeof(HashBlock), method);
        }
    }

    /// <summary>The net8.0 System.IO.Hashing.dll the module ships for PowerShell 7.4+, or null when none is found.</summary>
    public static string? ShippedHashingPath()
    {
        var given = Environment.GetEnvironmentVariable("REPLICATION_BENCH_HASHING_DLL");
        if (!string.IsNullOrEmpty(given) && File.Exists(given))
        {
            return given;
        }

        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var folder = Path.Combine(packages, "system.io.hashing");
        return Directory.Exists(folder)
            ? Directory.GetDirectories(folder)
                .Select(d => Path.Combine(d, "lib", "net8.0", "System.IO.Hashing.dll"))
                .Where(File.Exists)
                .OrderByDescending(f => Version.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(f)))), out var v) ? v : new Version())
                .FirstOrDefault()
            : null;
    }

    [Benchmark(Description = "XxHash128 as pwsh 7.4+ loads it from the module (net8.0 build), 16 x 64 KiB")]
    public byte XxHash128ShippedBlocks()
    {
        if (_shipped is null)
        {
            throw new InvalidOperationException("The net8.0 System.IO.Hashing.dll was not found; set REPLICATION_BENCH_HASHING_DLL.");
        }

        for (var offset = 0; offset < ReadSize; offset += BlockMap.DefaultBlockSize)
        {
            _shipped(_data.AsSpan(offset, BlockMap.DefaultBlockSize), _hash, 0);
        }

        return _hash[0];
    }

    [Benchmark(Baseline = true, Description = "XxHash128 (BlockMap.Hash, net10.0 build), 16 x 64 KiB")]
    public byte XxHash128Blocks()
    {
        for (var offset = 0; offset < ReadSize; offset += BlockMap.DefaultBlockSize)
        {
            BlockMap.Hash(_data.AsSpan(offset, BlockMap.DefaultBlockSize), _hash);
        }

        return _hash[0];
    }

    [Benchmark(Description = "XxHash3 64-bit, 16 x 64 KiB")]
    public ulong XxHash3Blocks()
    {
        ulong last = 0;
        for (var offset = 0; offset < ReadSize; offset += BlockMap.DefaultBlockSize)
        {
            last ^= XxHash3.HashToUInt64(_data.AsSpan(offset, BlockMap.DefaultBlockSize));
        }

        return last;
    }

    [Benchmark(Description = "SHA-256, 16 x 64 KiB")]
    public byte Sha256Blocks()
    {
        for (var offset = 0; offset < ReadSize; offset += BlockMap.DefaultBlockSize)
        {
            SHA256.HashData(_data.AsSpan(offset, BlockMap.DefaultBlockSize), _hash);
        }

        return _hash[0];
    }
}
