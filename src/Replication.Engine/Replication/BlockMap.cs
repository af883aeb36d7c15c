using System;
using System.IO.Hashing;

namespace Replication.Engine.Replication;

/// <summary>
/// One XxHash128 per fixed-size block of a volume, as of a sync round. Comparing the primary's blocks with it finds
/// what changed without reading the replica; holes hash like zero blocks, so a hole and written zeros compare equal.
/// </summary>
public sealed class BlockMap
{
    public const int HashSize = 16;

    /// <summary>64 KiB: large enough that per-block overhead vanishes next to I/O, small enough that a 1% change stays near 1% of bytes.</summary>
    public const int DefaultBlockSize = 64 * 1024;

    private readonly byte[] _hashes;

    private BlockMap(int blockSize, long volumeSize, byte[] hashes)
    {
        BlockSize = blockSize;
        VolumeSize = volumeSize;
        _hashes = hashes;
    }

    public int BlockSize { get; }

    public long VolumeSize { get; }

    public long BlockCount => BlockCountFor(VolumeSize, BlockSize);

    public static long BlockCountFor(long volumeSize, int blockSize) => (volumeSize + blockSize - 1) / blockSize;

    /// <summary>The map of a volume that is all holes (a new volume, or one whose data was all deallocated).</summary>
    public static BlockMap Empty(int blockSize, long volumeSize)
    {
        var map = new BlockMap(blockSize, volumeSize, new byte[checked(BlockCountFor(volumeSize, blockSize) * HashSize)]);
        for (long block = 0; block < map.BlockCount; block++)
        {
            map.SetZero(block);
        }

        return map;
    }

    public static BlockMap FromBytes(int blockSize, long volumeSize, byte[] hashes)
    {
        if (hashes.Length != BlockCountFor(volumeSize, blockSize) * HashSize)
        {
            throw new FormatException($"A block map for {volumeSize} bytes in {blockSize}-byte blocks needs {BlockCountFor(volumeSize, blockSize) * HashSize} bytes, not {hashes.Length}.");
        }

        return new BlockMap(blockSize, volumeSize, hashes);
    }

    public byte[] ToBytes() => (byte[])_hashes.Clone();

    public int BlockLength(long block) => (int)Math.Min(BlockSize, VolumeSize - (block * BlockSize));

    public bool Matches(long block, ReadOnlySpan<byte> hash) => hash.SequenceEqual(Slot(block));

    public bool IsZero(long block) => Matches(block, ZeroBlockHashes.For(BlockLength(block)));

    public void Set(long block, ReadOnlySpan<byte> hash) => hash.CopyTo(Slot(block));

    public void CopyHash(long block, Span<byte> hash) => Slot(block).CopyTo(hash);

    public void SetZero(long block) => Set(block, ZeroBlockHashes.For(BlockLength(block)));

    /// <summary>Hashes one block's bytes into <paramref name="hash"/> (16 bytes).</summary>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> hash) => XxHash128.Hash(data, hash);

    public bool ContentEquals(BlockMap other) =>
        other.BlockSize == BlockSize && other.VolumeSize == VolumeSize && other._hashes.AsSpan().SequenceEqual(_hashes);

    private Span<byte> Slot(long block) => _hashes.AsSpan(checked((int)(block * HashSize)), HashSize);
}
