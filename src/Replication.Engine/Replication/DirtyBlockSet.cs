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
    public long Count
    {
        get
        {
            long count = 0;
            for (long block = 0; block < BlockCount; block++)
            {
                count += IsDirty(block) ? 1 : 0;
            }

            return count;
        }
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
