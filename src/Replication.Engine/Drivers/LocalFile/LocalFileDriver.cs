using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Replication.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Files;
using Replication.Engine.State;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>
/// Volumes as sparse files in a backend folder (a replica is the same file name in the partner backend's folder), the
/// engine's sidecars in its .replication folder. File work only: the engine's rounds do the copying.
/// </summary>
public sealed partial class LocalFileDriver : IStorageOwnerMark, ICoarseChangeStamps
{
    public const string DriverName = "LocalFile";

    private static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(2);

    internal bool PrepareBackend(BackendRecord backend)
    {
        if (string.IsNullOrWhiteSpace(backend.Path))
        {
            throw new ReplicationException(ErrorIds.InvalidPath, ErrorKind.InvalidArgument, "A LocalFile backend needs -Path, the folder its volumes live in.", backend.Name);
        }

        var folderPath = LocalFileLayout.BackendFolder(backend);
        var created = false;
        try
        {
            // Made 0700 (or the FolderMode), checked, marked for this state store, with the journal folder from the start.
            using var folder = BackendFolder.OpenOrCreate(backend, out created);
            var probe = $".write-probe-{Guid.NewGuid():N}";
            using (folder.Root.OpenFile(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
            }

            folder.Root.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException or ReplicationException)
        {
            if (created)
            {
                AbandonBackend(backend);
            }

            throw ex as ReplicationException ?? new ReplicationException(ErrorIds.BackendPathUnusable, ErrorKind.PermissionDenied,
                $"The folder '{folderPath}' for backend '{backend.Name}' cannot be created or written: {ex.Message}", backend.Name, ex);
        }

        return created;
    }

    internal void AbandonBackend(BackendRecord backend)
    {
        try
        {
            // Only what PrepareBackend made: the mark, the module's folder and the backend folder, each only if nothing else is in it.
            using var root = VerifiedFolder.Open(LocalFileLayout.BackendFolder(backend), FolderTrust.AnyFolder(backend.Path));
            var moduleFolder = Path.Combine(root.Path, BackendFolder.ModuleFolderName);
            if (Directory.Exists(moduleFolder) && Directory.EnumerateFileSystemEntries(moduleFolder).All(e => Path.GetFileName(e) == BackendFolder.MarkName))
            {
                using (var module = root.Subfolder(BackendFolder.ModuleFolderName, FolderTrust.AnyFolder(moduleFolder), create: false))
                {
                    module.Delete(BackendFolder.MarkName);
                }

                root.DeleteFolder(BackendFolder.ModuleFolderName);
            }

            if (!Directory.EnumerateFileSystemEntries(root.Path).Any())
            {
                Directory.Delete(root.Path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ReplicationException)
        {
            // Leaving an empty folder behind is harmless; the definition's own failure is what the admin needs to see.
        }
    }

    internal StorageLineage? StorageLineage(BackendRecord backend)
    {
        var folder = LocalFileLayout.BackendFolder(backend);
        try
        {
            var exists = Directory.Exists(folder);
            var lineage = BackendFolder.Lineage(folder);
            return lineage is null ? null : exists ? new StorageLineage(lineage[0], lineage.Skip(1).ToList()) : new StorageLineage(null, lineage);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ReplicationException)
        {
            return null;
        }
    }

    bool IStorageOwnerMark.ClaimStorage(BackendRecord backend)
    {
        using var folder = OpenFolder(backend);
        return folder.MarkedNow;
    }

    internal IReadOnlyDictionary<string, object?> ReportCapabilities(BackendRecord backend)
    {
        var capabilities = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
        {
            ["volume_backend_name"] = backend.Name,
            ["vendor_name"] = "Replication.PowerShell",
            ["driver_version"] = typeof(LocalFileDriver).Assembly.GetName().Version?.ToString(3),
            ["storage_protocol"] = Info.ConnectionType,
            ["thin_provisioning_support"] = true,
        };
        if (FreeSpace.Of(LocalFileLayout.BackendFolder(backend)) is { } space)
        {
            capabilities["total_capacity_gb"] = Math.Round(space.TotalBytes / (double)(1L << 30), 2);
            capabilities["free_capacity_gb"] = Math.Round(space.FreeBytes / (double)(1L << 30), 2);
        }

        return capabilities;
    }

    public string LocationFor(Guid volumeId) => LocalFileLayout.LocationFor(volumeId);

    /// <summary>The file's size and modification time (as the dirty bitmap and fence records kept them); null when it is gone or unreachable.</summary>
    public string? ChangeStamp(BackendConfiguration backend, string location)
    {
        try
        {
            return VerifiedFolder.LookAt(FileOf(backend, location)) is { Kind: EntryKind.File } file ? FormattableString.Invariant($"{file.Size}:{file.ModifiedTicks}") : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ReplicationException)
        {
            return null;
        }
    }

    /// <summary>
    /// A file's modification time moves on a write only when the clock has moved past the last one's (the file system's
    /// timestamp granularity): so the stamp is trusted only when the file had been quiet for <see cref="QuietPeriod"/>
    /// before it was taken, and any later write shows as a new time.
    /// </summary>
    bool ICoarseChangeStamps.ProvesQuiet(string stamp, DateTimeOffset takenAt)
    {
        var parts = stamp.Split(':');
        return parts.Length == 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var modifiedTicks) &&
            takenAt.UtcTicks - modifiedTicks > QuietPeriod.Ticks;
    }

    /// <summary>Fences (0400, or the read bits of the backend's FileMode; Windows: read-only) or lifts the fence (the FileMode), on the open file.</summary>
    private static bool SetReadOnly(VolumeCopy copy, bool readOnly)
    {
        var path = LocalFileLayout.VolumePath(copy);
        try
        {
            var fileMode = LocalFileSettings.Of(copy.Backend).FileMode;
            using var file = path.Open(FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            VerifiedFolder.SetMode(file, readOnly ? fileMode & Modes.ReadBits : fileMode);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The backend's folder for work that reports an unreachable folder as such.</summary>
    private static BackendFolder OpenFolder(BackendRecord backend)
    {
        try
        {
            return BackendFolder.Open(backend);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ReplicationException(ErrorIds.VolumeFileFault, ErrorKind.ResourceUnavailable,
                $"The folder '{LocalFileLayout.BackendFolder(backend)}' of backend '{backend.Name}' cannot be reached: {ex.Message}", backend.Name, ex);
        }
    }

}
