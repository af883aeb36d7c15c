using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Replication.Engine.Files.Native;
using Replication.Drivers;
using Replication.Engine.Files;
using Replication.Engine.Rules;
using Replication.Engine.State;
using ContractLineage = Replication.Drivers.StorageLineage;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>LocalFile's side of the driver contract: file work only, on the backend folder the Path setting names.</summary>
public sealed partial class LocalFileDriver : IStorageDriver, INativeCloning, IStorageIdentity, ISynchronousReplication
{
    public DriverInfo Info { get; } = new(
        DriverName,
        typeof(LocalFileDriver).Assembly.GetName().Version ?? new Version(1, 0),
        "file",
        new[]
        {
            new DriverSetting(LocalFileBackend.PathKey, "The absolute path of the folder the backend's volume files live in.", required: true),
            new DriverSetting(LocalFileSettings.FileModeKey, "The permissions of volume files: 0600, 0640 or 0660.", defaultValue: "0600"),
            new DriverSetting(LocalFileSettings.FolderModeKey, "The permissions of the backend folder: 0700, 0710, 0750 or 0770.", defaultValue: "0700"),
        },
        new[] { "volume_backend_name", "vendor_name", "driver_version", "storage_protocol", "thin_provisioning_support", "total_capacity_gb", "free_capacity_gb" });

