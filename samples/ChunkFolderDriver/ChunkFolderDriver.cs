using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Replication.Drivers;

namespace Samples.ChunkFolder;

/// <summary>
/// A sample storage driver: each copy is a folder of fixed-size chunk files (a chunk that is not there reads as zeros),
/// the engine's sidecars live in a private folder beside the copies, the fence is a marker file and the change stamp a
/// generation counter. Plain storage work only: the engine owns every rule and algorithm.
/// </summary>
public sealed partial class ChunkFolderDriver : IStorageDriver
{
    public DriverInfo Info { get; } = new(
        "ChunkFolder",
        typeof(ChunkFolderDriver).Assembly.GetName().Version,
        "chunkfolder",
        new[]
        {
            new DriverSetting(ChunkFolderLayout.FolderSetting, "The absolute path of the folder that holds the backend's copies.", required: true),
            new DriverSetting(ChunkFolderLayout.ChunkSizeSetting, "The size of a chunk file in bytes: a power of two from 4096 to 67108864.", defaultValue: "1048576"),
            new DriverSetting(AccessKey.Setting, "A key the folder is locked with (a secret: env:NAME or vault:VAULT/NAME); copies open only with it.", secret: true),
        },
        new[] { "thin_provisioning_support", "chunk_size" });

    public IReadOnlyDictionary<string, string> ValidateSettings(IReadOnlyDictionary<string, string> settings) => ChunkFolderLayout.Validate(settings);

    public bool PrepareBackend(BackendConfiguration backend) => StorageFaults.Guard(() =>
    {
        var layout = new ChunkFolderLayout(backend);
        var created = !Directory.Exists(layout.Root);
        PrivateFiles.EnsureFolder(layout.Root);
        foreach (var folder in new[] { layout.Copies, layout.Sidecars, layout.Staging })
        {
            PrivateFiles.EnsureFolder(folder);
        }

        AccessKey.Lock(backend, layout);
        return created;
    });

    public void AbandonBackend(BackendConfiguration backend) => StorageFaults.Guard(() =>
    {
        var layout = new ChunkFolderLayout(backend);
        var folders = new[] { layout.Copies, layout.Sidecars, layout.Staging };
        if (folders.All(f => !Directory.Exists(f) || !Directory.EnumerateFileSystemEntries(f).Any()))
        {
            Array.ForEach(folders.Where(Directory.Exists).ToArray(), f => Directory.Delete(f));
            AccessKey.Unlock(layout);
            Directory.Delete(layout.Root); // throws, and so keeps it, when anything else is in it
        }
    });

    public IReadOnlyDictionary<string, object?> ReportCapabilities(BackendConfiguration backend) => new Dictionary<string, object?>
    {
        ["thin_provisioning_support"] = true,
        ["chunk_size"] = new ChunkFolderLayout(backend).ChunkSize,
    };

    public BackendProbe Probe(BackendConfiguration backend)
    {
        var layout = new ChunkFolderLayout(backend);
        var probe = new BackendProbe { Location = layout.Root, BlockSize = layout.ChunkSize, HolesSupported = true, HolesDetail = "Chunks never written take no space." };
        if (!Directory.Exists(layout.Staging))
        {
            probe.Unreachable = $"'{layout.Staging}' does not exist: the backend is not prepared, or its folder is not mounted.";
            return probe;
        }

        try
        {
            AccessKey.Check(backend, layout);
        }
        catch (StorageDriverException ex)
        {
            probe.Unreachable = ex.Message;
            return probe;
        }

        try
        {
            var file = Path.Combine(layout.Staging, "probe-" + Guid.NewGuid().ToString("N"));
            using (var stream = PrivateFiles.CreateNew(file))
            {
                stream.WriteByte(1);
            }

            File.Delete(file);
            probe.Writable = true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or StorageDriverException)
        {
            probe.WriteProblem = ex.Message;
        }

        return probe;
    }

    public string LocationFor(Guid copyId) => ChunkFolderLayout.LocationFor(copyId);

    public IReadOnlyList<string> ListCopies(BackendConfiguration backend) => StorageFaults.Guard(() => new ChunkFolderLayout(backend).ListCopyLocations().ToList());

