using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Replication.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Replication;
using Replication.Engine.Rounds;
using Replication.Engine.State;

namespace Replication.Engine.Drivers;

/// <summary>
/// A storage driver as the engine uses it: the contract's storage work on stored backends and copies, with the engine's
/// own algorithms over it (rounds, journals, clones, block maps) and the driver's failures turned into the module's
/// ErrorIds. Every driver, built in or added at run time, is used through one of these.
/// </summary>
public sealed class EngineDriver
{
    private static readonly Regex VolumeSidecar = new("^volume-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\.", RegexOptions.CultureInvariant);

    public EngineDriver(IStorageDriver driver)
    {
        Contract = driver;
        Rounds = new ReplicaRounds(this);
    }

    /// <summary>The driver itself, for its optional capabilities.</summary>
    public IStorageDriver Contract { get; }

    public string Name => Contract.Info.Name;

    /// <summary>Cinder's driver_volume_type of the connections this driver gives ("file").</summary>
    public string ConnectionType => Contract.Info.ConnectionType;

    /// <summary>Every capability name the driver may report, whether or not it can report it at this moment.</summary>
    public IReadOnlyCollection<string> ReportedCapabilities => Contract.Info.CapabilityNames.ToList();

    /// <summary>
    /// True when a write to a copy on <paramref name="primary"/> can reach its replica on <paramref name="replica"/> before
    /// it is acknowledged (synchronous replication): the driver offers it and says yes for this pair. A driver that
    /// cannot tell now (a storage fault) says no, so no volume is placed on a promise the storage may not keep.
    /// </summary>
    public bool CanMirror(BackendRecord primary, BackendRecord replica)
    {
        try
        {
            return Contract is ISynchronousReplication mirroring && mirroring.CanMirror(Config(primary), Config(replica));
        }
        catch (StorageDriverException)
        {
            return false;
        }
    }

    internal ReplicaRounds Rounds { get; }

    /// <summary>
    /// Checks the settings an admin gives a new backend and returns them as they are to be stored; an unknown setting or a
    /// refused value is an InvalidSetting error (InvalidPath for LocalFile's folder), a secret given in clear SecretInClear.
    /// </summary>
    public IReadOnlyDictionary<string, string> ValidateSettings(IReadOnlyDictionary<string, object?> settings, string backendName)
    {
        var texts = settings.ToDictionary(s => s.Key, s => Convert.ToString(s.Value, CultureInfo.InvariantCulture) ?? "", StringComparer.OrdinalIgnoreCase);
        Loading.SecretReferences.RequireReferences(Contract.Info, texts, backendName);
        IReadOnlyDictionary<string, string> validated;
        try
        {
            validated = Contract.ValidateSettings(texts);
        }
        catch (StorageDriverException ex) when (ex.InnerException is ReplicationException own)
        {
            throw new ReplicationException(own.ErrorId, own.Kind, own.Message, backendName, own);
        }
        catch (StorageDriverException ex)
        {
            throw new ReplicationException(ex.ErrorId == DriverErrorIds.InvalidSetting ? ErrorIds.InvalidSetting : ErrorIds.BackendPathUnusable, ErrorKind.InvalidArgument, ex.Message, backendName, ex);
        }

        Loading.SecretReferences.RequireReferences(Contract.Info, validated, backendName);
        return validated;
    }

    /// <summary>Makes the backend's storage ready; true when it created the storage, which <see cref="AbandonBackend"/> then removes if defining the backend fails.</summary>
    public bool PrepareBackend(BackendRecord backend) => Backend(backend, () => Contract.PrepareBackend(Config(backend)), ErrorIds.BackendPathUnusable, "Preparing the storage of backend");

    public void AbandonBackend(BackendRecord backend) => Contract.AbandonBackend(Config(backend));

    /// <summary>The real identity of the backend's storage and of everything it lies within; null when it cannot be found out (or the driver cannot tell).</summary>
    public StorageLineage? StorageLineage(BackendRecord backend) =>
        Contract is IStorageIdentity identity && identity.Lineage(Config(backend)) is { } lineage ? new StorageLineage(lineage.Self, lineage.Above) : null;

