using System;
using System.Collections.Generic;
using System.Threading;
using Replication.Engine.State;

namespace Replication.Engine.Drivers;

/// <summary>
/// Storage work for one kind of backend. A driver never writes state and never decides whether an operation is
/// allowed: it does what the engine asks and reports what changed. Failures are <see cref="Errors.ReplicationException"/>s
/// whose ErrorId says which side failed (PrimaryUnreadable, ReplicaUnwritable, VolumeFileFault).
/// </summary>
public interface IVolumeDriver
{
    string Name { get; }

    /// <summary>Cinder's driver_volume_type of the connections this driver gives ("file").</summary>
    string ConnectionType { get; }

    /// <summary>
    /// Checks the settings an admin gives a new backend (New-StorageBackend -Setting) and returns them as they are to be
    /// stored (normalised, defaults filled in); an unknown setting or a refused value is an InvalidSetting error.
    /// </summary>
    IReadOnlyDictionary<string, string> ValidateSettings(IReadOnlyDictionary<string, object?> settings, string backendName);

    /// <summary>
    /// Checks the backend's settings and makes its storage ready (for LocalFile: the folder exists, is trusted, is
    /// writable, and carries the mark of <see cref="BackendRecord.StoreId"/>; a folder another state store marked is refused).
    /// True when it created the storage, which <see cref="AbandonBackend"/> then removes if defining the backend fails.
    /// </summary>
    bool PrepareBackend(BackendRecord backend);

    /// <summary>
    /// The real identity of the backend's storage and of everything it lies within (for LocalFile: the folder's device and
    /// inode, then each folder's above it), so the engine can tell two backends on one storage, or one inside another,
    /// whatever their paths say. Self is null when the storage does not exist yet; null when it cannot be found out.
    /// </summary>
    StorageLineage? StorageLineage(BackendRecord backend);

    /// <summary>
    /// Marks the backend's storage as the store's (<see cref="BackendRecord.StoreId"/>) if nothing marks it yet, as every
    /// use of it does; true when it was unmarked until now (storage an older version set up). A mark of another store is
    /// refused with BackendFolderTaken.
    /// </summary>
    bool ClaimStorage(BackendRecord backend);

    /// <summary>Undoes a PrepareBackend that created the storage: removes it while it is still empty.</summary>
    void AbandonBackend(BackendRecord backend);

    /// <summary>Every capability name the driver may report, whether or not it can report it at this moment.</summary>
    IReadOnlyCollection<string> ReportedCapabilities { get; }

    /// <summary>What the backend reports now, in Cinder's capability names (free_capacity_gb, storage_protocol, ...).</summary>
    IReadOnlyDictionary<string, object?> ReportCapabilities(BackendRecord backend);

    /// <summary>Where a volume with this id lives on a backend of this driver; known before anything is created.</summary>
    string LocationFor(Guid volumeId);

    void CreateVolume(VolumeCopy copy, long sizeBytes);

    /// <summary>Throws VolumeFileFault unless the copy exists, can be reached and has the volume's size.</summary>
    void CheckCopy(VolumeCopy copy, long sizeBytes);

    /// <summary>Removes the copy and anything kept for it; a copy that is already gone is not an error.</summary>
    void DeleteVolume(VolumeCopy copy);

    /// <summary>
    /// Makes <paramref name="target"/> (a new location) a copy of <paramref name="source"/>, and returns the block hashes of
    /// what it copied (the source as it was read), so the engine can check the copy without reading it again.
    /// </summary>
    Replication.BlockMap CloneVolume(VolumeCopy source, VolumeCopy target, long sizeBytes, IOperationObserver observer, CancellationToken cancellation);

    /// <summary>The block hashes of a copy as it is now (reads its allocated data), to check it against a recorded round.</summary>
    Replication.BlockMap HashCopy(VolumeCopy copy, long sizeBytes, IOperationObserver observer, CancellationToken cancellation);

    ReplicaSyncOutcome SyncReplica(ReplicaSyncRequest request, IOperationObserver observer, CancellationToken cancellation);

    /// <summary>
    /// Finishes a sync round that committed its journal but may not have reached the target (crash, fault), and returns
    /// what that round held. Null when there was nothing to finish. An uncommitted journal is discarded.
    /// </summary>
    ReplicaSyncOutcome? FinishInterruptedSync(VolumeCopy target, Guid volumeId);

    /// <summary>The group token of the committed journal beside the target, if there is one and it belongs to a group round.</summary>
    Guid? CommittedJournalGroup(VolumeCopy target, Guid volumeId);

    /// <summary>True when a journal of a sync round (committed or not) lies beside the target.</summary>
    bool HasSyncJournal(VolumeCopy target, Guid volumeId);

    /// <summary>Every location on the backend that holds something of a volume (its file or a journal), for finding leftovers.</summary>
    IReadOnlyList<string> ListLocations(BackendRecord backend);

    /// <summary>Forgets a round's journal, committed or not: once the engine has recorded the round, or when the replica is about to be recopied.</summary>
    void DiscardSyncJournal(VolumeCopy target, Guid volumeId);

    /// <summary>Stops ordinary writers using a copy that is no longer the primary. False when the copy could not be reached.</summary>
    bool Fence(VolumeCopy copy);

    /// <summary>True when the copy carries the fence (is read-only); false when it does not or cannot be reached.</summary>
    bool IsFenced(VolumeCopy copy);

    /// <summary>A short text that changes whenever the copy is written (size and modification time); null when it is gone or unreachable.</summary>
    string? CopyStamp(VolumeCopy copy);

    /// <summary>Lifts the fence before the copy becomes a replica target again; a copy that no longer exists needs no lifting.</summary>
    void Unfence(VolumeCopy copy);

    /// <summary>The path (or address) a hypervisor attaches.</summary>
    string ConnectionPath(VolumeCopy copy);

    /// <summary>
    /// Pre-flight: looks at the backend's storage the way replication will use it (reachable, writable, free space, block
    /// size, holes, the file time a new file gets), writing and removing only probe files of its own. Never throws for a
    /// storage fault: the probe says what could not be found out and why.
    /// </summary>
    Preflight.BackendProbe ProbeBackend(BackendRecord backend);

    /// <summary>The bytes of data a copy occupies (its allocated extents, not its length); null when the copy is missing or cannot be read.</summary>
    long? AllocatedBytes(VolumeCopy copy);

    /// <summary>
    /// True when a write can be made to both copies before it is acknowledged (synchronous replication): the replica's
    /// backend is reachable for every write from where the primary is served.
    /// </summary>
    bool SupportsSynchronousReplication { get; }

    /// <summary>Opens a copy for an export's block I/O; failures then carry <paramref name="faultErrorId"/>.</summary>
    IVolumeDevice OpenDevice(VolumeCopy copy, long sizeBytes, string faultErrorId);

    /// <summary>
    /// A small file of the engine's own about a copy (<paramref name="kind"/>: "dirty" for the dirty bitmap, "export" for
    /// the export record), beside the copy; removed with the copy.
    /// </summary>
    SidecarFile Sidecar(VolumeCopy copy, string kind);
}
