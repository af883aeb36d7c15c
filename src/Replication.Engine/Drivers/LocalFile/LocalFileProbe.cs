using System;
using System.IO;
using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.Preflight;
using Replication.Engine.State;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>
/// Pre-flight probes of a LocalFile backend's folder: reachable, writable (a probe file written and removed), free
/// space, block size, holes (a sparse probe file) and the file time a fresh file gets. Probe files start with
/// ".preflight-", which no volume or journal name does, and are removed whatever happens.
/// </summary>
internal static class LocalFileProbe
{
    private const long SparseProbeSize = 4L << 20;
    private const long SparseDataOffset = 2L << 20;
    private const int ProbeDataLength = 4096;

    public static BackendProbe Probe(BackendRecord backend)
    {
        var folder = LocalFileLayout.BackendFolder(backend);
        if (Reach(folder) is { } unreachable)
        {
            return new BackendProbe { Location = folder, Unreachable = unreachable };
        }

        var space = FreeSpace.Of(folder);
        var blockSize = FileSystemBlockSize.Of(folder, out _);
        var written = WriteProbe(folder, out var writeProblem);
        string? holesDetail = null;
        var holes = writeProblem is null ? ProbeHoles(folder, out holesDetail) : null;
        return new BackendProbe
        {
            Location = folder,
            Writable = writeProblem is null,
            WriteProblem = writeProblem,
            TotalBytes = space?.TotalBytes,
            FreeBytes = space?.FreeBytes,
            BlockSize = blockSize,
            HolesSupported = holes,
            HolesDetail = holesDetail,
            ProbeFileTime = written,
        };
    }

    /// <summary>The data the copy's file holds (its allocated extents); null when it is missing or cannot be read.</summary>
    public static long? AllocatedBytes(VolumeCopy copy)
    {
        try
        {
            var path = LocalFileLayout.VolumePath(copy);
            return File.Exists(path) ? SparseFile.AllocatedBytes(path) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ReplicationException)
        {
            return null;
        }
    }

    private static string? Reach(string folder)
    {
        if (File.Exists(folder))
        {
            return $"'{folder}' is a file, not a folder";
        }

        if (!Directory.Exists(folder))
        {
            return $"the folder '{folder}' does not exist or cannot be reached";
        }

        try
        {
            using var entries = Directory.EnumerateFileSystemEntries(folder).GetEnumerator();
            entries.MoveNext();
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"the folder '{folder}' cannot be listed: {ex.Message}";
        }
    }

    /// <summary>Writes a small probe file, reads the modification time the file system gave it, and removes it.</summary>
    private static DateTimeOffset? WriteProbe(string folder, out string? problem)
    {
        var path = Path.Combine(folder, $".preflight-{Guid.NewGuid():N}.probe");
        var stage = "written";
        try
        {
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1))
            {
                file.Write(ProbeData(), 0, ProbeDataLength);
                file.Flush(flushToDisk: true);
            }

            var modified = new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero);
            stage = "removed";
            File.Delete(path);
            problem = File.Exists(path) ? $"the probe file '{path}' was still there after it was removed" : null;
            return modified;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(path);
            problem = $"a probe file could not be {stage}: {ex.Message}";
            return null;
        }
    }

    /// <summary>A sparse file with data only in its middle: a file system that reports holes shows them around the data.</summary>
    private static bool? ProbeHoles(string folder, out string detail)
    {
        var path = Path.Combine(folder, $".preflight-{Guid.NewGuid():N}.sparse");
        try
        {
            using var file = SparseFile.CreateNew(path, SparseProbeSize);
            file.Position = SparseDataOffset;
            file.Write(ProbeData(), 0, ProbeDataLength);
            file.Flush(flushToDisk: true);
            var extents = SparseFile.DataExtents(file).ToList();
            var data = extents.Sum(e => e.Length);
            var probe = $"a {Humane.Bytes(SparseProbeSize)} probe file with {Humane.Bytes(ProbeDataLength)} written at {Humane.Bytes(SparseDataOffset)}";
            if (!extents.Any(e => e.Offset <= SparseDataOffset && e.End >= SparseDataOffset + ProbeDataLength))
            {
                detail = $"The file system reported the data of {probe} as a hole.";
                return false;
            }

            if (data >= SparseProbeSize)
            {
                detail = $"The file system reported all of {probe} as data: it does not report holes (SEEK_DATA), so every block is read and hashed, and it may not keep files sparse.";
                return false;
            }

            detail = $"The file system reported {Humane.Bytes(data)} of data in {probe} and holes around it.";
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            detail = $"A sparse probe file could not be written: {ex.Message}";
            return false;
        }
        finally
        {
            TryDelete(path);
        }
    }

    private static byte[] ProbeData()
    {
        var data = new byte[ProbeDataLength];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(i * 31 + 7);
        }

        return data;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The probe's own failure is the one to report.
        }
    }
}
