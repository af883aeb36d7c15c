using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System;
using Replication.Engine.Diagnostics;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.State;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>
/// Volumes as sparse files in a backend folder; a replica is the same file name in the partner backend's folder.
/// Sync copies only blocks that changed since the last round and never fills holes.
/// </summary>
public sealed class LocalFileDriver : IVolumeDriver
{
    public const string DriverName = "LocalFile";

    private const int IoBufferSize = 1;

    public string Name => DriverName;

    public string ConnectionType => "file";

    public IReadOnlyCollection<string> ReportedCapabilities { get; } = new[]
    {
        "volume_backend_name", "vendor_name", "driver_version", "storage_protocol", "thin_provisioning_support", "total_capacity_gb", "free_capacity_gb",
    };

    public bool PrepareBackend(BackendRecord backend)
    {
        if (string.IsNullOrWhiteSpace(backend.Path))
        {
            throw new ReplicationException(ErrorIds.InvalidPath, ErrorKind.InvalidArgument, "A LocalFile backend needs -Path, the folder its volumes live in.", backend.Name);
        }

        var folder = LocalFileLayout.BackendFolder(backend);
        var created = !Directory.Exists(folder);
        try
        {
            Directory.CreateDirectory(folder);
            // The journal folder is part of the layout from the start, so the first journaled round adds no folder.
            Directory.CreateDirectory(LocalFileLayout.JournalFolderOf(backend));
            var probe = Path.Combine(folder, $".write-probe-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, Array.Empty<byte>());
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            if (created)
            {
                AbandonBackend(backend);
            }

            throw new ReplicationException(ErrorIds.BackendPathUnusable, ErrorKind.PermissionDenied,
                $"The folder '{folder}' for backend '{backend.Name}' cannot be created or written: {ex.Message}", backend.Name, ex);
        }

        return created;
    }

    public void AbandonBackend(BackendRecord backend)
    {
        var folder = LocalFileLayout.BackendFolder(backend);
        var journals = LocalFileLayout.JournalFolderOf(backend);
        try
        {
            if (Directory.Exists(journals) && !Directory.EnumerateFileSystemEntries(journals).Any())
            {
                Directory.Delete(journals);
            }

            if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
            {
                Directory.Delete(folder);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Leaving an empty folder behind is harmless; the definition's own failure is what the admin needs to see.
        }
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
            using (SparseFile.CreateNew(path, sizeBytes))
            {
            }

            FileSystemOps.FsyncDirectory(Path.GetDirectoryName(path)!);
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
        var file = new FileInfo(path);
        var problem = !Directory.Exists(LocalFileLayout.BackendFolder(copy.Backend)) ? "its backend folder cannot be reached"
            : !file.Exists ? "the file is missing"
            : file.Length != sizeBytes ? $"the file is {file.Length} bytes, not {sizeBytes}"
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
            if (File.Exists(path))
            {
                // Windows refuses to delete a read-only (fenced) file.
                FileSystemOps.SetReadOnly(path, readOnly: false);
                File.Delete(path);
            }

            DeleteIfPresent(LocalFileLayout.JournalPath(copy.Backend, volumeId));
            DeleteIfPresent(LocalFileLayout.UncommittedJournalPath(copy.Backend, volumeId));
            DeleteIfPresent(LocalFileLayout.SidecarPath(copy.Backend, volumeId, "dirty"));
            DeleteIfPresent(LocalFileLayout.SidecarPath(copy.Backend, volumeId, "export"));
            FileSystemOps.FsyncDirectory(folder);
        }, ErrorIds.VolumeFileFault, "Removing");
    }

    public BlockMap CloneVolume(VolumeCopy source, VolumeCopy target, long sizeBytes, IOperationObserver observer, CancellationToken cancellation)
    {
        var sourcePath = LocalFileLayout.VolumePath(source);
        var targetPath = LocalFileLayout.VolumePath(target);
        using var sourceFile = OpenSource(sourcePath, ErrorIds.VolumeFileFault, sizeBytes);
        const string cloning = "Writing the test volume";
        using var targetFile = TargetIo.Run(targetPath, () => SparseFile.CreateNew(targetPath, sizeBytes, IoBufferSize), ErrorIds.VolumeFileFault, cloning);
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
        var committed = LocalFileLayout.JournalPath(target.Backend, volumeId);
        var uncommitted = LocalFileLayout.UncommittedJournalPath(target.Backend, volumeId);
        TargetIo.Run(uncommitted, () => DeleteIfPresent(uncommitted));
        if (!File.Exists(committed))
        {
            return null;
        }

        var targetPath = LocalFileLayout.VolumePath(target);
        var (header, map) = ReadJournal(committed);
        using var targetFile = OpenTarget(targetPath, header.VolumeSize, rebuild: false);
        var applied = TargetIo.Run(targetPath, () => SyncJournal.Apply(committed, targetFile));
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
        var committed = LocalFileLayout.JournalPath(target.Backend, volumeId);
        return File.Exists(committed) ? ReadJournal(committed).Header.GroupToken : null;
    }

    public bool HasSyncJournal(VolumeCopy target, Guid volumeId) =>
        File.Exists(LocalFileLayout.JournalPath(target.Backend, volumeId)) || File.Exists(LocalFileLayout.UncommittedJournalPath(target.Backend, volumeId));

