using System;
using System.IO;

namespace Replication.Engine.Replication;

/// <summary>
/// How a block map is kept in the state store: runs of hole blocks are written as counts, only data blocks as hashes,
/// so a new or sparse volume's map takes a few bytes instead of 16 per block (256 KiB per GiB). A map is stored plain
/// when that is not larger; the two forms are told apart by length, as a plain map's length is fixed by its volume.
/// </summary>
public static class BlockMapStorage
{
    private const byte RunLengthForm = 0x5A;

    public static byte[] Encode(BlockMap map)
    {
        var plainLength = map.BlockCount * BlockMap.HashSize;
        using var encoded = new MemoryStream();
        encoded.WriteByte(RunLengthForm);
        var hash = new byte[BlockMap.HashSize];
        long block = 0;
        while (block < map.BlockCount)
        {
            var holes = Count(map, block, hole: true);
            var data = Count(map, block + holes, hole: false);
            WriteCount(encoded, holes);
            WriteCount(encoded, data);
            for (var i = block + holes; i < block + holes + data; i++)
            {
                map.CopyHash(i, hash);
                encoded.Write(hash, 0, hash.Length);
            }

            block += holes + data;
            if (encoded.Length >= plainLength)
            {
                return map.ToBytes();
            }
        }

        return encoded.ToArray();
    }

    public static BlockMap Decode(int blockSize, long volumeSize, byte[] stored)
    {
        var blockCount = BlockMap.BlockCountFor(volumeSize, blockSize);
        if (stored.Length == blockCount * BlockMap.HashSize)
        {
            return BlockMap.FromBytes(blockSize, volumeSize, stored);
        }

        if (stored.Length == 0 || stored[0] != RunLengthForm)
        {
            throw new FormatException($"A stored block map for {volumeSize} bytes is {stored.Length} bytes and in no known form.");
        }

        var map = BlockMap.Empty(blockSize, volumeSize);
        var position = 1;
        long block = 0;
        while (block < blockCount)
        {
            block += ReadCount(stored, ref position);
            var data = ReadCount(stored, ref position);
            if (block + data > blockCount || position + (data * BlockMap.HashSize) > stored.Length)
            {
                throw new FormatException($"A stored block map for {volumeSize} bytes runs past its {blockCount} blocks.");
            }

            for (var i = 0L; i < data; i++, block++, position += BlockMap.HashSize)
            {
                map.Set(block, stored.AsSpan(position, BlockMap.HashSize));
            }
        }

        return position == stored.Length ? map : throw new FormatException("A stored block map has bytes after its last block.");
    }

    private static long Count(BlockMap map, long from, bool hole)
    {
        var block = from;
        while (block < map.BlockCount && map.IsZero(block) == hole)
        {
            block++;
        }

        return block - from;
    }

    private static void WriteCount(Stream stream, long value)
    {
        do
        {
            var low = (byte)(value & 0x7F);
            value >>= 7;
            stream.WriteByte(value == 0 ? low : (byte)(low | 0x80));
        }
        while (value != 0);
    }

    private static long ReadCount(byte[] stored, ref int position)
    {
        long value = 0;
        for (var shift = 0; shift < 63; shift += 7)
        {
            if (position >= stored.Length)
            {
                throw new FormatException("A stored block map ends inside a count.");
            }

            var b = stored[position++];
            value |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new FormatException("A stored block map has a count that is too long.");
    }
}
