using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Replication.Drivers;
using Replication.Engine.Diagnostics;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.Rules;
using Replication.Engine.State;

namespace Replication.Engine.Snapshots;

/// <summary>
/// Takes, lists and removes volume snapshots: point-in-time copies of a volume's primary that its driver keeps on the
/// primary's backend (<see cref="IKeptSnapshots"/>). Order makes every crash recoverable: a snapshot is whole and durable
/// before its row is written, and its row goes before its file; a file without a row is a leftover that the next
/// snapshot command on the volume (or Remove-Volume) removes under the volume's lease.
/// </summary>
public sealed class SnapshotService
{
    private readonly EngineContext _context;
    private readonly VolumeLeases _leases;

    public SnapshotService(EngineContext context, VolumeLeases leases)
    {
        _context = context;
        _leases = leases;
    }

    /// <summary>
    /// Takes a snapshot of the volume's primary named <paramref name="snapshotName"/> (by default the volume's name and
    /// the time). Refused where the operation guards refuse it, where the driver keeps no snapshots, and (SnapshotRaced,
    /// nothing kept) when the primary was written while the driver copied it.
    /// </summary>
    public Snapshot Create(string volumeName, string? snapshotName, string? description, IOperationObserver observer, CancellationToken cancellation = default)
    {
        using var lease = _leases.Acquire(volumeName, "CreateSnapshot", observer, cancellation);
        var source = VolumeSnapshot.Load(_context.Store, volumeName);
        var name = snapshotName ?? $"{source.Volume.Name}-{_context.Now.UtcDateTime:yyyyMMdd-HHmmss}";
        Names.Validate("snapshot", name);
        ReplicationRules.RequireAvailable(source.Volume, "a snapshot of a volume");
        OperationGuards.Require(VolumeOperation.Snapshot, source.Volume);
        BackendRules.RequireNotFrozen(source.PrimaryBackend, "a snapshot of a volume");
        BackendRules.RequireNotFailedOver(source.PrimaryBackend, "a snapshot of a volume");
        var (driver, keeper) = Keeper(source.PrimaryBackend, source.Volume.Name);
        using (var read = _context.Store.Begin(write: false))
        {
            CheckNameFree(read, name);
        }

        SweepLeftovers(source, observer);
        var id = Guid.NewGuid();
        var config = EngineDriver.Config(source.PrimaryBackend);
        var where = driver.Describe(source.Primary);
        var before = driver.Contract.ChangeStamp(config, source.Volume.Location);
        var taken = DriverFaults.Run(() => keeper.CreateKeptSnapshot(config, source.Volume.Location, id), ErrorIds.VolumeFileFault, "Taking a snapshot of", where);
        CrashPoints.Hit("snapshot.after-file");
        if (before is null || before != driver.Contract.ChangeStamp(config, source.Volume.Location))
        {
            DriverFaults.Run(() => keeper.DeleteKeptSnapshot(config, taken.Location), ErrorIds.VolumeFileFault, "Removing the raced snapshot of", where);
            throw new ReplicationException(ErrorIds.SnapshotRaced, ErrorKind.InvalidOperation,
                $"'{source.Volume.Name}' was written while its snapshot was taken ({taken.Method}: the driver copies the data), so the copy is no point in time and was removed. Take the snapshot while nothing writes the volume (pause or detach its writer).", source.Volume.Name);
        }

        var record = new SnapshotRecord
        {
            Id = id,
            Name = name,
            VolumeId = source.Volume.Id,
            Description = description,
            Backend = source.PrimaryBackend.Name,
            Location = taken.Location,
            SizeBytes = source.Volume.SizeBytes,
            BytesHeld = taken.BytesHeld,
            Method = taken.Method,
            CreatedAt = _context.Now,
        };
        using (var session = _context.Store.Begin(write: true))
        {
            CheckNameFree(session, name);
            session.InsertSnapshot(record);
            session.AppendEvent(_context.Event("CreateSnapshot", "Snapshot", name,
                $"Snapshot '{name}' of '{source.Volume.Name}' taken on '{record.Backend}' ({record.Method}, holding {Humane.Bytes(record.BytesHeld)}).", source.Volume.Id));
            session.Commit();
        }

        observer.Decision($"Snapshot '{name}' of '{source.Volume.Name}' is kept on '{record.Backend}': {record.Method}, {Humane.Bytes(record.BytesHeld)} on disk.");
        return ToSnapshot(record, source.Volume.Name);
    }

