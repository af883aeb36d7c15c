using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Replication.Drivers;
using Replication.Engine.Diagnostics;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Replication;

namespace Replication.Engine.Rounds;

/// <summary>
/// Finds the blocks of a source copy that differ from a block map and hands them to a sink. Only the source's
/// allocated extents are read (holes are known to be zero without reading), in large sequential reads.
/// </summary>
internal sealed class BlockReader
{
    // 4 MiB reads (64 KiB blocks): cold incremental rounds measured about 20% faster than with 1 MiB reads, for 6 MiB
    // more of buffers.
    private const int BlocksPerRead = 64;

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    private readonly IBlockDevice _source;
    private readonly string _sourceName;
    private readonly string _readErrorId;
    private readonly Action<long, long> _progress;
    private readonly CancellationToken _cancellation;

    /// <param name="sourceName">The source as messages name it.</param>
    /// <param name="readErrorId">The error a read failure becomes (PrimaryUnreadable when the source is the primary).</param>
    /// <param name="progress">Called now and then with bytes read so far and bytes to read in all.</param>
    public BlockReader(IBlockDevice source, string sourceName, string readErrorId, Action<long, long> progress, CancellationToken cancellation)
    {
        _source = source;
        _sourceName = sourceName;
        _readErrorId = readErrorId;
        _progress = progress;
        _cancellation = cancellation;
    }

    public long BytesRead { get; private set; }

    public long BlocksWritten { get; private set; }

    public long BytesWritten { get; private set; }

    public long BlocksDeallocated { get; private set; }

    /// <summary>Hashes every block of the source as it is now.</summary>
    public BlockMap HashAll(long size, int blockSize)
    {
        var map = BlockMap.Empty(blockSize, size);
        Walk(map, map, sink: null);
        return map;
    }

    /// <summary>
    /// Sends every block that differs from <paramref name="map"/> to <paramref name="sink"/>, updating the map in place
    /// to the source's blocks as it goes (no second map in memory: a 1 TiB volume's map is 256 MiB); returns it.
    /// </summary>
    public BlockMap CopyChanged(BlockMap map, IBlockSink sink)
    {
        Walk(map, map, sink);
        return map;
    }

    /// <summary>
    /// Reads only <paramref name="blocks"/> (the blocks an export marked as written) and sends those that differ to
    /// <paramref name="sink"/>, updating <paramref name="map"/> in place. Without <paramref name="replica"/> a block
    /// differs from the map's hash; with it (a replica a synchronous export wrote outside rounds) from the replica's own block.
    /// </summary>
    public BlockMap CopyBlocks(BlockMap map, DirtyBlockSet blocks, IBlockSink sink, IBlockDevice? replica, string replicaName = "")
    {
        var blockSize = map.BlockSize;
        var chunks = Chunks(blocks.Runs().ToList(), map).ToList();
        var buffer = new byte[chunks.Count == 0 ? 0 : chunks.Max(chunk => chunk.Length)];
        var replicaBuffer = replica is null ? null : new byte[buffer.Length];
        var hash = new byte[BlockMap.HashSize];
        var bytesToRead = chunks.Sum(c => (long)c.Length);
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        foreach (var chunk in chunks)
        {
            _cancellation.ThrowIfCancellationRequested();
            using (RoundClock.In(RoundPhase.Read))
            {
                ReadExactly(chunk.Offset, buffer, chunk.Length);
                if (replica is not null)
                {
                    DriverFaults.Run(() => replica.Read(chunk.Offset, replicaBuffer!, 0, chunk.Length), ErrorIds.ReplicaUnwritable, "Reading the replica", replicaName);
                }
            }

            BytesRead += chunk.Length;
            using var hashing = RoundClock.In(RoundPhase.Hash);
            for (var i = 0; i < chunk.Blocks; i++)
            {
                var block = chunk.FirstBlock + i;
                var blockLength = map.BlockLength(block);
                BlockMap.Hash(buffer.AsSpan(i * blockSize, blockLength), hash);
                var same = replica is null
                    ? map.Matches(block, hash)
                    : buffer.AsSpan(i * blockSize, blockLength).SequenceEqual(replicaBuffer.AsSpan(i * blockSize, blockLength));

                map.Set(block, hash);
                if (!same)
                {
                    Send(sink, block, buffer, i * blockSize, blockLength);
                }
            }

            if (clock.Elapsed - lastReport >= ProgressInterval)
            {
                lastReport = clock.Elapsed;
                _progress(BytesRead, bytesToRead);
            }
        }

        _progress(BytesRead, bytesToRead);
        return map;
    }

