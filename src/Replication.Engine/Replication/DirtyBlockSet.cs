using System;
using System.Collections.Generic;

namespace Replication.Engine.Replication;

/// <summary>
/// The blocks (of <see cref="BlockMap.DefaultBlockSize"/>, the block map's own size) that were written since a point in
/// time, one bit each: what a round copies when writes are tracked, instead of reading the whole volume.
/// </summary>
public sealed class DirtyBlockSet
{
    private readonly byte[] _bits;

    public DirtyBlockSet(long blockCount, byte[] bits)
    {
        if (bits.Length < (blockCount + 7) / 8)
        {
            throw new ArgumentException($"{blockCount} blocks need {(blockCount + 7) / 8} bytes of bits, not {bits.Length}.", nameof(bits));
        }

        BlockCount = blockCount;
        _bits = bits;
    }

    public long BlockCount { get; }

    public bool IsDirty(long block) => (_bits[block >> 3] & (1 << (int)(block & 7))) != 0;

    /// <summary>How many blocks are dirty.</summary>
    public long Count => CountDirty(_bits, null, BlockCount);

    /// <summary>
    /// The bits set among the first <paramref name="blockCount"/> of <paramref name="bits"/> (or of it and
    /// <paramref name="orWith"/> together), a byte at a time: a 1 TiB volume has 16 million blocks.
    /// </summary>
    internal static long CountDirty(byte[] bits, byte[]? orWith, long blockCount)
    {
        long count = 0;
        var wholeBytes = (int)(blockCount >> 3);
        for (var i = 0; i < wholeBytes; i++)
        {
            count += SetBits((byte)(bits[i] | (orWith is null ? 0 : orWith[i])));
        }

        var rest = (int)(blockCount & 7);
        if (rest != 0)
        {
            count += SetBits((byte)((bits[wholeBytes] | (orWith is null ? 0 : orWith[wholeBytes])) & ((1 << rest) - 1)));
        }

        return count;
    }

    private static int SetBits(byte value)
    {
        var count = 0;
        for (var rest = value; rest != 0; rest &= (byte)(rest - 1))
        {
            count++;
        }

        return count;
    }

    /// <summary>The dirty blocks as ascending runs: (first block, block count).</summary>
    public IEnumerable<(long First, long Count)> Runs()
    {
        long block = 0;
        while (block < BlockCount)
        {
            if (!IsDirty(block))
            {
                block++;
                continue;
            }

            var first = block;
            while (block < BlockCount && IsDirty(block))
            {
                block++;
            }

            yield return (first, block - first);
        }
    }
}
