using System;
using System.Collections.Generic;
using System.IO;
using Replication.Drivers;

namespace Samples.ChunkFolder;

/// <summary>
/// A copy opened for block I/O. A byte range is cut at chunk boundaries; a chunk file that is not there reads as zeros
/// and is made (full size, sparse where the file system can) on its first write.
/// </summary>
internal sealed class ChunkDevice : IBlockDevice
{
    private readonly ChunkCopy _copy;
    private readonly bool _writable;
    private readonly HashSet<long> _unflushed = new();

    public ChunkDevice(ChunkCopy copy, DeviceAccess access)
    {
        _copy = copy;
        _writable = access == DeviceAccess.ReadWrite;
        Length = copy.Size ?? 0;
    }

    public long Length { get; }

    public void Read(long offset, byte[] buffer, int bufferOffset, int count)
    {
        CheckRange(offset, count);
        StorageFaults.Guard(() => ReadChunks(offset, buffer, bufferOffset, count));
    }

    public void Write(long offset, byte[] buffer, int bufferOffset, int count)
    {
        CheckWritable();
        CheckRange(offset, count);
        StorageFaults.Guard(() => WriteChunks(offset, buffer, bufferOffset, count));
    }

    public void Flush() => StorageFaults.Guard(FlushChunks);

    public void Zero(long offset, long length, bool deallocate)
    {
        CheckWritable();
        CheckRange(offset, length);
        StorageFaults.Guard(() => ZeroChunks(offset, length, deallocate));
    }

    private void ReadChunks(long offset, byte[] buffer, int bufferOffset, int count)
    {
        foreach (var (index, within, at, length) in Pieces(offset, count))
        {
            var file = _copy.ChunkFile(index);
            if (!File.Exists(file))
            {
                Array.Clear(buffer, bufferOffset + (int)at, length);
                continue;
            }

            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Position = within;
            ReadExactly(stream, buffer, bufferOffset + (int)at, length);
        }
    }

    private void WriteChunks(long offset, byte[] buffer, int bufferOffset, int count)
    {
        using var tracked = ChangedChunks.Record(_copy, offset, count);
        _copy.CountChange();
        foreach (var (index, within, at, length) in Pieces(offset, count))
        {
            using var stream = OpenChunkForWrite(index);
            stream.Position = within;
            stream.Write(buffer, bufferOffset + (int)at, length);
        }
    }

    private void FlushChunks()
    {
        foreach (var index in _unflushed)
        {
            if (File.Exists(_copy.ChunkFile(index)))
            {
                using var stream = new FileStream(_copy.ChunkFile(index), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
                stream.Flush(flushToDisk: true);
            }
        }

        _unflushed.Clear();
    }

    private void ZeroChunks(long offset, long length, bool deallocate)
    {
        using var tracked = ChangedChunks.Record(_copy, offset, length);
        _copy.CountChange();
        foreach (var (index, within, _, pieceLength) in Pieces(offset, length))
        {
            var file = _copy.ChunkFile(index);
            if (!File.Exists(file))
            {
                continue; // already reads as zeros
            }

            if (deallocate && pieceLength == _copy.ChunkSize)
            {
                File.Delete(file);
                continue;
            }

            using var stream = OpenChunkForWrite(index);
            stream.Position = within;
            stream.Write(new byte[pieceLength], 0, pieceLength);
        }
    }

    public IEnumerable<Extent> AllocatedExtents(long offset, long length)
    {
        CheckRange(offset, length);
        foreach (var (index, _, at, pieceLength) in Pieces(offset, length))
        {
            if (File.Exists(_copy.ChunkFile(index)))
            {
                yield return new Extent(offset + at, pieceLength);
            }
        }
    }

    public void Dispose() => Flush();

    /// <summary>The range cut at chunk boundaries: the chunk, the offset inside it, the offset from the range's start, the length.</summary>
    private IEnumerable<(long Index, long Within, long At, int Length)> Pieces(long offset, long count)
    {
        var done = 0L;
        while (done < count)
        {
            var position = offset + done;
            var within = position % _copy.ChunkSize;
            var length = Math.Min(count - done, _copy.ChunkSize - within);
            yield return (position / _copy.ChunkSize, within, done, (int)length);
            done += length;
        }
    }

    private FileStream OpenChunkForWrite(long index)
    {
        _unflushed.Add(index);
        var file = _copy.ChunkFile(index);
        if (File.Exists(file))
        {
            return new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        }

        var stream = PrivateFiles.CreateNew(file);
        stream.SetLength(_copy.ChunkSize);
        return stream;
    }

    private void CheckRange(long offset, long count)
    {
        if (offset < 0 || count < 0 || offset > Length - count)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"The range {offset}+{count} is outside the copy's {Length} bytes.");
        }
    }

    private void CheckWritable()
    {
        if (!_writable)
        {
            throw new InvalidOperationException("The copy was opened to read.");
        }
    }

    private static void ReadExactly(Stream stream, byte[] buffer, int offset, int count)
    {
        while (count > 0)
        {
            var read = stream.Read(buffer, offset, count);
            if (read == 0)
            {
                throw new StorageDriverException(DriverErrorIds.IoFault, "A chunk file is shorter than a chunk.");
            }

            offset += read;
            count -= read;
        }
    }
}