    /// <summary>Marks the backend's storage as the store's if nothing marks it yet; true when it was unmarked until now.</summary>
    public bool ClaimStorage(BackendRecord backend) => Backend(backend, () => Contract is IStorageOwnerMark mark
        ? mark.ClaimStorage(backend)
        : Contract.ListCopies(Config(backend)) is null, ErrorIds.VolumeFileFault, "Reaching the storage of backend");

    public IReadOnlyDictionary<string, object?> ReportCapabilities(BackendRecord backend) => Contract.ReportCapabilities(Config(backend));

    /// <summary>Pre-flight: what the driver finds when it looks at the backend's storage the way replication will use it; never throws for a storage fault.</summary>
    public BackendProbe ProbeBackend(BackendRecord backend) => Contract.Probe(Config(backend));

    public string LocationFor(Guid volumeId) => Contract.LocationFor(volumeId);

    /// <summary>Every location on the backend that holds something of a volume (its copy or a sidecar), for finding leftovers.</summary>
    public IReadOnlyList<string> ListLocations(BackendRecord backend) => Backend(backend, () =>
    {
        var copies = Contract.ListCopies(Config(backend));
        var ofSidecars = Contract.Sidecars(Config(backend)).List("volume-")
            .Select(name => VolumeSidecar.Match(name))
            .Where(match => match.Success)
            .Select(match => Contract.LocationFor(Guid.Parse(match.Groups[1].Value)));
        return copies.Concat(ofSidecars).Distinct(StringComparer.Ordinal).ToList();
    }, ErrorIds.VolumeFileFault, "Listing the storage of backend");

    public void CreateVolume(VolumeCopy copy, long sizeBytes) =>
        Copy(copy, () => Contract.CreateCopy(Config(copy.Backend), copy.Location, sizeBytes), ErrorIds.VolumeFileFault, $"Creating the {Humane.Bytes(sizeBytes)} volume");

    /// <summary>Throws VolumeFileFault unless the copy exists, can be reached and has the volume's size.</summary>
    public void CheckCopy(VolumeCopy copy, long sizeBytes)
    {
        string? problem;
        try
        {
            var length = Contract.CopyLength(Config(copy.Backend), copy.Location);
            problem = length is null ? "it is missing" : length != sizeBytes ? $"it is {length} bytes, not {sizeBytes}" : null;
        }
        catch (StorageDriverException ex)
        {
            problem = ex.Message.TrimEnd('.');
        }

        if (problem is not null)
        {
            throw new ReplicationException(ErrorIds.VolumeFileFault, ErrorKind.ResourceUnavailable, $"'{Describe(copy)}' on backend '{copy.Backend.Name}' is not usable: {problem}.", Describe(copy));
        }
    }

    /// <summary>Removes the copy and the engine's sidecars of it; a copy that is already gone is not an error.</summary>
    public void DeleteVolume(VolumeCopy copy)
    {
        var volumeId = VolumeIdOf(copy);
        try
        {
            Copy(copy, () =>
            {
                Contract.DeleteCopy(Config(copy.Backend), copy.Location);
                var sidecars = Contract.Sidecars(Config(copy.Backend));
                SyncJournal.Discard(sidecars, volumeId);
                sidecars.Delete(SidecarName(volumeId, "dirty"));
                sidecars.Delete(SidecarName(volumeId, "export"));
                RecoveryPoints.PointStore.Sweep(sidecars, volumeId, oldestPoint: null);
            }, ErrorIds.VolumeFileFault, "Removing");
        }
        catch (ReplicationException ex) when (ex.InnerException is StorageDriverException { ErrorId: DriverErrorIds.BackendUnreachable } unreachable)
        {
            // Nothing was removed: the command is to be run again once the storage is back.
            throw new ReplicationException(ex.ErrorId, ErrorKind.ResourceUnavailable, unreachable.Message, ex.Target, unreachable);
        }
    }