    /// <summary>The snapshots of the volume (every volume's when null), oldest first.</summary>
    public IReadOnlyList<Snapshot> List(string? volumeName)
    {
        using var session = _context.Store.Begin(write: false);
        if (volumeName is not null)
        {
            var volume = VolumeSnapshot.FindVolume(session, volumeName);
            return session.ListSnapshots(volume.Id).Select(s => ToSnapshot(s, volume.Name)).ToList();
        }

        var names = session.ListVolumes(VolumeQuery.All).ToDictionary(v => v.Id, v => v.Name);
        return session.ListSnapshots(null).Select(s => ToSnapshot(s, names.TryGetValue(s.VolumeId, out var n) ? n : "")).ToList();
    }

    public Snapshot Get(string snapshotName)
    {
        using var session = _context.Store.Begin(write: false);
        var record = Find(session, snapshotName);
        return ToSnapshot(record, session.FindVolume(record.VolumeId)?.Name ?? "");
    }

    /// <summary>Removes a snapshot: its row first, then its file, then any leftover of the volume's.</summary>
    public void Remove(string snapshotName, IOperationObserver observer, CancellationToken cancellation = default)
    {
        var volumeName = Get(snapshotName).VolumeName;
        using var lease = _leases.Acquire(volumeName, "DeleteSnapshot", observer, cancellation);
        SnapshotRecord record;
        VolumeSnapshot source;
        using (var session = _context.Store.Begin(write: true))
        {
            record = Find(session, snapshotName);
            source = VolumeSnapshot.Load(session, VolumeSnapshot.FindVolume(session, volumeName));
            session.DeleteSnapshot(record.Id);
            session.AppendEvent(_context.Event("DeleteSnapshot", "Snapshot", record.Name, $"Snapshot '{record.Name}' of '{volumeName}' removed from '{record.Backend}'.", record.VolumeId));
            session.Commit();
        }

        CrashPoints.Hit("snapshot-delete.after-row");
        SweepLeftovers(source, observer);
    }

    /// <summary>Refuses (VolumeHasSnapshots) an operation a volume's snapshots would not survive, naming them and the way on.</summary>
    internal void RequireNone(IStateSession session, VolumeRecord volume, string operation, string orForce)
    {
        var snapshots = session.ListSnapshots(volume.Id);
        if (snapshots.Count > 0)
        {
            throw new ReplicationException(ErrorIds.VolumeHasSnapshots, ErrorKind.InvalidOperation,
                $"Rule: {operation} needs the volume's snapshots gone. Volume '{volume.Name}' has {snapshots.Count}: {string.Join(", ", snapshots.Select(s => $"'{s.Name}'"))}. Remove-VolumeSnapshot removes them{orForce}.", volume.Name);
        }
    }

    /// <summary>Forgets every snapshot of the volume in the caller's transaction (Remove-Volume -Force); their files go with the volume's.</summary>
    internal void ForgetAll(IStateSession session, VolumeRecord volume)
    {
        foreach (var snapshot in session.ListSnapshots(volume.Id))
        {
            session.DeleteSnapshot(snapshot.Id);
            session.AppendEvent(_context.Event("DeleteSnapshot", "Snapshot", snapshot.Name, $"Snapshot '{snapshot.Name}' of '{volume.Name}' removed with the volume (-Force).", volume.Id));
        }
    }

    /// <summary>Opens a recorded snapshot for reading, as a read-only block device (the shape recovery points are read in).</summary>
    internal IBlockDevice Open(SnapshotRecord record, BackendRecord backend)
    {
        var (_, keeper) = Keeper(backend, record.Name);
        return DriverFaults.Run(() => keeper.OpenKeptSnapshot(EngineDriver.Config(backend), record.Location), ErrorIds.VolumeFileFault, "Opening snapshot", record.Name, readSide: true);
    }

