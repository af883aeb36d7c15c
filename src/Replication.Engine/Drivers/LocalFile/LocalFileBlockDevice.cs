using System;
using System.Collections.Generic;
using System.IO;
using Replication.Drivers;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>
/// A volume file opened as the contract's block device: unbuffered, shared with every other reader and writer of it,
/// holes found with SEEK_DATA/SEEK_HOLE and made by punching. Passing faults are retried (<see cref="TransientIo"/>);
/// the rest are <see cref="StorageDriverException"/>s.
/// </summary>
internal sealed class LocalFileBlockDevice : IBlockDevice
{
    /// <summary>Written bytes handed to the disk while a long copy goes on, rather than all at its closing flush.</summary>
    private const long WritebackEvery = 16L << 20;

    private readonly FileStream _file;
    private long _unwrittenFrom = long.MaxValue;
    private long _unwrittenTo;

    public LocalFileBlockDevice(FileStream file)
    {
        _file = file;
        Length = file.Length;
    }

    public long Length { get; }

    /// <summary>A range outside the copy is refused before the file is touched: a file would grow where a device cannot.</summary>
    private void Inside(long offset, long count)
    {
        if (offset < 0 || count < 0 || offset > Length - count)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"{count} bytes at {offset} lie outside '{Path}' ({Length} bytes).");
        }
    }

    /// <summary>The file's path, for messages.</summary>
    public string Path => Files.VerifiedFolder.PathOf(_file);

    public void Read(long offset, byte[] buffer, int bufferOffset, int count) => LocalFileBackend.Run(() => TransientIo.Run(() =>
    {
        Inside(offset, count);
        _file.Position = offset;
        var total = 0;
        while (total < count)
        {
            var read = _file.Read(buffer, bufferOffset + total, count - total);
            if (read == 0)
            {
                throw new EndOfStreamException($"'{Path}' ended at {offset + total} bytes while being read; it was truncated.");
            }

            total += read;
        }
    }));

    public void Write(long offset, byte[] buffer, int bufferOffset, int count)
    {
        Inside(offset, count);
        LocalFileBackend.Run(() => TransientIo.Run(() =>
        {
            _file.Position = offset;
            _file.Write(buffer, bufferOffset, count);
        }));
        StartWritebackNowAndThen(offset, count);
    }

    public void Flush() => LocalFileBackend.Run(() =>
    {
        Files.FileSyncs.Synced(Path);
        _file.Flush(flushToDisk: true);
    });

    public void Zero(long offset, long length, bool deallocate) => LocalFileBackend.Run(() => TransientIo.Run(() =>
    {
        Inside(offset, length);
        if (deallocate)
        {
            SparseFile.PunchHole(_file, offset, length);
        }
        else
        {
            SparseFile.WriteZeros(_file, offset, length);
        }
    }));

    public IEnumerable<Extent> AllocatedExtents(long offset, long length)
    {
        var end = offset + length;
        using var extents = LocalFileBackend.Run(() => SparseFile.DataExtents(_file, from: offset).GetEnumerator());
        while (LocalFileBackend.Run(extents.MoveNext))
        {
            var extent = extents.Current;
            if (extent.Offset >= end)
            {
                yield break;
            }

            var start = Math.Max(extent.Offset, offset);
            yield return new Extent(start, Math.Min(extent.End, end) - start);
        }
    }

    public void Dispose() => _file.Dispose();

    private void StartWritebackNowAndThen(long offset, int count)
    {
        _unwrittenFrom = Math.Min(_unwrittenFrom, offset);
        _unwrittenTo = Math.Max(_unwrittenTo, offset + count);
        if (_unwrittenTo - _unwrittenFrom >= WritebackEvery)
        {
            SparseFile.StartWriteback(_file, _unwrittenFrom, _unwrittenTo - _unwrittenFrom);
            _unwrittenFrom = long.MaxValue;
            _unwrittenTo = 0;
        }
    }
}