    /// <summary>Makes <paramref name="target"/> (a new location) a copy of <paramref name="source"/> and returns the block hashes of what it holds.</summary>
    public BlockMap CloneVolume(VolumeCopy source, VolumeCopy target, long sizeBytes, IOperationObserver observer, CancellationToken cancellation) =>
        Rounds.Clone(source, target, sizeBytes, observer, cancellation);

    /// <summary>The block hashes of a copy as it is now (reads its allocated data), to check it against a recorded round.</summary>
    public BlockMap HashCopy(VolumeCopy copy, long sizeBytes, IOperationObserver observer, CancellationToken cancellation) =>
        Rounds.Hash(copy, sizeBytes, observer, cancellation);

    public ReplicaSyncOutcome SyncReplica(ReplicaSyncRequest request, IOperationObserver observer, CancellationToken cancellation) =>
        Rounds.Sync(request, observer, cancellation);

    /// <summary>
    /// Called once the engine has recorded rounds: a round the driver staged itself is applied now; a journaled round's
    /// journal (already applied) is forgotten, the journals on one backend together.
    /// </summary>
    public void RoundsRecorded(IReadOnlyList<RecordedRound> rounds)
    {
        foreach (var round in rounds.Where(round => round.Outcome.Native))
        {
            Rounds.Native.Apply(round.Replica, round.Outcome.Generation);
        }

        foreach (var onBackend in rounds.Where(round => round.Journaled && !round.Outcome.Native).GroupBy(round => round.Replica.Backend.Name))
        {
            var replicas = onBackend.ToList();
            using var syncing = Diagnostics.RoundClock.In(Diagnostics.RoundPhase.Fsync);
            Journal(replicas[0].Replica, () =>
            {
                SyncJournal.DiscardAll(Contract.Sidecars(Config(replicas[0].Replica.Backend)), replicas.Select(round => round.VolumeId).ToList());
                foreach (var round in replicas)
                {
                    Rounds.Native.DiscardAnyStaged(round.Replica);
                }

                return true;
            }, nothingThere: true);
        }
    }

    /// <summary>
    /// After a crash, for a pair the driver replicates itself: applies a staged round state recorded (up to
    /// <paramref name="recordedRound"/>), discards one it did not.
    /// </summary>
    public void SettleNativeRound(VolumeCopy primary, VolumeCopy replica, long recordedRound, string volumeName, IOperationObserver observer) =>
        Rounds.Native.Settle(primary, replica, recordedRound, volumeName, observer);

    /// <summary>
    /// Finishes a sync round that committed its journal but may not have reached the target (crash, fault), and returns
    /// what that round held. Null when there was nothing to finish. An uncommitted journal is discarded.
    /// </summary>
    /// <param name="undoRound">The volume's current round when it is a recovery point: the blocks the journal overwrites are captured in its undo log first (unless they were).</param>
    public ReplicaSyncOutcome? FinishInterruptedSync(VolumeCopy target, Guid volumeId, long? undoRound = null) => Rounds.FinishInterrupted(target, volumeId, undoRound);

    /// <summary>The group token of the committed journal beside the target, if there is one and it belongs to a group round.</summary>
    public Guid? CommittedJournalGroup(VolumeCopy target, Guid volumeId) => Rounds.CommittedGroup(target, volumeId);

    /// <summary>True when a journal of a sync round (committed or not) lies beside the target.</summary>
    public bool HasSyncJournal(VolumeCopy target, Guid volumeId) => Journal(target, () =>
    {
        var names = Contract.Sidecars(Config(target.Backend)).List(SyncJournal.CommittedName(volumeId));
        return names.Contains(SyncJournal.CommittedName(volumeId)) || names.Contains(SyncJournal.StagedName(volumeId));
    }, nothingThere: false);

    /// <summary>
    /// Forgets a round's journal, committed or not, and any round the driver staged itself: once the engine has recorded
    /// a round of its own, or when the replica is about to be recopied.
    /// </summary>
    public void DiscardSyncJournal(VolumeCopy target, Guid volumeId) => Journal(target, () =>
    {
        SyncJournal.Discard(Contract.Sidecars(Config(target.Backend)), volumeId);
        Rounds.Native.DiscardAnyStaged(target);
        return true;
    }, nothingThere: true);

