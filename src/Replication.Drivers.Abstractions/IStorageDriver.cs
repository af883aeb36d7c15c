using System;
using System.Collections.Generic;

namespace Replication.Drivers;

/// <summary>
/// Plain storage work for one kind of backend, as Cinder's volume drivers do it. A driver never keeps replication state
/// and never decides whether an operation is allowed: the engine owns the rules and the algorithms (block maps, delta
/// rounds, journals, verification) and calls these members for the storage work only. Every member may be called from
/// several processes at once for different copies. Failures are <see cref="StorageDriverException"/>s carrying one of
/// <see cref="DriverErrorIds"/>. A copy is named by its <c>location</c>, which the driver chose in <see cref="LocationFor"/>.
/// </summary>
public interface IStorageDriver
{
    /// <summary>The driver's name, version, connection type, settings and capability names.</summary>
    DriverInfo Info { get; }

    /// <summary>
    /// Checks the settings an admin gives a new backend and returns them as they are to be stored (normalised, defaults
    /// filled in). An unknown setting or a refused value throws with <see cref="DriverErrorIds.InvalidSetting"/>; a
    /// setting declared <see cref="DriverSetting.Secret"/> arrives as its reference, never its value: return it unchanged.
    /// </summary>
    IReadOnlyDictionary<string, string> ValidateSettings(IReadOnlyDictionary<string, string> settings);

    /// <summary>
    /// Makes the backend's storage ready for use (checked, reachable, writable). Returns true when it created the storage,
    /// which <see cref="AbandonBackend"/> then removes if defining the backend fails. Idempotent.
    /// </summary>
    bool PrepareBackend(BackendConfiguration backend);

    /// <summary>Undoes a <see cref="PrepareBackend"/> that created the storage: removes it while it is still empty.</summary>
    void AbandonBackend(BackendConfiguration backend);

    /// <summary>What the backend reports now, in Cinder's capability names (free_capacity_gb, thin_provisioning_support, ...).</summary>
    IReadOnlyDictionary<string, object?> ReportCapabilities(BackendConfiguration backend);

    /// <summary>
    /// Pre-flight: looks at the storage the way replication will use it, writing and removing only probe data of its own.
    /// Never throws for a storage fault: the probe says what could not be found out and why.
    /// </summary>
    BackendProbe Probe(BackendConfiguration backend);

    /// <summary>Where a copy with this id lives on a backend of this driver; known before anything is created, the same every time.</summary>
    string LocationFor(Guid copyId);

    /// <summary>Every location on the backend that holds a copy, for finding leftovers. Sidecars are not copies.</summary>
    IReadOnlyList<string> ListCopies(BackendConfiguration backend);

    /// <summary>Creates a copy of the size that reads as zeros. A copy already there with that size is not an error.</summary>
    void CreateCopy(BackendConfiguration backend, string location, long sizeBytes);

    /// <summary>Removes the copy; a copy that is already gone is not an error. Sidecars are the engine's to remove.</summary>
    void DeleteCopy(BackendConfiguration backend, string location);

    /// <summary>Grows or shrinks the copy to the size; new bytes read as zeros. Throws <see cref="DriverErrorIds.CopyMissing"/> when it is gone.</summary>
    void ResizeCopy(BackendConfiguration backend, string location, long sizeBytes);

    /// <summary>The copy's length in bytes; null when it does not exist.</summary>
    long? CopyLength(BackendConfiguration backend, string location);

    /// <summary>
    /// Opens the copy for block I/O. <see cref="DeviceAccess.ReadWrite"/> on a fenced copy throws
    /// <see cref="DriverErrorIds.Fenced"/>; a missing copy throws <see cref="DriverErrorIds.CopyMissing"/>.
    /// </summary>
    IBlockDevice Open(BackendConfiguration backend, string location, DeviceAccess access);

    /// <summary>
    /// Sets or lifts the fence: a fenced copy refuses ordinary writers (hypervisors, exports opened read-write) until
    /// unfenced. Idempotent. Fencing a missing copy throws <see cref="DriverErrorIds.CopyMissing"/>; unfencing one does not.
    /// </summary>
    void SetFence(BackendConfiguration backend, string location, bool fenced);

    /// <summary>True when the copy carries the fence; false when it does not; null when it cannot be reached or is gone.</summary>
    bool? IsFenced(BackendConfiguration backend, string location);

    /// <summary>
    /// A short text that changes whenever the copy is written by anyone (for files: size, modification time, inode change
    /// time); null when it is gone or unreachable. The engine only uses it to skip reading an unchanged copy, never to trust one.
    /// </summary>
    string? ChangeStamp(BackendConfiguration backend, string location);

    /// <summary>What a hypervisor attaches: Cinder's driver_volume_type and connection data for the copy.</summary>
    ConnectionInfo Connect(BackendConfiguration backend, string location);

    /// <summary>
    /// Small files the engine keeps on the backend beside the copies (block maps' journals, dirty bitmaps, export records,
    /// the backend's owner mark): stored privately, never through a link, and not listed by <see cref="ListCopies"/>.
    /// </summary>
    ISidecarStore Sidecars(BackendConfiguration backend);
}
