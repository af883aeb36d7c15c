using System;
using System.Collections.Generic;
using System.IO;
using Replication.Engine.Errors;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>A volume file opened for an export's block I/O: unbuffered, shared with every other reader and writer of it.</summary>
internal sealed class LocalFileDevice : IVolumeDevice
{
    private readonly FileStream _file;
    private readonly string _path;
    private readonly string _errorId;

    private LocalFileDevice(FileStream file, string path, string errorId)
    {
        _file = file;
        _path = path;
        _errorId = errorId;
    }

    /// <param name="errorId">What a failure becomes: VolumeFileFault for the primary, ReplicaUnwritable for a synchronous replica.</param>
    public static LocalFileDevice Open(VolumeFile path, long sizeBytes, string errorId)
    {
        var file = Run(path, errorId, "Opening", () => TransientIo.Run(() => path.Open(FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite)));
        if (file.Length != sizeBytes)
        {
            file.Dispose();
            throw new ReplicationException(errorId, ErrorKind.InvalidData, $"'{path}' is {file.Length} bytes but the volume is {sizeBytes}; it was resized outside the module.", (string)path);
        }

        return new LocalFileDevice(file, path, errorId);
    }

    public void Read(long offset, byte[] buffer, int count) => Run(_path, _errorId, "Reading", () => TransientIo.Run(() =>
    {
        _file.Position = offset;
        var total = 0;
        while (total < count)
        {
            var read = _file.Read(buffer, total, count - total);
            if (read == 0)
            {
                throw new EndOfStreamException($"The file ended at {offset + total} bytes.");
            }

            total += read;
        }

        return true;
    }));

    public void Write(long offset, byte[] buffer, int count) => Run(_path, _errorId, "Writing", () => TransientIo.Run(() =>
    {
        _file.Position = offset;
        _file.Write(buffer, 0, count);
        return true;
    }));

    public void Flush() => Run(_path, _errorId, "Flushing", () =>
    {
        _file.Flush(flushToDisk: true);
        return true;
    });

    public void Zero(long offset, long length, bool deallocate) => Run(_path, _errorId, "Zeroing", () =>
    {
        if (deallocate)
        {
            SparseFile.PunchHole(_file, offset, length);
            return true;
        }

        SparseFile.WriteZeros(_file, offset, length);
        return true;
    });

    public IEnumerable<(long Offset, long Length)> AllocatedExtents(long offset, long length)
    {
        var end = offset + length;
        foreach (var extent in SparseFile.DataExtents(_file, from: offset))
        {
            if (extent.Offset >= end)
            {
                yield break;
            }

            yield return (extent.Offset, Math.Min(extent.End, end) - extent.Offset);
        }
    }

    public void Dispose() => _file.Dispose();

    private static T Run<T>(string path, string errorId, string doing, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ReplicationException(errorId, doing == "Reading" ? ErrorKind.ReadError : ErrorKind.WriteError, $"{doing} '{path}' failed: {ex.Message}", path, ex);
        }
    }
}
