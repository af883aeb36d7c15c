using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System;
using Replication.Engine.Diagnostics;
using Replication.Engine.Errors;
using Replication.Engine.Files;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.State;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>
/// Volumes as sparse files in a backend folder; a replica is the same file name in the partner backend's folder.
/// Sync copies only blocks that changed since the last round and never fills holes.
/// </summary>
public sealed partial class LocalFileDriver : IVolumeDriver
{
    public const string DriverName = "LocalFile";

    private const int IoBufferSize = 1;

    public string Name => DriverName;

    public string ConnectionType => "file";

    public IReadOnlyCollection<string> ReportedCapabilities { get; } = new[]
    {
        "volume_backend_name", "vendor_name", "driver_version", "storage_protocol", "thin_provisioning_support", "total_capacity_gb", "free_capacity_gb",
    };

    public IReadOnlyDictionary<string, string> ValidateSettings(IReadOnlyDictionary<string, object?> settings, string backendName) =>
        LocalFileSettings.Validate(settings, backendName);

    public bool PrepareBackend(BackendRecord backend)
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

    public void AbandonBackend(BackendRecord backend)
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

    public StorageLineage? StorageLineage(BackendRecord backend)
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

    public bool ClaimStorage(BackendRecord backend)
    {
        using var folder = OpenFolder(backend);
        return folder.MarkedNow;
    }