    public IReadOnlyDictionary<string, string> ValidateSettings(IReadOnlyDictionary<string, string> settings) => LocalFileBackend.Run(() =>
    {
        var path = settings.FirstOrDefault(s => string.Equals(s.Key, LocalFileBackend.PathKey, StringComparison.OrdinalIgnoreCase)).Value;
        if (string.IsNullOrWhiteSpace(path) || !Path.IsPathRooted(path) || path.Any(char.IsControl))
        {
            var message = string.IsNullOrEmpty(path)
                ? "A LocalFile backend needs -Path, the folder its volumes live in."
                : $"The path '{Names.Printable(path!)}' must be an absolute folder path.";
            throw new StorageDriverException(DriverErrorIds.InvalidSetting, message, new Errors.ReplicationException(Errors.ErrorIds.InvalidPath, Errors.ErrorKind.InvalidArgument, message, path));
        }

        var modes = settings.Where(s => !string.Equals(s.Key, LocalFileBackend.PathKey, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(s => s.Key, s => (object?)s.Value, StringComparer.OrdinalIgnoreCase);
        var stored = LocalFileSettings.Validate(modes, "LocalFile").ToDictionary(s => s.Key, s => s.Value, StringComparer.OrdinalIgnoreCase);
        stored[LocalFileBackend.PathKey] = Path.GetFullPath(path);
        return (IReadOnlyDictionary<string, string>)stored;
    });

    public bool PrepareBackend(BackendConfiguration backend) => LocalFileBackend.Run(() => PrepareBackend(LocalFileBackend.RecordOf(backend)));

    public void AbandonBackend(BackendConfiguration backend) => AbandonBackend(LocalFileBackend.RecordOf(backend));

    public IReadOnlyDictionary<string, object?> ReportCapabilities(BackendConfiguration backend) => ReportCapabilities(LocalFileBackend.RecordOf(backend));

    public BackendProbe Probe(BackendConfiguration backend) => LocalFileProbe.Probe(LocalFileBackend.RecordOf(backend));

    public IReadOnlyList<string> ListCopies(BackendConfiguration backend) => LocalFileBackend.Run(() =>
    {
        using var folder = OpenFolder(LocalFileBackend.RecordOf(backend));
        // Names only; the folder was checked before its names are read.
        return Directory.EnumerateFiles(folder.Root.Path).Select(Path.GetFileName)
            .Where(LocalFileLayout.IsLocation)
            .OrderBy(name => name, StringComparer.Ordinal)
            .ToList();
    });

    public void CreateCopy(BackendConfiguration backend, string location, long sizeBytes) => LocalFileBackend.Run(() =>
    {
        var path = FileOf(backend, location);
        using var folder = BackendFolder.Open(path.Backend);
        if (folder.Root.Look(path.Name) is { } existing)
        {
            if (existing.Kind == EntryKind.File && existing.Size == sizeBytes)
            {
                return;
            }

            throw new StorageDriverException(DriverErrorIds.IoFault, $"'{path}' is already there and is not a {sizeBytes}-byte volume file.");
        }

        using (SparseFile.CreateNew(folder.Root, path.Name, sizeBytes))
        {
        }

        folder.Root.Sync();
    });

    public void DeleteCopy(BackendConfiguration backend, string location) => LocalFileBackend.Run(() =>
    {
        var path = FileOf(backend, location);
        if (!Directory.Exists(LocalFileLayout.BackendFolder(path.Backend)))
        {
            throw new StorageDriverException(DriverErrorIds.BackendUnreachable,
                $"The folder '{LocalFileLayout.BackendFolder(path.Backend)}' of backend '{backend.Name}' cannot be reached, so '{location}' was not removed. Run the command again once the folder is back.");
        }

        using var folder = BackendFolder.Open(path.Backend);
        // A fenced file too (on Windows the read-only attribute is lifted first); a link there is refused, not removed.
        folder.Root.Delete(path.Name);
        folder.Root.Sync();
    });

    public void ResizeCopy(BackendConfiguration backend, string location, long sizeBytes) => LocalFileBackend.Run(() =>
    {
        using var file = FileOf(backend, location).Open(FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        file.SetLength(sizeBytes);
        file.Flush(flushToDisk: true);
    });

    public long? CopyLength(BackendConfiguration backend, string location) => LocalFileBackend.Run(() =>
    {
        var path = FileOf(backend, location);
        if (!Directory.Exists(LocalFileLayout.BackendFolder(path.Backend)))
        {
            throw new StorageDriverException(DriverErrorIds.BackendUnreachable, "its backend folder cannot be reached");
        }

        return path.Look() switch
        {
            null => (long?)null,
            { Kind: EntryKind.Link } => throw TrustErrors.Link(path),
            { Kind: not EntryKind.File } => throw TrustErrors.NotTrusted(path, "it is not a regular file."),
            var file => file.Size,
        };
    });

    public IBlockDevice Open(BackendConfiguration backend, string location, DeviceAccess access) => LocalFileBackend.Run(() =>
    {
        var path = FileOf(backend, location);
        if (access == DeviceAccess.ReadWrite && path.Look() is { Kind: EntryKind.File, ReadOnly: true })
        {
            throw new StorageDriverException(DriverErrorIds.Fenced, $"'{path}' is fenced (read-only): it is not the primary.");
        }

        // Hypervisors keep writing while the engine reads: share read/write.
        var file = TransientIo.Run(() => access == DeviceAccess.Read
            ? path.Open(FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete)
            : path.Open(FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite));
        return (IBlockDevice)new LocalFileBlockDevice(file);
    });

    public void SetFence(BackendConfiguration backend, string location, bool fenced) => LocalFileBackend.Run(() =>
    {
        var copy = new VolumeCopy(LocalFileBackend.RecordOf(backend), location);
        if (LocalFileLayout.VolumePath(copy).Look() is null)
        {
            if (fenced)
            {
                throw new StorageDriverException(DriverErrorIds.CopyMissing, $"'{LocalFileLayout.VolumePath(copy)}' is missing, so it cannot be fenced.");
            }

            return;
        }

        if (!SetReadOnly(copy, fenced))
        {
            throw new StorageDriverException(DriverErrorIds.IoFault, $"The fence of '{LocalFileLayout.VolumePath(copy)}' cannot be {(fenced ? "set" : "lifted")}.");
        }
    });

    public bool? IsFenced(BackendConfiguration backend, string location)
    {
        try
        {
            return FileOf(backend, location).Look() is { Kind: EntryKind.File } file ? file.ReadOnly : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Errors.ReplicationException)
        {
            return null;
        }
    }

    public ConnectionInfo Connect(BackendConfiguration backend, string location) => LocalFileBackend.Run(() =>
        new ConnectionInfo("file", new Dictionary<string, string> { ["path"] = FileOf(backend, location).FullPath }));

    public ISidecarStore Sidecars(BackendConfiguration backend) => new LocalSidecarStore(LocalFileBackend.RecordOf(backend));

    /// <summary>A reflink (FICLONE) where the file system shares blocks between files; false elsewhere, and the engine copies the blocks.</summary>
    public bool TryCloneCopy(BackendConfiguration backend, string sourceLocation, string targetLocation) => LocalFileBackend.Run(() =>
    {
        if (NativeMethods.Platform != NativePlatform.Linux)
        {
            return false;
        }

        var source = FileOf(backend, sourceLocation);
        var target = FileOf(backend, targetLocation);
        using var folder = BackendFolder.Open(target.Backend);
        using var sourceFile = source.Open(FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var cloned = false;
        using (var targetFile = SparseFile.CreateNew(folder.Root, target.Name, 0))
        {
            using var from = new DescriptorLease(sourceFile.SafeFileHandle);
            using var to = new DescriptorLease(targetFile.SafeFileHandle);
            cloned = NativeMethods.Linux.Ioctl(to.Descriptor, NativeMethods.Linux.CloneFile, from.Descriptor) == 0;
            if (cloned)
            {
                targetFile.Flush(flushToDisk: true);
            }
        }

        if (!cloned)
        {
            folder.Root.Delete(target.Name);
        }

        folder.Root.Sync();
        return cloned;
    });

    public ContractLineage? Lineage(BackendConfiguration backend) =>
        StorageLineage(LocalFileBackend.RecordOf(backend)) is { } lineage ? new ContractLineage(lineage.Self, lineage.Above) : null;

    /// <summary>Both backend folders are reachable from this host, so every write can reach both copies before it is acknowledged.</summary>
    public bool CanMirror(BackendConfiguration primary, BackendConfiguration replica) => true;

    private static VolumeFile FileOf(BackendConfiguration backend, string location) =>
        LocalFileLayout.VolumePath(new VolumeCopy(LocalFileBackend.RecordOf(backend), location));
}