    /// <summary>Stops ordinary writers using a copy that is no longer the primary. False when the copy could not be reached (or was refused).</summary>
    public bool Fence(VolumeCopy copy)
    {
        try
        {
            Contract.SetFence(Config(copy.Backend), copy.Location, fenced: true);
            return true;
        }
        catch (StorageDriverException)
        {
            // Nothing is changed through a link or in storage the module does not trust: the fence stays in state only.
            return false;
        }
    }

    /// <summary>True when the copy carries the fence; false when it does not or cannot be reached.</summary>
    public bool IsFenced(VolumeCopy copy) => Contract.IsFenced(Config(copy.Backend), copy.Location) == true;

    /// <summary>Lifts the fence before the copy becomes a replica target again; a copy that no longer exists needs no lifting.</summary>
    public void Unfence(VolumeCopy copy) =>
        Copy(copy, () => Contract.SetFence(Config(copy.Backend), copy.Location, fenced: false), ErrorIds.VolumeFileFault, "Lifting the fence of");

    /// <summary>A short text that changes whenever the copy is written; null when it is gone or unreachable.</summary>
    public string? CopyStamp(VolumeCopy copy)
    {
        try
        {
            return Contract.ChangeStamp(Config(copy.Backend), copy.Location);
        }
        catch (StorageDriverException)
        {
            return null;
        }
    }

    /// <summary>What a hypervisor attaches: the driver's connection type and data.</summary>
    public ConnectionInfo Connect(VolumeCopy copy) =>
        Copy(copy, () => Contract.Connect(Config(copy.Backend), copy.Location), ErrorIds.VolumeFileFault, "Connecting");

    /// <summary>The path a hypervisor attaches for a file connection; otherwise the copy as backend:location.</summary>
    public string ConnectionPath(VolumeCopy copy) => Connect(copy) is { DriverVolumeType: "file" } file && file.Data.TryGetValue("path", out var path) ? path : copy.ToString();

    /// <summary>The bytes of data a copy occupies (its allocated extents, not its length); null when the copy is missing or cannot be read.</summary>
    public long? AllocatedBytes(VolumeCopy copy)
    {
        try
        {
            using var device = Contract.Open(Config(copy.Backend), copy.Location, DeviceAccess.Read);
            return device.AllocatedExtents(0, device.Length).Sum(extent => extent.Length);
        }
        catch (Exception ex) when (ex is StorageDriverException or System.IO.IOException or ReplicationException)
        {
            return null;
        }
    }

    /// <summary>Opens a copy for an export's block I/O; failures then carry <paramref name="faultErrorId"/>.</summary>
    public IVolumeDevice OpenDevice(VolumeCopy copy, long sizeBytes, string faultErrorId)
    {
        var what = Describe(copy);
        var device = Copy(copy, () => Contract.Open(Config(copy.Backend), copy.Location, DeviceAccess.ReadWrite), faultErrorId, "Opening");
        if (device.Length != sizeBytes)
        {
            device.Dispose();
            throw new ReplicationException(faultErrorId, ErrorKind.InvalidData, $"'{what}' is {device.Length} bytes but the volume is {sizeBytes}; it was resized outside the module.", what);
        }

        return new ExportDevice(device, what, faultErrorId);
    }

    /// <summary>A small file of the engine's own about a copy ("dirty" for the dirty bitmap, "export" for the export record), among its backend's sidecars.</summary>
    public SidecarFile Sidecar(VolumeCopy copy, string kind)
    {
        var name = SidecarName(VolumeIdOf(copy), kind);
        return new SidecarFile(Contract.Sidecars(Config(copy.Backend)), name, SidecarPath(copy.Backend, name));
    }

    internal static BackendConfiguration Config(BackendRecord backend) => BackendBinding.ConfigurationOf(backend);

    /// <summary>How messages name a copy: the path a hypervisor attaches for a file, backend:location otherwise.</summary>
    internal string Describe(VolumeCopy copy)
    {
        try
        {
            return Contract.Connect(Config(copy.Backend), copy.Location) is { DriverVolumeType: "file" } file && file.Data.TryGetValue("path", out var path) ? path : copy.ToString();
        }
        catch (StorageDriverException)
        {
            return copy.ToString();
        }
    }

