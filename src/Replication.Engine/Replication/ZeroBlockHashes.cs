using System;
using System.Collections.Concurrent;

namespace Replication.Engine.Replication;

/// <summary>The hash of an all-zero block, per block length (all blocks share one length except a volume's last).</summary>
internal static class ZeroBlockHashes
{
    private static readonly ConcurrentDictionary<int, byte[]> Cache = new();

    public static ReadOnlySpan<byte> For(int length) => Cache.GetOrAdd(length, static l =>
    {
        var hash = new byte[BlockMap.HashSize];
        BlockMap.Hash(new byte[l], hash);
        return hash;
    });
}
