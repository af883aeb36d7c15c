using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Replication.Drivers;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>
/// Volume snapshots as sparse copies of a volume file's allocated data (Method Copy). No reflink path: the file systems
/// this is tested on (ext4) share no blocks between files, so a snapshot costs its allocated data; see about_Replication.
/// </summary>
public sealed partial class LocalFileDriver : IKeptSnapshots
{
    public const string CopyMethod = "Copy";

    private const int SnapshotChunk = 1 << 20;

    public KeptSnapshot CreateKeptSnapshot(BackendConfiguration backend, string location, Guid snapshotId) => LocalFileBackend.Run(() =>
    {
        var source = FileOf(backend, location);
        var name = LocalFileSnapshots.NameFor(location, snapshotId);
        var partial = LocalFileSnapshots.PartialNameOf(name);
        using var folder = BackendFolder.Open(source.Backend);
        using var snapshots = LocalFileSnapshots.Open(folder);
        snapshots.Delete(partial);
        try
        {
            using (var from = source.Open(FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var to = SparseFile.CreateNew(snapshots, partial, from.Length))
            {
                var buffer = new byte[SnapshotChunk];
                foreach (var extent in SparseFile.DataExtents(from).ToList())
                {
                    for (var offset = extent.Offset; offset < extent.End; offset += SnapshotChunk)
                    {
                        var count = (int)Math.Min(SnapshotChunk, extent.End - offset);
                        from.Position = offset;
                        var read = TransientIo.Run(() => ReadFully(from, buffer, count));
                        // Zeros stay holes: the snapshot holds only data.
                        if (!LocalFileSnapshots.IsZero(buffer, read))
                        {
                            to.Position = offset;
                            to.Write(buffer, 0, read);
                        }
                    }
                }

                to.Flush(flushToDisk: true);
            }
        }
        catch
        {
            // A failed copy (no space, an I/O fault) leaves nothing; a crash here leaves the .partial file, listed for the engine to remove.
            snapshots.TryDelete(partial);
            throw;
        }

        snapshots.Rename(partial, name);
        snapshots.Sync();
        using var made = LocalFileSnapshots.OpenRead(snapshots, name);
        return new KeptSnapshot(name, SparseFile.AllocatedBytes(made), CopyMethod);
    });

    public IBlockDevice OpenKeptSnapshot(BackendConfiguration backend, string snapshotLocation) => LocalFileBackend.Run(() =>
    {
        var name = LocalFileSnapshots.Checked(snapshotLocation);
        using var folder = BackendFolder.Open(LocalFileBackend.RecordOf(backend));
        using var snapshots = LocalFileSnapshots.OpenExisting(folder);
        if (snapshots?.Look(name) is null)
        {
            throw new StorageDriverException(DriverErrorIds.CopyMissing, $"The snapshot '{name}' of backend '{backend.Name}' is missing.");
        }

        return (IBlockDevice)new LocalFileBlockDevice(LocalFileSnapshots.OpenRead(snapshots, name));
    });

    public IReadOnlyList<string> ListKeptSnapshots(BackendConfiguration backend, string location) => LocalFileBackend.Run(() =>
    {
        using var folder = BackendFolder.Open(LocalFileBackend.RecordOf(backend));
        using var snapshots = LocalFileSnapshots.OpenExisting(folder);
        if (snapshots is null)
        {
            return (IReadOnlyList<string>)Array.Empty<string>();
        }

        // Names only; the folder was checked (never a link) before its names are read.
        return (IReadOnlyList<string>)Directory.EnumerateFiles(snapshots.Path).Select(Path.GetFileName)
            .Where(name => LocalFileSnapshots.IsOf(name, location))
            .OrderBy(name => name, StringComparer.Ordinal)
            .ToList();
    });

    public void DeleteKeptSnapshot(BackendConfiguration backend, string snapshotLocation) => LocalFileBackend.Run(() =>
    {
        var name = LocalFileSnapshots.Checked(snapshotLocation);
        using var folder = BackendFolder.Open(LocalFileBackend.RecordOf(backend));
        using var snapshots = LocalFileSnapshots.OpenExisting(folder);
        if (snapshots is not null && snapshots.Delete(name))
        {
            snapshots.Sync();
        }
    });

    private static int ReadFully(FileStream file, byte[] buffer, int count)
    {
        var total = 0;
        while (total < count)
        {
            var read = file.Read(buffer, total, count - total);
            if (read == 0)
            {
                // The file shrank under the copy: the rest reads as zeros.
                Array.Clear(buffer, total, count - total);
                return count;
            }

            total += read;
        }

        return total;
    }
}