    /// <summary>How messages name a sidecar: the file beside the copies for LocalFile, backend:name otherwise.</summary>
    internal static string SidecarPath(BackendRecord backend, string name) =>
        string.IsNullOrEmpty(backend.Path) ? $"{backend.Name}:{name}" : System.IO.Path.Combine(backend.Path, ".replication", name);

    /// <summary>
    /// The volume id a location was made for (the engine names every copy by its volume's id): the id in it, with or
    /// without dashes, for which the driver's LocationFor gives this very location.
    /// </summary>
    internal Guid VolumeIdOf(VolumeCopy copy)
    {
        var match = Regex.Match(copy.Location, "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}", RegexOptions.CultureInvariant);
        if (!match.Success || Contract.LocationFor(Guid.Parse(match.Value)) != copy.Location)
        {
            throw new ReplicationException(ErrorIds.InvalidPath, ErrorKind.InvalidData,
                $"'{copy.Location}' is not a {Name} volume location; the state file may have been edited by hand.", copy.Location);
        }

        return Guid.Parse(match.Value);
    }

    internal T Copy<T>(VolumeCopy copy, Func<T> work, string errorId, string doing, bool readSide = false) =>
        DriverFaults.Run(work, errorId, doing, Describe(copy), readSide);

    internal void Copy(VolumeCopy copy, Action work, string errorId, string doing, bool readSide = false) =>
        DriverFaults.Run(work, errorId, doing, Describe(copy), readSide);

    /// <summary>Journal work on the target's backend; storage that is not there holds no journal (the round that follows says what is wrong with it).</summary>
    private T Journal<T>(VolumeCopy target, Func<T> work, T nothingThere) => DriverFaults.Run(() =>
    {
        try
        {
            return work();
        }
        catch (StorageDriverException ex) when (IsNotThere(ex))
        {
            return nothingThere;
        }
    }, ErrorIds.ReplicaUnwritable, "Reaching the sync journal of", Describe(target));

    /// <summary>The storage (or the copy) is not there: for LocalFile, its backend folder cannot be found.</summary>
    internal static bool IsNotThere(StorageDriverException error) =>
        error.ErrorId is DriverErrorIds.CopyMissing or DriverErrorIds.BackendUnreachable || error.InnerException is System.IO.FileNotFoundException or System.IO.DirectoryNotFoundException;

    private static T Backend<T>(BackendRecord backend, Func<T> work, string errorId, string doing) =>
        DriverFaults.Run(work, errorId, doing, backend.Name);

    private static string SidecarName(Guid volumeId, string kind) =>
        kind is "dirty" or "export"
            ? $"volume-{volumeId:D}.{kind}"
            : throw new ArgumentException($"'{kind}' is not a kind of sidecar file.", nameof(kind));

    /// <summary>Grows the copy to the size, new bytes reading as zeros (or shrinks it back, undoing a grow that was never recorded).</summary>
    public void ResizeVolume(VolumeCopy copy, long sizeBytes) =>
        Copy(copy, () => Contract.ResizeCopy(Config(copy.Backend), copy.Location, sizeBytes), ErrorIds.VolumeFileFault, $"Resizing to {Humane.Bytes(sizeBytes)}");

    /// <summary>The copy's length in bytes; null when it is missing or cannot be reached.</summary>
    public long? CopyLength(VolumeCopy copy)
    {
        try
        {
            return Contract.CopyLength(Config(copy.Backend), copy.Location);
        }
        catch (StorageDriverException)
        {
            return null;
        }
    }

    /// <summary>Reads bytes of a copy (opened read-only), for the engine's own hashing; failures carry <paramref name="faultErrorId"/>.</summary>
    public void ReadCopy(VolumeCopy copy, long offset, byte[] buffer, int count, string faultErrorId) => Copy(copy, () =>
    {
        using var device = Contract.Open(Config(copy.Backend), copy.Location, DeviceAccess.Read);
        device.Read(offset, buffer, 0, count);
    }, faultErrorId, "Reading", readSide: true);
}