    public IReadOnlyDictionary<string, object?> ReportCapabilities(BackendRecord backend)
    {
        var capabilities = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
        {
            ["volume_backend_name"] = backend.Name,
            ["vendor_name"] = "Replication.PowerShell",
            ["driver_version"] = typeof(LocalFileDriver).Assembly.GetName().Version?.ToString(3),
            ["storage_protocol"] = ConnectionType,
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

    public void CreateVolume(VolumeCopy copy, long sizeBytes)
    {
        var path = LocalFileLayout.VolumePath(copy);
        try
        {
            using var folder = BackendFolder.Open(copy.Backend);
            using (SparseFile.CreateNew(folder.Root, path.Name, sizeBytes))
            {
            }

            folder.Root.Sync();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ReplicationException(ErrorIds.VolumeFileFault, ErrorKind.WriteError,
                $"Creating the {Humane.Bytes(sizeBytes)} volume file '{path}' on backend '{copy.Backend.Name}' failed: {ex.Message}", path, ex);
        }
    }

    public void CheckCopy(VolumeCopy copy, long sizeBytes)
    {
        var path = LocalFileLayout.VolumePath(copy);
        var file = Directory.Exists(LocalFileLayout.BackendFolder(copy.Backend)) ? path.Look() : null;
        var problem = !Directory.Exists(LocalFileLayout.BackendFolder(copy.Backend)) ? "its backend folder cannot be reached"
            : file is null ? "the file is missing"
            : file.Kind == EntryKind.Link ? "it is a link, which the module never follows"
            : file.Kind != EntryKind.File ? "it is not a regular file"
            : file.Size != sizeBytes ? $"the file is {file.Size} bytes, not {sizeBytes}"
            : null;
        if (problem is not null)
        {
            throw new ReplicationException(ErrorIds.VolumeFileFault, ErrorKind.ResourceUnavailable, $"'{path}' on backend '{copy.Backend.Name}' is not usable: {problem}.", path);
        }
    }

    public void DeleteVolume(VolumeCopy copy)
    {
        var path = LocalFileLayout.VolumePath(copy);
        var folder = LocalFileLayout.BackendFolder(copy.Backend);
        if (!Directory.Exists(folder))
        {
            throw new ReplicationException(ErrorIds.VolumeFileFault, ErrorKind.ResourceUnavailable,
                $"The folder '{folder}' of backend '{copy.Backend.Name}' cannot be reached, so '{copy.Location}' was not removed. Run the command again once the folder is back.", path);
        }

        var volumeId = LocalFileLayout.VolumeIdOfLocation(copy);
        TargetIo.Run(path, () =>
        {
            using var backend = BackendFolder.Open(copy.Backend);
            // A fenced file too (on Windows the read-only attribute is lifted first); a link there is refused, not removed.
            backend.Root.Delete(path.Name);
            backend.ModuleFolder.Delete(LocalFileLayout.JournalName(volumeId));
            backend.ModuleFolder.Delete(LocalFileLayout.UncommittedJournalName(volumeId));
            backend.ModuleFolder.Delete(LocalFileLayout.SidecarName(volumeId, "dirty"));
            backend.ModuleFolder.Delete(LocalFileLayout.SidecarName(volumeId, "export"));
            backend.ModuleFolder.Delete(LocalFileLayout.SidecarName(volumeId, "export") + ".tmp");
            backend.Root.Sync();
            backend.ModuleFolder.Sync();
        }, ErrorIds.VolumeFileFault, "Removing");
    }

    public BlockMap CloneVolume(VolumeCopy source, VolumeCopy target, long sizeBytes, IOperationObserver observer, CancellationToken cancellation)
    {
        var sourcePath = LocalFileLayout.VolumePath(source);
        var targetPath = LocalFileLayout.VolumePath(target);
        using var sourceFile = OpenSource(sourcePath, ErrorIds.VolumeFileFault, sizeBytes);
        const string cloning = "Writing the test volume";
        using var targetFile = TargetIo.Run(targetPath, () =>
        {
            using var folder = BackendFolder.Open(target.Backend);
            return SparseFile.CreateNew(folder.Root, targetPath.Name, sizeBytes, IoBufferSize);
        }, ErrorIds.VolumeFileFault, cloning);
        var copier = new BlockCopier(sourceFile, ErrorIds.VolumeFileFault, Reporter(observer, "Cloning", source.ToString()), cancellation);
        var copied = copier.CopyChanged(BlockMap.Empty(BlockMap.DefaultBlockSize, sizeBytes), new DirectBlockSink(targetFile, BlockMap.DefaultBlockSize, ErrorIds.VolumeFileFault, cloning));
        TargetIo.Run(targetPath, () => targetFile.Flush(flushToDisk: true), ErrorIds.VolumeFileFault, cloning);
        observer.Decision($"Cloned {copier.BytesWritten} bytes in {copier.BlocksWritten} blocks from {source} to {target}; holes stayed holes.");
        return copied;
    }

    public BlockMap HashCopy(VolumeCopy copy, long sizeBytes, IOperationObserver observer, CancellationToken cancellation)
    {
        var path = LocalFileLayout.VolumePath(copy);
        using var file = OpenSource(path, ErrorIds.VolumeFileFault, sizeBytes);
        return new BlockCopier(file, ErrorIds.VolumeFileFault, Reporter(observer, "Verifying", copy.ToString()), cancellation).HashAll(sizeBytes, BlockMap.DefaultBlockSize);
    }

    public ReplicaSyncOutcome SyncReplica(ReplicaSyncRequest request, IOperationObserver observer, CancellationToken cancellation)
    {
        var sourcePath = LocalFileLayout.VolumePath(request.Source);
        var targetPath = LocalFileLayout.VolumePath(request.Target);
        var stampBefore = ReadStamp(sourcePath);
        // Open the replica first: a quiet primary proves nothing about a replica that was removed or resized.
        using var targetFile = OpenTarget(targetPath, request.SizeBytes, rebuild: request.PreviousMap is null);
        var previous = RoundStamp.Parse(request.PreviousDriverData);
        var replicaUntouched = previous is not null && previous.ReplicaModifiedTicks == ModifiedTicks(targetPath);
        if (request.PreviousMap is not null && !request.ForceRead && replicaUntouched && previous!.Source is { } source && source.ProvesUnchanged(stampBefore))
        {
            observer.Decision($"'{request.VolumeName}': the primary's size and modification time are those of the last round, and the replica is untouched, so nothing was read.");
            return new ReplicaSyncOutcome
            {
                Mode = SyncMode.Unchanged,
                Generation = request.Generation,
                StartedAt = request.StartedAt,
                DriverData = previous.ToDriverData(),
            };
        }

        if (request.DirtyBlocks is { } dirty && request.PreviousMap is not null && !request.ForceRead && (replicaUntouched || previous is null || request.ReplicaWrittenAtDirtyBlocks))
        {
            return SyncTracked(request, dirty, targetFile, stampBefore, observer, cancellation);
        }

        using var sourceFile = OpenSource(sourcePath, ErrorIds.PrimaryUnreadable, request.SizeBytes);
        var copier = new BlockCopier(sourceFile, ErrorIds.PrimaryUnreadable, Reporter(observer, "Syncing", request.VolumeName), cancellation);
        var trustMap = request.PreviousMap is not null && !request.ForceRead && (replicaUntouched || previous is null);
        if (request.PreviousMap is not null && !trustMap)
        {
            observer.Decision(request.ForceRead
                ? $"'{request.VolumeName}': a full round compares the primary with the replica's real blocks, not with the block map, so a replica changed on disk is repaired whatever its file times say."
                : $"'{request.VolumeName}': the replica was modified outside the module since the last round, so its blocks are compared instead of trusting the block map.");
        }

        var mode = trustMap ? SyncMode.Incremental : SyncMode.FullCompare;
        var baseline = trustMap ? request.PreviousMap!.Value : HashTarget(targetFile, request, observer, cancellation);
        if (!trustMap)
        {
            request.ReplicaHashed?.Invoke(baseline);
        }
        BlockMap newMap;
        if (request.Journaled)
        {
            newMap = SyncThroughJournal(request, targetFile, baseline, sink => copier.CopyChanged(baseline, sink));
        }
        else
        {
            newMap = copier.CopyChanged(baseline, new DirectBlockSink(targetFile, baseline.BlockSize, beforeFirstChange: request.BeforeFirstDirectChange));
            TargetIo.Run(targetPath, () => targetFile.Flush(flushToDisk: true));
        }

        observer.Decision($"'{request.VolumeName}': {mode} round read {copier.BytesRead} bytes of the primary and wrote {copier.BlocksWritten} changed blocks ({copier.BytesWritten} bytes); {copier.BlocksDeallocated} blocks became holes.");
        return Outcome(request, mode, newMap, copier, stampBefore, sourcePath, targetPath);
    }

    /// <summary>What a round that read the primary reports: its new block map, its counts, and the stamps the next round's quick check compares.</summary>
    private static ReplicaSyncOutcome Outcome(ReplicaSyncRequest request, SyncMode mode, BlockMap newMap, BlockCopier copier, SourceStamp stampBefore, string sourcePath, string targetPath)
    {
        // A write during the round makes the primary's stamp useless for skipping the next one, and the replica no
        // crash-consistent point in time.
        var quiet = ReadStamp(sourcePath).SameFileState(stampBefore);
        return new ReplicaSyncOutcome
        {
            Mode = mode,
            NewMap = newMap,
            PrimaryChangedDuringRound = !quiet,
            DriverData = new RoundStamp(quiet ? stampBefore : null, ModifiedTicks(targetPath)).ToDriverData(),
            Generation = request.Generation,
            StartedAt = request.StartedAt,
            BytesRead = copier.BytesRead,
            BytesWritten = copier.BytesWritten,
            BlocksWritten = copier.BlocksWritten,
            BlocksDeallocated = copier.BlocksDeallocated,
        };
    }

    public ReplicaSyncOutcome? FinishInterruptedSync(VolumeCopy target, Guid volumeId)
    {
        var committedName = LocalFileLayout.JournalName(volumeId);
        var uncommittedName = LocalFileLayout.UncommittedJournalName(volumeId);
        var journals = LocalFileLayout.JournalFolderOf(target.Backend);
        // A folder that is not there holds no journal: the round that follows says what is wrong with it.
        using var folder = TargetIo.Run(journals, () => OpenFolderIfThere(target.Backend));
        if (folder is null)
        {
            return null;
        }

        TargetIo.Run(Path.Combine(journals, uncommittedName), () => folder.ModuleFolder.Delete(uncommittedName));
        using var journal = OpenJournal(folder, committedName);
        if (journal is null)
        {
            return null;
        }

        var targetPath = LocalFileLayout.VolumePath(target);
        var journalPath = folder.ModuleFolder.PathOf(committedName);
        var (header, map) = ReadJournal(journal, journalPath);
        using var targetFile = OpenTarget(targetPath, header.VolumeSize, rebuild: false);
        var applied = TargetIo.Run(targetPath, () => SyncJournal.Apply(journal, journalPath, targetFile));
        return new ReplicaSyncOutcome
        {
            Mode = SyncMode.Incremental,
            NewMap = map,
            Generation = header.Generation,
            StartedAt = header.StartedAt,
            BlocksWritten = applied.BlocksWritten,
            BytesWritten = applied.BytesWritten,
            BlocksDeallocated = applied.BlocksDeallocated,
        };
    }

    public Guid? CommittedJournalGroup(VolumeCopy target, Guid volumeId)
    {
        var name = LocalFileLayout.JournalName(volumeId);
        using var folder = OpenFolderIfThere(target.Backend);
        using var journal = folder is null ? null : OpenJournal(folder, name);
        return journal is null ? null : ReadJournal(journal, folder!.ModuleFolder.PathOf(name)).Header.GroupToken;
    }

    public bool HasSyncJournal(VolumeCopy target, Guid volumeId)
    {
        using var folder = OpenFolderIfThere(target.Backend);
        return folder is not null && (folder.ModuleFolder.Look(LocalFileLayout.JournalName(volumeId)) is not null || folder.ModuleFolder.Look(LocalFileLayout.UncommittedJournalName(volumeId)) is not null);
    }

    public IReadOnlyList<string> ListLocations(BackendRecord backend)
    {
        using var folder = OpenFolder(backend);
        // Listing reads names only; the folders were checked (the module's is never a link) before their names are read.
        var files = Directory.EnumerateFiles(folder.Root.Path).Concat(Directory.EnumerateFiles(folder.ModuleFolder.Path));
        return files.Select(f => LocalFileLayout.VolumeIdOf(Path.GetFileName(f)))
            .Where(id => id is not null)
            .Select(id => LocalFileLayout.LocationFor(id!.Value))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    public void DiscardSyncJournal(VolumeCopy target, Guid volumeId)
    {
        var journals = LocalFileLayout.JournalFolderOf(target.Backend);
        TargetIo.Run(journals, () =>
        {
            // A folder that is not there holds no journal to forget.
            using var folder = OpenFolderIfThere(target.Backend);
            if (folder is null)
            {
                return;
            }

            folder.ModuleFolder.Delete(LocalFileLayout.JournalName(volumeId));
            folder.ModuleFolder.Delete(LocalFileLayout.UncommittedJournalName(volumeId));
            folder.ModuleFolder.Sync();
        });
    }

    public bool Fence(VolumeCopy copy)
    {
        try
        {
            return SetReadOnly(copy, readOnly: true);
        }
        catch (ReplicationException ex) when (IsDistrust(ex))
        {
            // Nothing is changed through a link or in a folder the module does not trust: the fence stays in state only.
            return false;
        }
    }

    public bool IsFenced(VolumeCopy copy)
    {
        try
        {
            return LocalFileLayout.VolumePath(copy).Look() is { Kind: EntryKind.File, ReadOnly: true };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ReplicationException)
        {
            return false;
        }
    }

    public string? CopyStamp(VolumeCopy copy)
    {
        try
        {
            return VerifiedFolder.LookAt(LocalFileLayout.VolumePath(copy)) is { Kind: EntryKind.File } file ? FormattableString.Invariant($"{file.Size}:{file.ModifiedTicks}") : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ReplicationException)
        {
            return null;
        }
    }

    public void Unfence(VolumeCopy copy)
    {
        if (Directory.Exists(LocalFileLayout.BackendFolder(copy.Backend)) && VerifiedFolder.LookAt(LocalFileLayout.VolumePath(copy)) is null)
        {
            return;
        }

        if (!SetReadOnly(copy, readOnly: false))
        {
            throw new ReplicationException(ErrorIds.VolumeFileFault, ErrorKind.ResourceUnavailable,
                $"'{LocalFileLayout.VolumePath(copy)}' cannot be reached to lift its fence.", copy.ToString());
        }
    }

    public string ConnectionPath(VolumeCopy copy) => LocalFileLayout.VolumePath(copy);

    /// <summary>
    /// A round of a volume whose writes were tracked: only the dirty blocks are read (and, for a replica a synchronous
    /// export wrote, compared with the replica's own blocks); a volume with none is not read at all.
    /// </summary>
    private ReplicaSyncOutcome SyncTracked(ReplicaSyncRequest request, DirtyBlockSet dirty, FileStream targetFile, SourceStamp stampBefore, IOperationObserver observer, CancellationToken cancellation)
    {
        var sourcePath = LocalFileLayout.VolumePath(request.Source);
        var targetPath = LocalFileLayout.VolumePath(request.Target);
        var map = request.PreviousMap!.Value;
        var dirtyCount = dirty.Count;
        if (dirtyCount == 0)
        {
            observer.Decision($"'{request.VolumeName}': its export tracked no write since the last round, so nothing was read.");
            return new ReplicaSyncOutcome
            {
                Mode = SyncMode.Unchanged,
                Generation = request.Generation,
                StartedAt = request.StartedAt,
                DriverData = new RoundStamp(stampBefore, ModifiedTicks(targetPath)).ToDriverData(),
            };
        }

        using var sourceFile = OpenSource(sourcePath, ErrorIds.PrimaryUnreadable, request.SizeBytes);
        var copier = new BlockCopier(sourceFile, ErrorIds.PrimaryUnreadable, Reporter(observer, "Syncing", request.VolumeName), cancellation);
        var compareWith = request.ReplicaWrittenAtDirtyBlocks ? targetFile : null;
        BlockMap newMap;
        if (request.Journaled)
        {
            newMap = SyncThroughJournal(request, targetFile, map, sink => copier.CopyBlocks(map, dirty, sink, compareWith));
        }
        else
        {
            newMap = copier.CopyBlocks(map, dirty, new DirectBlockSink(targetFile, map.BlockSize, beforeFirstChange: request.BeforeFirstDirectChange), compareWith);
            TargetIo.Run(targetPath, () => targetFile.Flush(flushToDisk: true));
        }

        observer.Decision($"'{request.VolumeName}': its export tracked {dirtyCount} written blocks since the last round; only they were read ({copier.BytesRead} bytes of the primary" +
            (compareWith is null ? "" : ", compared with the replica, which the synchronous export wrote too") + $"), and {copier.BlocksWritten} that differed were written ({copier.BytesWritten} bytes); {copier.BlocksDeallocated} became holes.");
        return Outcome(request, SyncMode.TrackedWrites, newMap, copier, stampBefore, sourcePath, targetPath);
    }

    private static BlockMap SyncThroughJournal(ReplicaSyncRequest request, FileStream targetFile, BlockMap baseline, Func<IBlockSink, BlockMap> copy)
    {
        var uncommitted = LocalFileLayout.UncommittedJournalName(request.VolumeId);
        var committed = LocalFileLayout.JournalName(request.VolumeId);
        var header = new SyncJournal.Header
        {
            VolumeId = request.VolumeId,
            Generation = request.Generation,
            StartedAt = request.StartedAt,
            BlockSize = baseline.BlockSize,
            VolumeSize = baseline.VolumeSize,
            GroupToken = request.GroupToken,
        };
        using var folder = TargetIo.Run(LocalFileLayout.JournalFolderOf(request.Target.Backend), () => BackendFolder.Open(request.Target.Backend));
        BlockMap newMap;
        using (var journal = new SyncJournal.Writer(folder.ModuleFolder, uncommitted, header))
        {
            try
            {
                newMap = copy(journal);
            }
            catch
            {
                journal.Dispose();
                folder.ModuleFolder.Delete(uncommitted);
                throw;
            }

            journal.Commit(newMap, committed);
        }

        if (request.GroupToken is null)
        {
            var targetPath = LocalFileLayout.VolumePath(request.Target);
            var journalPath = folder.ModuleFolder.PathOf(committed);
            using var journal = OpenJournal(folder, committed) ?? throw new FileNotFoundException("The journal just committed is gone.", journalPath);
            TargetIo.Run(targetPath, () => SyncJournal.Apply(journal, journalPath, targetFile));
            CrashPoints.Hit("sync.after-apply");
        }

        return newMap;
    }

    private static BlockMap HashTarget(FileStream targetFile, ReplicaSyncRequest request, IOperationObserver observer, CancellationToken cancellation)
    {
        observer.Decision($"'{request.VolumeName}': no block map of the replica is recorded, so its blocks are hashed to find what differs.");
        var hasher = new BlockCopier(targetFile, ErrorIds.ReplicaUnwritable, Reporter(observer, "Comparing replica", request.VolumeName), cancellation);
        return hasher.HashAll(request.SizeBytes, BlockMap.DefaultBlockSize);
    }

    /// <summary>A journal in the module's folder, opened to read; null when there is none.</summary>
    private static FileStream? OpenJournal(BackendFolder folder, string name)
    {
        var path = folder.ModuleFolder.PathOf(name);
        try
        {
            return TargetIo.Run(path, () => folder.ModuleFolder.OpenFile(name, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20));
        }
        catch (ReplicationException ex) when (ex.InnerException is FileNotFoundException)
        {
            return null;
        }
    }

    private static (SyncJournal.Header Header, BlockMap Map) ReadJournal(FileStream journal, string path)
    {
        try
        {
            return SyncJournal.ReadCommitted(journal, path);
        }
        catch (Exception ex) when (ex is EndOfStreamException or FormatException or IOException)
        {
            throw new ReplicationException(ErrorIds.SyncJournalCorrupt, ErrorKind.InvalidData,
                $"The sync journal '{path}' cannot be read ({ex.Message}). Enable-Replication recopies what differs.", path, ex);
        }
    }

    private static SourceStamp ReadStamp(string path)
    {
        try
        {
            return SourceStamp.Take(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ReplicationException(ErrorIds.PrimaryUnreadable, ErrorKind.ReadError, $"The primary '{path}' cannot be reached: {ex.Message}", path, ex);
        }
        catch (ReplicationException ex) when (IsDistrust(ex))
        {
            throw OnTheSourceSide(ex, ErrorIds.PrimaryUnreadable, path);
        }
    }

    /// <summary>A link, or a file or folder the module does not trust.</summary>
    private static bool IsDistrust(ReplicationException error) => error.ErrorId is ErrorIds.LinkRefused or ErrorIds.PathNotTrusted or ErrorIds.BackendFolderTaken;

    /// <summary>
    /// Distrust on the side being read says which side (PrimaryUnreadable for a primary): the replica is not at fault, so
    /// the volume stays promotable. The message still says what was refused, and the refusal itself is the inner error.
    /// </summary>
    private static ReplicationException OnTheSourceSide(ReplicationException distrust, string errorId, string path) =>
        new(errorId, distrust.Kind, distrust.Message, path, distrust);

    /// <summary>The file's modification time; the entry itself is looked at, so a link there is refused, never followed.</summary>
    private static long ModifiedTicks(string path) => TargetIo.Run(path, () => VerifiedFolder.LookAt(path) switch
    {
        null => throw new FileNotFoundException("The file is missing.", path),
        { Kind: EntryKind.Link } => throw TrustErrors.Link(path),
        var file => file.ModifiedTicks,
    });

    private static FileStream OpenSource(VolumeFile path, string errorId, long expectedSize)
    {
        FileStream file;
        try
        {
            // Hypervisors keep writing while we read: share read/write.
            file = TransientIo.Run(() => path.Open(FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, IoBufferSize));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ReplicationException(errorId, ErrorKind.ReadError, $"'{path}' cannot be opened: {ex.Message}", (string)path, ex);
        }
        catch (ReplicationException ex) when (IsDistrust(ex))
        {
            throw OnTheSourceSide(ex, errorId, path);
        }

        var length = file.Length;
        if (length != expectedSize)
        {
            file.Dispose();
            throw new ReplicationException(errorId, ErrorKind.InvalidData,
                $"'{path}' is {length} bytes but the volume is {expectedSize}; it was resized or truncated outside the module.", (string)path);
        }

        return file;
    }

    /// <param name="rebuild">The target is being recopied, not a consistent replica: a missing one is created, a resized one set back to size.</param>
    private static FileStream OpenTarget(VolumeFile path, long expectedSize, bool rebuild) => TargetIo.Run(path, () =>
    {
        using var folder = BackendFolder.Open(path.Backend);
        if (folder.Root.Look(path.Name) is null)
        {
            if (!rebuild)
            {
                throw new FileNotFoundException("The replica file is missing.", path);
            }

            return SparseFile.CreateNew(folder.Root, path.Name, expectedSize, IoBufferSize);
        }

        var file = TransientIo.Run(() => folder.Root.OpenFile(path.Name, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, IoBufferSize));
        var length = file.Length;
        if (length != expectedSize)
        {
            if (rebuild)
            {
                // A replica being recopied may be resized: the blocks are compared and rewritten anyway.
                file.SetLength(expectedSize);
                return file;
            }

            file.Dispose();
            throw new IOException($"The replica is {length} bytes but the volume is {expectedSize}.");
        }

        return file;
    });

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

    /// <summary>The backend's folder, or null when it is not there (nothing of a volume is there either); a folder the module does not trust is refused.</summary>
    private static BackendFolder? OpenFolderIfThere(BackendRecord backend)
    {
        try
        {
            return BackendFolder.Open(backend);
        }
        catch (FileNotFoundException)
        {
            return null;
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

    private static Action<long, long> Reporter(IOperationObserver observer, string activity, string target)
    {
        var clock = Stopwatch.StartNew();
        return (done, total) => observer.Progress(new OperationProgress(activity, target, done, total, clock.Elapsed));
    }

    public Preflight.BackendProbe ProbeBackend(BackendRecord backend) => LocalFileProbe.Probe(backend);

    /// <summary>Both backend folders are reachable from this host, so every write can reach both copies before it is acknowledged.</summary>
    public bool SupportsSynchronousReplication => true;

    public IVolumeDevice OpenDevice(VolumeCopy copy, long sizeBytes, string faultErrorId) =>
        LocalFileDevice.Open(LocalFileLayout.VolumePath(copy), sizeBytes, faultErrorId);

    public SidecarFile Sidecar(VolumeCopy copy, string kind) => new LocalSidecarFile(copy.Backend, LocalFileLayout.SidecarName(LocalFileLayout.VolumeIdOfLocation(copy), kind));

    public long? AllocatedBytes(VolumeCopy copy) => LocalFileProbe.AllocatedBytes(copy);
}
