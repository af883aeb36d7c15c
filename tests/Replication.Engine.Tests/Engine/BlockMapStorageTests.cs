using System;
using Replication.Engine.Replication;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>Block maps are stored with runs of holes as counts: small for sparse volumes, exact for every map.</summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class BlockMapStorageTests
{
    private const long GiB = 1024 * MiB;

    [Fact]
    public void The_map_of_a_new_1_GiB_volume_is_stored_in_a_few_bytes_instead_of_256_KiB()
    {
        var empty = BlockMap.Empty(Block, GiB);

        var stored = BlockMapStorage.Encode(empty);

        Assert.True(stored.Length < 16, $"{stored.Length} bytes");
        Assert.True(BlockMapStorage.Decode(Block, GiB, stored).ContentEquals(empty));
    }

    [Theory]
    [InlineData(new long[] { 0 })]
    [InlineData(new long[] { 5, 6, 7, 200 })]
    [InlineData(new long[] { 1599 })] // the volume's last block, shorter than the others
    public void A_map_with_some_data_blocks_round_trips_exactly_and_stores_only_their_hashes(long[] dataBlocks)
    {
        var size = (100 * MiB) - 4096;
        var map = BlockMap.Empty(Block, size);
        foreach (var block in dataBlocks)
        {
            map.Set(block, Hash(block));
        }

        var stored = BlockMapStorage.Encode(map);

        Assert.True(stored.Length <= 1 + (dataBlocks.Length * (BlockMap.HashSize + 6)), $"{stored.Length} bytes");
        Assert.True(BlockMapStorage.Decode(Block, size, stored).ContentEquals(map));
    }

    [Fact]
    public void A_map_of_data_only_is_stored_plain_and_read_back_exactly()
    {
        var size = 8 * MiB;
        var map = BlockMap.Empty(Block, size);
        for (long block = 0; block < map.BlockCount; block++)
        {
            map.Set(block, Hash(block));
        }

        var stored = BlockMapStorage.Encode(map);

        Assert.Equal(map.ToBytes(), stored);
        Assert.True(BlockMapStorage.Decode(Block, size, stored).ContentEquals(map));
    }

    [Fact]
    public void A_written_block_of_zeros_is_kept_as_the_zero_hash_it_had()
    {
        var map = BlockMap.Empty(Block, 4 * MiB);
        var zeros = new byte[BlockMap.HashSize];
        BlockMap.Hash(new byte[Block], zeros);
        map.Set(3, zeros);

        var read = BlockMapStorage.Decode(Block, 4 * MiB, BlockMapStorage.Encode(map));

        Assert.True(read.ContentEquals(map));
        Assert.True(read.IsZero(3));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x00, 0x01 })]             // not the run-length form
    [InlineData(new byte[] { 0x5A, 0x80 })]             // ends inside a count
    [InlineData(new byte[] { 0x5A, 0x10, 0x60 })]       // more blocks than the volume has
    [InlineData(new byte[] { 0x5A, 0x3F, 0x01, 0x01 })] // a data block without its hash
    [InlineData(new byte[] { 0x5A, 0x40, 0x00, 0x07 })] // bytes after the last block
    public void A_damaged_stored_map_is_a_FormatException_never_a_wrong_map(byte[] stored)
    {
        Assert.Throws<FormatException>(() => BlockMapStorage.Decode(Block, 4 * MiB, stored));
    }

    [Fact]
    public void The_state_store_keeps_the_short_form_and_reads_it_back()
    {
        using var site = new EngineSite().WithPairAndReplicatedType();
        var id = site.CreateVolume("db01", GiB).Id;

        // The stored row as the store's own dump shows it ("blob[length]:sha256"), in SQLite and PostgreSQL alike.
        var blockMaps = site.SnapshotDatabase().Split("== block_maps\n")[1].Split("== ")[0];
        Assert.True(int.Parse(System.Text.RegularExpressions.Regex.Match(blockMaps, @"blob\[(\d+)\]").Groups[1].Value) < 16, blockMaps);

        using var read = site.Engine.Context.Store.Begin(write: false);
        Assert.True(read.LoadBlockMap(id)!.ContentEquals(BlockMap.Empty(Block, GiB)));
    }

    private static byte[] Hash(long block)
    {
        var hash = new byte[BlockMap.HashSize];
        BlockMap.Hash(BitConverter.GetBytes(block + 1), hash);
        return hash;
    }
}