    internal static SnapshotRecord Find(IStateSession session, string snapshotName) =>
        session.FindSnapshot(snapshotName) ?? throw new ReplicationException(ErrorIds.SnapshotNotFound, ErrorKind.ObjectNotFound,
            $"There is no snapshot named '{Names.Printable(snapshotName)}'. Get-VolumeSnapshot lists them.", snapshotName);

    /// <summary>
    /// Removes every snapshot file of the volume's copies that state does not record (a crash's leftover, or all of them
    /// once the rows are gone). The caller holds the volume's lease, so no snapshot of it is being taken meanwhile.
    /// </summary>
    internal void SweepLeftovers(VolumeSnapshot volume, IOperationObserver observer)
    {
        foreach (var (copy, leftover) in Leftovers(volume))
        {
            DriverFaults.Run(() => ((IKeptSnapshots)_context.Drivers.Get(copy.Backend.Driver).Contract).DeleteKeptSnapshot(EngineDriver.Config(copy.Backend), leftover),
                ErrorIds.VolumeFileFault, "Removing", $"the snapshots of '{volume.Volume.Name}' on '{copy.Backend.Name}'");
            observer.Decision($"Removed snapshot file '{leftover}' of '{volume.Volume.Name}' from '{copy.Backend.Name}': state does not record it.");
        }
    }

    /// <summary>The snapshot files of the volume's copies that state does not record, by copy; one listing per copy.</summary>
    internal IReadOnlyList<(VolumeCopy Copy, string Location)> Leftovers(VolumeSnapshot volume)
    {
        HashSet<(string Backend, string Location)> recorded;
        using (var session = _context.Store.Begin(write: false))
        {
            recorded = new HashSet<(string, string)>(session.ListSnapshots(volume.Volume.Id).Select(s => (s.Backend.ToUpperInvariant(), s.Location)));
        }

        var leftovers = new List<(VolumeCopy, string)>();
        foreach (var copy in new[] { volume.Primary }.Concat(volume.ReplicaBackend is null ? Array.Empty<VolumeCopy>() : new[] { volume.Replica }))
        {
            if (_context.Drivers.Get(copy.Backend.Driver).Contract is IKeptSnapshots keeper)
            {
                var config = EngineDriver.Config(copy.Backend);
                leftovers.AddRange(DriverFaults.Run(() => keeper.ListKeptSnapshots(config, copy.Location), ErrorIds.VolumeFileFault, "Listing", $"the snapshots of '{volume.Volume.Name}' on '{copy.Backend.Name}'")
                    .Where(location => !recorded.Contains((copy.Backend.Name.ToUpperInvariant(), location)))
                    .Select(location => (copy, location)));
            }
        }

        return leftovers;
    }

    private (EngineDriver Driver, IKeptSnapshots Keeper) Keeper(BackendRecord backend, string target)
    {
        var driver = _context.Drivers.Get(backend.Driver);
        return driver.Contract is IKeptSnapshots keeper
            ? (driver, keeper)
            : throw new ReplicationException(ErrorIds.SnapshotsNotSupported, ErrorKind.InvalidOperation,
                $"Backend '{backend.Name}' uses driver '{driver.Name}', which keeps no volume snapshots. New-Volume -SourceVolume makes a copy of a volume instead.", target);
    }

    private static void CheckNameFree(IStateSession session, string name)
    {
        if (session.FindSnapshot(name) is not null)
        {
            throw new ReplicationException(ErrorIds.SnapshotExists, ErrorKind.ResourceExists, $"A snapshot named '{name}' already exists. Get-VolumeSnapshot '{name}' shows it.", name);
        }
    }

    private static Snapshot ToSnapshot(SnapshotRecord record, string volumeName) => new()
    {
        Name = record.Name,
        VolumeName = volumeName,
        VolumeId = record.VolumeId,
        Id = record.Id,
        Description = record.Description,
        Backend = record.Backend,
        SizeBytes = record.SizeBytes,
        BytesHeld = record.BytesHeld,
        Method = record.Method,
        CreatedAt = record.CreatedAt,
    };
}
