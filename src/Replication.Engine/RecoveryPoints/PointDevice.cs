using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Replication.Drivers;
using Replication.Engine.Replication;

namespace Replication.Engine.RecoveryPoints;

/// <summary>
/// A read-only block device that holds a recovery point: the copy as it is now, with every block an undo log of the
/// point or a newer one holds read from the oldest such log (the block as it was at the point). Opening it costs the
/// entries of those logs, not the size of the copy.
/// </summary>
internal sealed class PointDevice : IBlockDevice
{
    private readonly IBlockDevice _current;
    private readonly IReadOnlyList<UndoLog> _logs;
    private readonly Dictionary<long, (UndoLog Log, UndoLog.Entry Entry)> _old = new();
    private readonly int _blockSize;

    /// <param name="current">The copy now; disposed with this device.</param>
    /// <param name="logs">The undo logs from the point's own to the newest (disposed with this device).</param>
    public PointDevice(IBlockDevice current, IReadOnlyList<UndoLog> logs, int blockSize)
    {
        _current = current;
        _logs = logs;
        _blockSize = blockSize;
        // Newest first, so the oldest log's entry of a block is the one left: the block as the point held it.
        foreach (var log in logs.Reverse())
        {
            if (log.BlockSize != blockSize || log.VolumeSize != current.Length)
            {
                throw new InvalidDataException($"the undo log of round {log.Round} is of {log.BlockSize}-byte blocks of {log.VolumeSize} bytes, not of this copy");
            }

            foreach (var entry in log.Entries)
            {
                _old[entry.Block] = (log, entry);
            }
        }
    }

    public long Length => _current.Length;

    /// <summary>The blocks whose contents at the point differ from the copy now (at most).</summary>
    public int BlocksFromLogs => _old.Count;

    public void Read(long offset, byte[] buffer, int bufferOffset, int count)
    {
        while (count > 0)
        {
            var block = offset / _blockSize;
            var inBlock = offset - (block * _blockSize);
            var chunk = (int)Math.Min(count, _blockSize - inBlock);
            if (_old.TryGetValue(block, out var old))
            {
                old.Log.ReadEntry(old.Entry, inBlock, buffer, bufferOffset, chunk);
            }
            else
            {
                _current.Read(offset, buffer, bufferOffset, chunk);
            }

            offset += chunk;
            bufferOffset += chunk;
            count -= chunk;
        }
    }

    public void Write(long offset, byte[] buffer, int bufferOffset, int count) => throw ReadOnly();

    public void Flush()
    {
    }

    public void Zero(long offset, long length, bool deallocate) => throw ReadOnly();

    /// <summary>The copy's allocated ranges and the blocks the logs hold data for, merged.</summary>
    public IEnumerable<Extent> AllocatedExtents(long offset, long length)
    {
        var end = offset + length;
        var ranges = _current.AllocatedExtents(offset, length).Select(e => (Start: e.Offset, End: e.Offset + e.Length))
            .Concat(_old.Values.Where(o => o.Entry.DataOffset >= 0).Select(o => (Start: o.Entry.Block * _blockSize, End: (o.Entry.Block * _blockSize) + o.Entry.Length)))
            .Select(r => (Start: Math.Max(r.Start, offset), End: Math.Min(r.End, end)))
            .Where(r => r.End > r.Start)
            .OrderBy(r => r.Start);
        long? start = null, stop = null;
        foreach (var (s, e) in ranges)
        {
            if (start is null)
            {
                (start, stop) = (s, e);
            }
            else if (s <= stop)
            {
                stop = Math.Max(stop.Value, e);
            }
            else
            {
                yield return new Extent(start.Value, stop!.Value - start.Value);
                (start, stop) = (s, e);
            }
        }

        if (start is not null)
        {
            yield return new Extent(start.Value, stop!.Value - start.Value);
        }
    }

    /// <summary>The block hashes of the point: <paramref name="current"/> (the copy's map now) with the logs' hashes of the old blocks.</summary>
    public BlockMap MapAtPoint(BlockMap current)
    {
        var map = BlockMap.FromBytes(current.BlockSize, current.VolumeSize, current.ToBytes());
        foreach (var (_, entry) in _old.Values)
        {
            map.Set(entry.Block, entry.Hash);
        }

        return map;
    }

    /// <summary>Writes the point's old blocks back into <paramref name="target"/> (the copy itself, for a rollback): idempotent, so a rollback cut short is simply run again.</summary>
    public void WriteBack(IBlockDevice target)
    {
        var buffer = new byte[_blockSize];
        foreach (var (log, entry) in _old.Values.OrderBy(o => o.Entry.Block))
        {
            if (entry.DataOffset < 0)
            {
                target.Zero(entry.Block * _blockSize, entry.Length, deallocate: true);
            }
            else
            {
                log.ReadEntry(entry, 0, buffer, 0, entry.Length);
                target.Write(entry.Block * _blockSize, buffer, 0, entry.Length);
            }

            Diagnostics.CrashPoints.Hit("rollback.after-block");
        }

        target.Flush();
    }

    public void Dispose()
    {
        foreach (var log in _logs)
        {
            log.Dispose();
        }

        _current.Dispose();
    }

    private static NotSupportedException ReadOnly() => new("A recovery point is read-only.");
}