    public IReadOnlyList<string> ListLocations(BackendRecord backend)
    {
        var folder = LocalFileLayout.BackendFolder(backend);
        if (!Directory.Exists(folder))
        {
            throw new ReplicationException(ErrorIds.VolumeFileFault, ErrorKind.ResourceUnavailable,
                $"The folder '{folder}' of backend '{backend.Name}' cannot be reached.", backend.Name);
        }

        var journals = LocalFileLayout.JournalFolderOf(backend);
        var files = Directory.EnumerateFiles(folder).Concat(Directory.Exists(journals) ? Directory.EnumerateFiles(journals) : Enumerable.Empty<string>());
        return files.Select(f => LocalFileLayout.VolumeIdOf(Path.GetFileName(f)))
            .Where(id => id is not null)
            .Select(id => LocalFileLayout.LocationFor(id!.Value))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    public void DiscardSyncJournal(VolumeCopy target, Guid volumeId)
    {
        var committed = LocalFileLayout.JournalPath(target.Backend, volumeId);
        TargetIo.Run(committed, () =>
        {
            DeleteIfPresent(committed);
            DeleteIfPresent(LocalFileLayout.UncommittedJournalPath(target.Backend, volumeId));
            var folder = Path.GetDirectoryName(committed)!;
            if (Directory.Exists(folder))
            {
                FileSystemOps.FsyncDirectory(folder);
            }
        });
    }

    public bool Fence(VolumeCopy copy) => SetReadOnly(copy, readOnly: true);

    public bool IsFenced(VolumeCopy copy)
    {
        try
        {
            return FileSystemOps.IsReadOnly(LocalFileLayout.VolumePath(copy));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public string? CopyStamp(VolumeCopy copy)
    {
        try
        {
            var file = new FileInfo(LocalFileLayout.VolumePath(copy));
            return file.Exists ? FormattableString.Invariant($"{file.Length}:{file.LastWriteTimeUtc.Ticks}") : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Unfence(VolumeCopy copy)
    {
        if (Directory.Exists(LocalFileLayout.BackendFolder(copy.Backend)) && !File.Exists(LocalFileLayout.VolumePath(copy)))
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
        var targetPath = targetFile.Name;
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
        var backend = request.Target.Backend;
        var uncommitted = LocalFileLayout.UncommittedJournalPath(backend, request.VolumeId);
        var committed = LocalFileLayout.JournalPath(backend, request.VolumeId);
        var header = new SyncJournal.Header
        {
            VolumeId = request.VolumeId,
            Generation = request.Generation,
            StartedAt = request.StartedAt,
            BlockSize = baseline.BlockSize,
            VolumeSize = baseline.VolumeSize,
            GroupToken = request.GroupToken,
        };
        BlockMap newMap;
        using (var journal = new SyncJournal.Writer(uncommitted, header))
        {
            try
            {
                newMap = copy(journal);
            }
            catch
            {
                journal.Dispose();
                DeleteIfPresent(uncommitted);
                throw;
            }

            journal.Commit(newMap, committed);
        }

        if (request.GroupToken is null)
        {
            TargetIo.Run(targetFile.Name, () => SyncJournal.Apply(committed, targetFile));
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

    private static (SyncJournal.Header Header, BlockMap Map) ReadJournal(string path)
    {
        try
        {
            return SyncJournal.ReadCommitted(path);
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
    }

    private static long ModifiedTicks(string path) => TargetIo.Run(path, () => File.GetLastWriteTimeUtc(path).Ticks);

    private static FileStream OpenSource(string path, string errorId, long expectedSize)
    {
        FileStream file;
        try
        {
            // Hypervisors keep writing while we read: share read/write.
            file = TransientIo.Run(() => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, IoBufferSize));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ReplicationException(errorId, ErrorKind.ReadError, $"'{path}' cannot be opened: {ex.Message}", path, ex);
        }

        var length = file.Length;
        if (length != expectedSize)
        {
            file.Dispose();
            throw new ReplicationException(errorId, ErrorKind.InvalidData,
                $"'{path}' is {length} bytes but the volume is {expectedSize}; it was resized or truncated outside the module.", path);
        }

        return file;
    }

    /// <param name="rebuild">The target is being recopied, not a consistent replica: a missing one is created, a resized one set back to size.</param>
    private static FileStream OpenTarget(string path, long expectedSize, bool rebuild) => TargetIo.Run(path, () =>
    {
        if (!File.Exists(path))
        {
            if (!rebuild)
            {
                throw new FileNotFoundException("The replica file is missing.", path);
            }

            return SparseFile.CreateNew(path, expectedSize, IoBufferSize);
        }

        var file = TransientIo.Run(() => new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, IoBufferSize));
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

    private static bool SetReadOnly(VolumeCopy copy, bool readOnly)
    {
        var path = LocalFileLayout.VolumePath(copy);
        try
        {
            FileSystemOps.SetReadOnly(path, readOnly);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Deletes a file if it is there; a missing file or folder is not an error (File.Delete throws for a missing folder).</summary>
    private static void DeleteIfPresent(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
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

    public string SidecarPath(VolumeCopy copy, string kind) => LocalFileLayout.SidecarPath(copy.Backend, LocalFileLayout.VolumeIdOfLocation(copy), kind);

    public long? AllocatedBytes(VolumeCopy copy) => LocalFileProbe.AllocatedBytes(copy);
}
