using System;
using System.IO;
using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.Files;
using Replication.Drivers;
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
        var path = LocalFileLayout.BackendFolder(backend);
        if (Reach(path) is { } unreachable)
        {
            return new BackendProbe { Location = path, Unreachable = unreachable };
        }

        BackendFolder folder;
        try
        {
            folder = BackendFolder.Open(backend);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ReplicationException)
        {
            return new BackendProbe { Location = path, Unreachable = ex.Message };
        }

        using (folder)
        {
            var space = FreeSpace.Of(path);
            var blockSize = FileSystemBlockSize.Of(path, out _);
            var written = WriteProbe(folder.Root, out var writeProblem);
            string? holesDetail = null;
            var holes = writeProblem is null ? ProbeHoles(folder.Root, out holesDetail) : null;
            return Probed(path, writeProblem, space, blockSize, holes, holesDetail, written);
        }
    }

    private static BackendProbe Probed(string path, string? writeProblem, (long TotalBytes, long FreeBytes)? space, long? blockSize, bool? holes, string? holesDetail, DateTimeOffset? written) =>
        new()
        {
            Location = path,
            Writable = writeProblem is null,
            WriteProblem = writeProblem,
            TotalBytes = space?.TotalBytes,
            FreeBytes = space?.FreeBytes,
            BlockSize = blockSize,
            HolesSupported = holes,
            HolesDetail = holesDetail,
            ProbeFileTime = written,
        };

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
    private static DateTimeOffset? WriteProbe(VerifiedFolder folder, out string? problem)
    {
        var name = $".preflight-{Guid.NewGuid():N}.probe";
        var stage = "written";
        try
        {
            DateTimeOffset modified;
            using (var file = folder.OpenFile(name, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(ProbeData(), 0, ProbeDataLength);
                file.Flush(flushToDisk: true);
                modified = new DateTimeOffset(VerifiedFolder.FactsOf(file).ModifiedTicks, TimeSpan.Zero);
            }

            stage = "removed";
            folder.Delete(name);
            problem = folder.Look(name) is not null ? $"the probe file '{folder.PathOf(name)}' was still there after it was removed" : null;
            return modified;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ReplicationException)
        {
            folder.TryDelete(name);
            problem = $"a probe file could not be {stage}: {ex.Message}";
            return null;
        }
    }

    /// <summary>A sparse file with data only in its middle: a file system that reports holes shows them around the data.</summary>
    private static bool? ProbeHoles(VerifiedFolder folder, out string detail)
    {
        var name = $".preflight-{Guid.NewGuid():N}.sparse";
        try
        {
            using var file = SparseFile.CreateNew(folder, name, SparseProbeSize);
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
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ReplicationException)
        {
            detail = $"A sparse probe file could not be written: {ex.Message}";
            return false;
        }
        finally
        {
            folder.TryDelete(name);
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
}