    public void CreateCopy(BackendConfiguration backend, string location, long sizeBytes) => StorageFaults.Guard(() =>
    {
        var layout = new ChunkFolderLayout(backend);
        var copy = new ChunkCopy(layout, location);
        if (copy.Exists)
        {
            if (copy.Size != sizeBytes)
            {
                throw new StorageDriverException(DriverErrorIds.StorageRefused, $"A copy of {copy.Size} bytes is already at '{location}'.");
            }

            return;
        }

        // Made whole aside and renamed into place: a crash leaves no half-made copy.
        var asideFolder = Path.Combine(layout.Staging, "new-" + Guid.NewGuid().ToString("N"));
        PrivateFiles.EnsureFolder(asideFolder);
        PrivateFiles.WriteAtomically(layout.Staging, Path.Combine(asideFolder, "size"), System.Text.Encoding.ASCII.GetBytes(sizeBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        // The generation starts at the clock, so a copy deleted and made again never repeats an old stamp.
        PrivateFiles.WriteAtomically(layout.Staging, Path.Combine(asideFolder, "generation"), System.Text.Encoding.ASCII.GetBytes(DateTime.UtcNow.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Directory.Move(asideFolder, copy.Folder);
    });

    public void DeleteCopy(BackendConfiguration backend, string location) => StorageFaults.Guard(() =>
    {
        var layout = new ChunkFolderLayout(backend);
        var copy = new ChunkCopy(layout, location);
        if (!Directory.Exists(copy.Folder))
        {
            return;
        }

        // Renamed out of the copies first: a crash while deleting leaves no half copy, only litter in staging.
        var doomed = Path.Combine(layout.Staging, "deleting-" + Guid.NewGuid().ToString("N"));
        Directory.Move(copy.Folder, doomed);
        Directory.Delete(doomed, recursive: true);
    });

    public void ResizeCopy(BackendConfiguration backend, string location, long sizeBytes) => StorageFaults.Guard(() =>
    {
        var copy = new ChunkCopy(new ChunkFolderLayout(backend), location).Required();
        var oldSize = copy.Size!.Value;
        copy.CountChange();
        if (sizeBytes < oldSize)
        {
            // Bytes cut off must read as zeros if the copy grows again: whole chunks go, the last one's tail is zeroed.
            var lastIndex = (oldSize - 1) / copy.ChunkSize;
            for (var index = (sizeBytes + copy.ChunkSize - 1) / copy.ChunkSize; index <= lastIndex; index++)
            {
                File.Delete(copy.ChunkFile(index));
            }

            var tail = sizeBytes % copy.ChunkSize;
            if (tail != 0 && File.Exists(copy.ChunkFile(sizeBytes / copy.ChunkSize)))
            {
                using var stream = new FileStream(copy.ChunkFile(sizeBytes / copy.ChunkSize), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
                stream.Position = tail;
                stream.Write(new byte[copy.ChunkSize - tail], 0, (int)(copy.ChunkSize - tail));
                stream.Flush(flushToDisk: true);
            }
        }

        copy.WriteSize(sizeBytes);
    });

    public long? CopyLength(BackendConfiguration backend, string location) => StorageFaults.Guard(() => new ChunkCopy(new ChunkFolderLayout(backend), location).Size);

    public IBlockDevice Open(BackendConfiguration backend, string location, DeviceAccess access) => StorageFaults.Guard(() =>
    {
        var layout = new ChunkFolderLayout(backend);
        AccessKey.Check(backend, layout);
        var copy = new ChunkCopy(layout, location).Required();
        if (access == DeviceAccess.ReadWrite && copy.Fenced)
        {
            throw new StorageDriverException(DriverErrorIds.Fenced, $"The copy '{location}' is fenced: it refuses writers until it is unfenced.");
        }

        return new ChunkDevice(copy, access);
    });

    public void SetFence(BackendConfiguration backend, string location, bool fenced) => StorageFaults.Guard(() =>
    {
        var copy = new ChunkCopy(new ChunkFolderLayout(backend), location);
        if (copy.Exists)
        {
            copy.SetFence(fenced);
        }
        else if (fenced)
        {
            copy.Required();
        }
    });

    public bool? IsFenced(BackendConfiguration backend, string location) => StorageFaults.Guard(() =>
    {
        var copy = new ChunkCopy(new ChunkFolderLayout(backend), location);
        return copy.Exists ? copy.Fenced : (bool?)null;
    });

    public string? ChangeStamp(BackendConfiguration backend, string location) =>
        StorageFaults.Guard(() => new ChunkCopy(new ChunkFolderLayout(backend), location).Generation?.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public ConnectionInfo Connect(BackendConfiguration backend, string location)
    {
        var copy = new ChunkCopy(new ChunkFolderLayout(backend), location);
        return new ConnectionInfo(Info.ConnectionType, new Dictionary<string, string>
        {
            ["path"] = copy.Folder,
            ["chunk_size"] = copy.ChunkSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    public ISidecarStore Sidecars(BackendConfiguration backend) => new FolderSidecarStore(new ChunkFolderLayout(backend));
}
