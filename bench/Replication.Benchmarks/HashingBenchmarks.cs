using System;
using System.IO.Hashing;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Replication.Engine.Replication;

namespace Replication.Benchmarks;

/// <summary>
/// Block hashing as a sync round does it: one 1 MiB read hashed as sixteen 64 KiB blocks. Throughput = 1 MiB / mean.
/// BlockMap.Hash is the engine's XxHash128; SHA-256 (hardware-accelerated where the CPU has SHA-NI) is the reference
/// a cryptographic map would pay.
/// </summary>
[MemoryDiagnoser]
public class HashingBenchmarks
{
    public const int ReadSize = 1 << 20;

    private readonly byte[] _data = new byte[ReadSize];
    private readonly byte[] _hash = new byte[32];

    [GlobalSetup]
    public void Setup() => new Random(42).NextBytes(_data);

    [Benchmark(Baseline = true, Description = "XxHash128 (BlockMap.Hash), 16 x 64 KiB")]
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