    /// <summary>
    /// Reads the source's data in large chunks, one chunk ahead: while a chunk is hashed and its changed blocks are
    /// written, the next one is already being read (two buffers), so reading overlaps hashing and writing. The buffers
    /// are as large as the largest chunk, and the first chunk is read on the caller's thread: a small volume's round
    /// (one chunk) allocates what it reads and hands nothing to another thread.
    /// </summary>
    private void Walk(BlockMap baseline, BlockMap result, IBlockSink? sink)
    {
        var blockSize = baseline.BlockSize;
        var runs = DataBlockRuns(blockSize, baseline.VolumeSize, out var bytesToRead);
        var chunkList = Chunks(runs, baseline).ToList();
        var largest = chunkList.Count == 0 ? 0 : chunkList.Max(chunk => chunk.Length);
        var buffers = new[] { new byte[largest], chunkList.Count > 1 ? new byte[largest] : Array.Empty<byte>() };
        var hash = new byte[BlockMap.HashSize];
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        long nextBlock = 0;
        using IEnumerator<Chunk> chunks = chunkList.GetEnumerator();
        Task? reading = null;
        try
        {
            var more = chunks.MoveNext();
            var current = chunks.Current;
            var buffer = 0;
            if (more)
            {
                using (RoundClock.In(RoundPhase.Read))
                {
                    ReadExactly(current.Offset, buffers[buffer], current.Length);
                }

                reading = Task.CompletedTask;
            }

            while (more)
            {
                _cancellation.ThrowIfCancellationRequested();
                using (RoundClock.In(RoundPhase.Read))
                {
                    reading!.GetAwaiter().GetResult();
                }

                BytesRead += current.Length;
                more = chunks.MoveNext();
                var next = chunks.Current;
                reading = more ? StartRead(next, buffers[1 - buffer]) : null;

                MarkHoles(baseline, result, sink, nextBlock, current.FirstBlock);
                using var hashing = RoundClock.In(RoundPhase.Hash);
                for (var i = 0; i < current.Blocks; i++)
                {
                    var block = current.FirstBlock + i;
                    var blockLength = baseline.BlockLength(block);
                    BlockMap.Hash(buffers[buffer].AsSpan(i * blockSize, blockLength), hash);
                    // Compared before it is set: baseline and result may be one map.
                    var changed = !baseline.Matches(block, hash);
                    result.Set(block, hash);
                    if (sink is not null && changed)
                    {
                        Send(sink, block, buffers[buffer], i * blockSize, blockLength);
                    }
                }

                nextBlock = current.FirstBlock + current.Blocks;
                if (clock.Elapsed - lastReport >= ProgressInterval)
                {
                    lastReport = clock.Elapsed;
                    _progress(BytesRead, bytesToRead);
                }

                current = next;
                buffer = 1 - buffer;
            }
        }
        finally
        {
            // A failure while a read is still running: let it end before the caller closes the source under it.
            try
            {
                reading?.Wait();
            }
            catch (AggregateException)
            {
                // The failure that stopped the walk is the one to report.
            }
        }

        MarkHoles(baseline, result, sink, nextBlock, baseline.BlockCount);
        _progress(BytesRead, bytesToRead);
    }

    /// <summary>The reads a walk makes: each data run cut into chunks of at most <see cref="BlocksPerRead"/> blocks.</summary>
    private static IEnumerable<Chunk> Chunks(List<(long First, long Count)> runs, BlockMap map)
    {
        foreach (var (first, count) in runs)
        {
            for (var block = first; block < first + count; block += BlocksPerRead)
            {
                var blocks = (int)Math.Min(BlocksPerRead, first + count - block);
                var offset = block * map.BlockSize;
                yield return new Chunk(block, blocks, offset, (int)Math.Min((long)blocks * map.BlockSize, map.VolumeSize - offset));
            }
        }
    }

    private Task StartRead(Chunk chunk, byte[] buffer) => Task.Run(() => ReadExactly(chunk.Offset, buffer, chunk.Length));

    /// <summary>Blocks in [from, to) hold no data on the source; any the baseline knew as data become holes.</summary>
    private void MarkHoles(BlockMap baseline, BlockMap result, IBlockSink? sink, long from, long to)
    {
        for (var block = from; block < to; block++)
        {
            if (baseline.IsZero(block))
            {
                continue;
            }

            result.SetZero(block);
            if (sink is not null)
            {
                sink.Deallocate(block, baseline.BlockLength(block));
                BlocksDeallocated++;
            }
        }
    }

    private void Send(IBlockSink sink, long block, byte[] buffer, int offset, int length)
    {
        if (BlockBytes.IsAllZero(buffer, offset, length))
        {
            sink.Deallocate(block, length);
            BlocksDeallocated++;
            return;
        }

        sink.Write(block, buffer, offset, length);
        BlocksWritten++;
        BytesWritten += length;
    }

    /// <summary>The source's data extents widened to whole blocks and merged: (first block, block count), ascending.</summary>
    private List<(long First, long Count)> DataBlockRuns(int blockSize, long size, out long bytesToRead)
    {
        var runs = new List<(long First, long Count)>();
        List<Extent> extents;
        using (RoundClock.In(RoundPhase.ExtentWalk))
        {
            extents = ReadSource(() => _source.AllocatedExtents(0, size).ToList());
        }

        foreach (var extent in extents)
        {
            var end = Math.Min(extent.End, size);
            if (extent.Offset >= end)
            {
                continue;
            }

            var first = extent.Offset / blockSize;
            var last = (end - 1) / blockSize;
            if (runs.Count > 0 && runs[runs.Count - 1].First + runs[runs.Count - 1].Count >= first)
            {
                first = runs[runs.Count - 1].First;
                runs.RemoveAt(runs.Count - 1);
            }

            runs.Add((first, last - first + 1));
        }

        bytesToRead = runs.Sum(run => Math.Min((run.First + run.Count) * blockSize, size) - (run.First * blockSize));
        return runs;
    }

    private void ReadExactly(long offset, byte[] buffer, int length) => ReadSource(() =>
    {
        _source.Read(offset, buffer, 0, length);
        return true;
    });

    private T ReadSource<T>(Func<T> read) => DriverFaults.Run(read, _readErrorId, "Reading", _sourceName, readSide: true);

    private readonly struct Chunk
    {
        public Chunk(long firstBlock, int blocks, long offset, int length)
        {
            FirstBlock = firstBlock;
            Blocks = blocks;
            Offset = offset;
            Length = length;
        }

        public long FirstBlock { get; }

        public int Blocks { get; }

        public long Offset { get; }

        public int Length { get; }
    }
}
