using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System;
using Replication.Engine.Catalog;
using Replication.Engine.Diagnostics;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Placement;
using Replication.Engine.Replication;
using Replication.Engine.Rules;
using Replication.Engine.State;

namespace Replication.Engine.Volumes;

/// <summary>
/// Creates, lists and removes volumes. A create is recorded as "creating" before any file exists and becomes
/// "available" after both copies exist; a failure removes what was made, so bad input or a fault leaves nothing behind.
/// </summary>
public sealed class VolumeService
{
    /// <summary>
    /// Sizes are whole 512-byte sectors, up to 1 TiB: a replica's block map (16 bytes per 64 KiB block, 256 MiB at
    /// 1 TiB) is held in memory and stored as one row.
    /// </summary>
    public const long MaxSizeBytes = 1L << 40;

    private const int SectorSize = 512;

    private readonly EngineContext _context;
    private readonly BackendCatalog _backends;
    private readonly ReplicationService _replication;
    private readonly VolumeLeases _leases;
    private readonly Export.ExportGuards _exports;
    private readonly ReplicaCheck _check;
    private readonly VolumeResize _resize;
    private readonly VolumeRetype _retype;
    private readonly VolumeMigration _migration;
    private readonly Snapshots.SnapshotService _snapshots;

    public VolumeService(EngineContext context, BackendCatalog backends, ReplicationService replication, VolumeLeases leases, Snapshots.SnapshotService snapshots)
    {
        _context = context;
        _snapshots = snapshots;
        _check = new ReplicaCheck(context);
        _resize = new VolumeResize(context);
        _retype = new VolumeRetype(context, backends);
        _migration = new VolumeMigration(context, backends);
        _exports = new Export.ExportGuards(context);
        _backends = backends;
        _replication = replication;
        _leases = leases;
    }

    public Volume Create(string name, long sizeBytes, string volumeTypeName, IOperationObserver observer)
    {
        Names.Validate("volume", name);
        ValidateSize(sizeBytes);
        RollBackAbandoned(name, observer);
        VolumeTypeRecord type;
        IReadOnlyList<BackendRecord> backends;
        using (var read = _context.Store.Begin(write: false))
        {
            CheckNameFree(read, name);
            type = VolumeTypeCatalog.Find(read, volumeTypeName);
            backends = read.ListBackends();
        }

        var specs = new VolumeTypeSpecs(type.ExtraSpecs);
        var decision = BackendScheduler.Place(type.Name, specs, backends.Select(b => _backends.Describe(b, backends)).ToList());
        foreach (var reason in decision.Reasons)
        {
            observer.Decision(reason);
        }

        var primaryBackend = BackendCatalog.Find(backends, decision.Backend.Name);
        var replicaBackend = specs.RequiresReplication ? BackendCatalog.PartnerOf(primaryBackend, backends) : null;
        // While the partner is failed over (its site down), the volume starts unprotected; failback makes its replica.
        var unprotected = replicaBackend?.FailedOverAt is not null;
        var driver = _context.Drivers.Get(primaryBackend.Driver);
        var record = NewRecord(name, sizeBytes, type, primaryBackend, replicaBackend, "Created");
        var location = record.Location;
        if (replicaBackend is not null)
        {
            observer.Decision(unprotected
                ? $"Volume type '{type.Name}' asks for replication, but '{replicaBackend.Name}', the partner of '{primaryBackend.Name}', is failed over: the volume starts unprotected."
                : $"Volume type '{type.Name}' asks for replication: the replica goes to '{replicaBackend.Name}', the partner of '{primaryBackend.Name}'.");
        }

        var copies = new List<VolumeCopy> { new(primaryBackend, location) };
        if (replicaBackend is not null && !unprotected)
        {
            copies.Add(new VolumeCopy(replicaBackend, location));
        }

        using var creation = Insert(record, $"Creating on '{record.Backend}'" + (replicaBackend is null ? "." : $" with a replica on '{replicaBackend.Name}'."));
        return Build(record, copies, copy =>
        {
            driver.CreateVolume(copy, sizeBytes);
            CrashPoints.Hit("create.after-file");
        }, () => Finish(
            record,
            replicaBackend is null || unprotected ? null : BlockMap.Empty(BlockMap.DefaultBlockSize, sizeBytes),
            replicaBackend is null ? $"Volume '{name}' created on '{record.Backend}', not replicated."
            : unprotected ? $"Volume '{name}' created on '{record.Backend}', not protected while '{replicaBackend.Name}' is failed over."
            : $"Volume '{name}' created on '{record.Backend}' with its replica on '{replicaBackend.Name}'; both copies are new and empty, so the replica is consistent."));
    }

    /// <summary>
    /// A test volume cloned from another volume's replica, on the replica's backend; replication of the source goes on.
    /// The blocks cloned are checked against the replica's round as they are copied: a damaged replica is marked and the
    /// clone removed and refused (ReplicaDamaged), since it would hold no point in time of the volume.
    /// </summary>
    /// <param name="recoveryPoint">Copy the replica as it was at this recovery point's round rather than as it is.</param>
    public Volume CreateFromReplica(string name, string sourceVolumeName, IOperationObserver observer, CancellationToken cancellation, long? recoveryPoint = null)
    {
        using var clone = CloneReplica(name, sourceVolumeName, observer, cancellation, recordVerdict: recoveryPoint is null, recoveryPoint);
        if (clone.Verdict.Damaged && recoveryPoint is { } round)
        {
            Erase(VolumeSnapshot.Load(_context.Store, name), "CreateVolumeFailed", $"Test volume removed: recovery point {round} it was copied from does not read right.", observer);
            throw RecoveryPoints.RecoveryPointFiles.NotReadable(clone.Source, round, clone.Verdict.Describe());
        }

        if (clone.Verdict.Damaged)
        {
            Erase(VolumeSnapshot.Load(_context.Store, name), "CreateVolumeFailed", "Test volume removed: the replica it was cloned from is damaged.", observer);
            throw new ReplicationException(ErrorIds.ReplicaDamaged, ErrorKind.InvalidData,
                $"No test volume was made from the replica of '{clone.Source.Name}': {clone.Verdict.Describe()} Sync-VolumeReplica -Full repairs the replica from the primary.", sourceVolumeName);
        }

        return clone.Volume;
    }

    /// <summary>
    /// A new volume copied from <paramref name="sourceVolumeName"/>'s primary (New-Volume -SourceVolume), on the same
    /// backend and of the same type: cloned inside the storage where the driver can (INativeCloning), else block by
    /// block. In a replicated type it gets its replica as any new volume does, copied from the clone before the clone is
    /// available, so it starts active. The source's lease keeps its other operations off while it is read; writes to
    /// the source meanwhile (a hypervisor's) make the clone crash-inconsistent, so clone a volume nobody writes.
    /// </summary>
    public Volume CreateFromVolume(string name, string sourceVolumeName, IOperationObserver observer, CancellationToken cancellation = default)
    {
        Names.Validate("volume", name);
        RollBackAbandoned(name, observer);
        using var lease = _leases.Acquire(sourceVolumeName, "CloneVolume", observer, cancellation);
        _resize.FinishInterrupted(VolumeSnapshot.Load(_context.Store, sourceVolumeName), observer);
        VolumeSnapshot source;
        VolumeTypeRecord type;
        IReadOnlyList<BackendRecord> backends;
        using (var read = _context.Store.Begin(write: false))
        {
            CheckNameFree(read, name);
            source = VolumeSnapshot.Load(read, VolumeSnapshot.FindVolume(read, sourceVolumeName));
            type = VolumeTypeCatalog.Find(read, source.Volume.VolumeType);
            backends = read.ListBackends();
        }

        ReplicationRules.RequireAvailable(source.Volume, "a clone of a volume");
        OperationGuards.Require(VolumeOperation.CloneFrom, source.Volume);
        BackendRules.RequireNotFrozen(source.PrimaryBackend, "a clone of a volume");
        BackendRules.RequireNotFailedOver(source.PrimaryBackend, "a clone of a volume");
        return CreateCopied(name, $"'{source.Volume.Name}'", "Cloned", source.Volume.SizeBytes, type, source.PrimaryBackend, backends,
            (primary, size) => _context.Drivers.Get(primary.Backend.Driver).CloneVolume(source.Primary, primary, size, observer, cancellation), observer, cancellation);
    }

    /// <summary>
    /// A new volume holding a snapshot's bytes (New-Volume -Snapshot), on the snapshot's backend and of its volume's type:
    /// the snapshot is read as a read-only block device (as a recovery point is) and copied block by block, holes kept.
    /// In a replicated type it gets its replica as any clone does. The source volume's lease keeps the snapshot from
    /// being removed while it is read.
    /// </summary>
    public Volume CreateFromSnapshot(string name, string snapshotName, IOperationObserver observer, CancellationToken cancellation = default)
    {
        Names.Validate("volume", name);
        RollBackAbandoned(name, observer);
        var sourceName = _snapshots.Get(snapshotName).VolumeName;
        using var lease = _leases.Acquire(sourceName, "CreateFromSnapshot", observer, cancellation);
        SnapshotRecord snapshot;
        VolumeTypeRecord type;
        IReadOnlyList<BackendRecord> backends;
        using (var read = _context.Store.Begin(write: false))
        {
            CheckNameFree(read, name);
            snapshot = Snapshots.SnapshotService.Find(read, snapshotName);
            type = VolumeTypeCatalog.Find(read, VolumeSnapshot.FindVolume(read, sourceName).VolumeType);
            backends = read.ListBackends();
        }

        var backend = BackendCatalog.Find(backends, snapshot.Backend);
        BackendRules.RequireNotFrozen(backend, "a volume from a snapshot");
        BackendRules.RequireNotFailedOver(backend, "a volume from a snapshot");
        return CreateCopied(name, $"snapshot '{snapshot.Name}' of '{sourceName}'", "Made from a snapshot", snapshot.SizeBytes, type, backend, backends, (primary, size) =>
        {
            using var from = _snapshots.Open(snapshot, backend);
            return _context.Drivers.Get(backend.Driver).Rounds.CopyBlocks(from, $"snapshot '{snapshot.Name}'", primary, size, observer, cancellation);
        }, observer, cancellation);
    }

    /// <summary>
    /// Makes a new volume <paramref name="name"/> on <paramref name="primaryBackend"/> whose primary <paramref name="copyPrimary"/>
    /// fills from <paramref name="from"/>; in a replicated type its replica is copied from that primary before it is
    /// available, so it starts active.
    /// </summary>
    private Volume CreateCopied(string name, string from, string how, long sizeBytes, VolumeTypeRecord type, BackendRecord primaryBackend, IReadOnlyList<BackendRecord> backends,
        Func<VolumeCopy, long, BlockMap> copyPrimary, IOperationObserver observer, CancellationToken cancellation)
    {
        var replicaBackend = new VolumeTypeSpecs(type.ExtraSpecs).RequiresReplication ? BackendCatalog.PartnerOf(primaryBackend, backends) : null;
        if (new VolumeTypeSpecs(type.ExtraSpecs).RequiresReplication && replicaBackend is null)
        {
            throw new ReplicationException(ErrorIds.NoValidBackend, ErrorKind.ResourceUnavailable,
                $"Volume type '{type.Name}' asks for replication, but '{primaryBackend.Name}', where {from} lives and its copy would, has no replication partner. New-StorageBackend -ReplicationPartner pairs one.", name);
        }

        var unprotected = replicaBackend?.FailedOverAt is not null;
        var driver = _context.Drivers.Get(primaryBackend.Driver);
        var record = NewRecord(name, sizeBytes, type, primaryBackend, replicaBackend, how);
        var location = record.Location;
        observer.Decision($"'{name}' is cloned from {from} on '{primaryBackend.Name}'" + (replicaBackend is null ? "; its type does not replicate." : unprotected ? $"; '{replicaBackend.Name}' is failed over, so it starts unprotected." : $"; its replica goes to '{replicaBackend.Name}', copied from the clone."));
        var primary = new VolumeCopy(primaryBackend, location);
        var copies = new List<VolumeCopy> { primary };
        if (replicaBackend is not null && !unprotected)
        {
            copies.Add(new VolumeCopy(replicaBackend, location));
        }

        BlockMap? replicaMap = null;
        using var creation = Insert(record, $"Cloning {from} on '{record.Backend}'" + (copies.Count > 1 ? $" with a replica on '{replicaBackend!.Name}'." : "."));
        return Build(record, copies, copy =>
        {
            if (ReferenceEquals(copy, primary))
            {
                copyPrimary(copy, record.SizeBytes);
            }
            else
            {
                replicaMap = driver.CloneVolume(primary, copy, record.SizeBytes, observer, cancellation);
            }

            CrashPoints.Hit("create.after-file");
        }, () => Finish(
            record,
            replicaMap,
            $"Volume '{name}' cloned from {from} on '{record.Backend}'" + (replicaMap is null ? "." : $" with its replica on '{replicaBackend!.Name}', copied from the clone before anyone could write it."),
            replicaMap is null ? null : $"The replica was copied from the clone of {from} before the clone was available, so it is consistent."));
    }

    /// <summary>Finishes any round a dead process left half-applied on the members of <paramref name="groupName"/>, each under its own lease.</summary>
    internal void FinishInterruptedRounds(string groupName, IOperationObserver observer, CancellationToken cancellation)
    {
        List<string> members;
        using (var read = _context.Store.Begin(write: false))
        {
            members = read.ListVolumes(new VolumeQuery { GroupName = groupName }).Select(v => v.Name).ToList();
        }

        foreach (var member in members)
        {
            using var lease = _leases.Acquire(member, "TestReplicationGroup", observer, cancellation);
            _replication.FinishInterrupted(member, observer);
        }
    }

    /// <summary>
    /// Clones a replica and keeps the new volume's lease (until the clone is disposed), with what the cloned blocks say
    /// against the replica's recorded round (read once: hashed as they are copied).
    /// </summary>
    /// <param name="recordVerdict">Record the verdict on the source (a damaged replica marked, a whole one's damage mark lifted) while it is still held; a DR test records its own.</param>
    /// <param name="recoveryPoint">Clone the replica as it was at this recovery point's round (read over its undo logs), checked against the point's block hashes.</param>
    internal ReplicaClone CloneReplica(string name, string sourceVolumeName, IOperationObserver observer, CancellationToken cancellation, bool recordVerdict = false, long? recoveryPoint = null)
    {
        Names.Validate("volume", name);
        RollBackAbandoned(name, observer);
        // The source's lease keeps its sync rounds off the replica while the clone reads it.
        using var lease = _leases.Acquire(sourceVolumeName, "CreateTestVolume", observer, cancellation);
        _replication.FinishInterrupted(sourceVolumeName, observer);
        VolumeSnapshot source;
        using (var read = _context.Store.Begin(write: false))
        {
            CheckNameFree(read, name);
            source = VolumeSnapshot.Load(read, VolumeSnapshot.FindVolume(read, sourceVolumeName));
        }

        ReplicationRules.RequireCloneableReplica(source.Volume);
        source.RequireChangeable("a test volume from the replica");
        _exports.RequireNotMirroring(source, "a test volume from the replica");
        BlockMap? map;
        using (var read = _context.Store.Begin(write: false))
        {
            map = read.LoadBlockMap(source.Volume.Id);
        }

        var replica = source.Replica;
        var driver = _context.Drivers.Get(replica.Backend.Driver);
        try
        {
            driver.CheckCopy(replica, source.Volume.SizeBytes);
        }
        catch (ReplicationException ex)
        {
            // A replica found gone is no longer reported active.
            _replication.Rounds.RecordFailure(source.Volume, ex, "CreateTestVolume");
            throw;
        }

        RecoveryPoints.PointDevice? point = null;
        if (recoveryPoint is { } pointRound)
        {
            new RecoveryPoints.RecoveryPointService(_context, _leases).Choose(source.Volume.Name, pointRound, null);
            point = RecoveryPoints.RecoveryPointFiles.Open(_context, source, pointRound);
            map = map is null ? null : point.MapAtPoint(map);
        }

        using var pointHeld = point;
        var id = Guid.NewGuid();
        BlockMap? cloned = null;
        var record = new VolumeRecord
        {
            Id = id,
            Name = name,
            SizeBytes = source.Volume.SizeBytes,
            VolumeType = source.Volume.VolumeType,
            Status = VolumeStatus.Creating,
            Backend = replica.Backend.Name,
            Location = driver.LocationFor(id),
            ReplicationStatus = ReplicationStatus.Disabled,
            SourceReplica = source.Volume.Name,
            CreatedAt = _context.Now,
        };
        observer.Decision($"Test volume '{name}' is cloned from the replica of '{source.Volume.Name}' on '{replica.Backend.Name}' (data as of {source.Volume.LastSyncStartedAt:u}); it is not replicated itself.");
        var creation = Insert(record, $"Cloning the replica of '{source.Volume.Name}' on '{replica.Backend.Name}'.");
        try
        {
            var copy = new VolumeCopy(replica.Backend, record.Location);
            var what = point is null ? $"round {source.Volume.SyncGeneration}, data as of {source.Volume.LastSyncStartedAt:u}" : $"recovery point of round {recoveryPoint}";
            var volume = Build(record, new[] { copy }, target => cloned = point is null
                ? driver.CloneVolume(replica, target, record.SizeBytes, observer, cancellation)
                : driver.Rounds.CopyBlocks(point, $"{source.Volume.Name}@{recoveryPoint}", target, record.SizeBytes, observer, cancellation), () => Finish(
                record, null, $"Test volume '{name}' cloned from the replica of '{source.Volume.Name}' ({what})."));
            var verdict = map is null ? ReplicaVerdict.Unrecorded(source.Volume.SyncGeneration)
                : point is not null ? ReplicaVerdict.Judge(cloned!, map, recoveryPoint!.Value, null, anyBlockMayBeWritten: false, null)
                : _check.Judge(source, cloned!, map, tracked: null, observer);
            observer.Decision($"'{source.Volume.Name}': the replica's blocks, hashed as they were cloned, were checked against round {source.Volume.SyncGeneration}. {verdict.Describe()}");
            var sourceAfter = recordVerdict ? _check.Record(source.Volume, verdict, "VerifyReplica", $"Clone '{name}' of the replica at {_context.Now:u}") : source.Volume;
            return new ReplicaClone(volume, sourceAfter, verdict, creation);
        }
        catch
        {
            creation.Dispose();
            throw;
        }
    }

    /// <summary>Volumes matching the query; a volume type or backend filter that names nothing is an error, not an empty list.</summary>
    public IReadOnlyList<Volume> List(VolumeQuery query)
    {
        using var session = _context.Store.Begin(write: false);
        CheckFilters(session, query);
        return session.ListVolumes(query).Select(VolumeViews.ToVolume).ToList();
    }

    /// <summary>The names of the volumes whose replica a test volume can be cloned from now (New-Volume -SourceReplica).</summary>
    public IReadOnlyList<string> ReplicaSources()
    {
        using var session = _context.Store.Begin(write: false);
        return session.ListVolumes(VolumeQuery.All).Where(ReplicationRules.CanCloneReplica).Select(v => v.Name).ToList();
    }

    internal static void CheckFilters(IStateSession session, VolumeQuery query)
    {
        if (query.VolumeType is { } type)
        {
            VolumeTypeCatalog.Find(session, type);
        }

        if (query.Backend is { } backend && session.FindBackend(backend) is null)
        {
            throw BackendCatalog.NotFound(backend);
        }
    }

    public Volume Get(string name)
    {
        using var session = _context.Store.Begin(write: false);
        return VolumeViews.ToVolume(VolumeSnapshot.FindVolume(session, name));
    }

    /// <summary>
    /// The row of a new volume, creating: replicated to <paramref name="replicaBackend"/> (copying), or unprotected
    /// (inactive) while that partner is failed over, or plain. <paramref name="how"/> starts the unprotected text.
    /// </summary>
    private VolumeRecord NewRecord(string name, long sizeBytes, VolumeTypeRecord type, BackendRecord primaryBackend, BackendRecord? replicaBackend, string how)
    {
        var unprotected = replicaBackend?.FailedOverAt is not null;
        var id = Guid.NewGuid();
        var location = _context.Drivers.Get(primaryBackend.Driver).LocationFor(id);
        return new VolumeRecord
        {
            Id = id,
            Name = name,
            SizeBytes = sizeBytes,
            VolumeType = type.Name,
            Status = VolumeStatus.Creating,
            Backend = primaryBackend.Name,
            Location = location,
            ReplicationStatus = replicaBackend is null ? ReplicationStatus.Disabled : unprotected ? ReplicationStatus.Inactive : ReplicationStatus.Copying,
            ReplicationExtendedStatus = unprotected ? $"{how} while '{replicaBackend!.Name}' is failed over: not protected until Invoke-BackendFailback (or Enable-Replication after it) makes its replica." : null,
            ReplicaBackend = replicaBackend?.Name,
            ReplicaLocation = replicaBackend is null ? null : location,
            CreatedAt = _context.Now,
        };
    }

    public Volume Get(Guid id)
    {
        using var session = _context.Store.Begin(write: false);
        return VolumeViews.ToVolume(session.FindVolume(id) ?? throw new ReplicationException(ErrorIds.VolumeNotFound, ErrorKind.ObjectNotFound,
            $"There is no volume with id {id}. Get-Volume lists them.", id));
    }

    public VolumeConnection Connection(string name)
    {
        var snapshot = VolumeSnapshot.Load(_context.Store, name);
        ReplicationRules.RequireAvailable(snapshot.Volume, "a connection");
        var connection = _context.Drivers.Get(snapshot.PrimaryBackend.Driver).Connect(snapshot.Primary);
        return new VolumeConnection
        {
            VolumeName = snapshot.Volume.Name,
            Backend = snapshot.PrimaryBackend.Name,
            DriverVolumeType = connection.DriverVolumeType,
            Data = new NamedValues<string>(connection.Data),
            Path = connection.Data.TryGetValue("path", out var path) ? path : "",
            NbdUrl = _exports.UrlFor(snapshot),
            SizeBytes = snapshot.Volume.SizeBytes,
        };
    }

    /// <summary>
    /// Removes a volume and its replica. Marked "deleting" first, so a crash or an unreachable backend leaves a row that
    /// the next Remove-Volume finishes, never a file without a row. A volume with snapshots is refused (VolumeHasSnapshots)
    /// unless <paramref name="withSnapshots"/>, which forgets them in the same transaction; their files go before the volume's.
    /// </summary>
    public void Delete(string name, IOperationObserver observer, CancellationToken cancellation = default, bool withSnapshots = false)
    {
        using var lease = _leases.Acquire(name, "DeleteVolume", observer, cancellation);
        VolumeSnapshot snapshot;
        using (var session = _context.Store.Begin(write: true))
        {
            var volume = VolumeSnapshot.FindVolume(session, name);
            snapshot = VolumeSnapshot.Load(session, volume);
            OperationGuards.Require(VolumeOperation.Remove, volume);
            snapshot.RequireChangeable("removing the volume");
            BackendRules.RequireNotFailedOver(snapshot.PrimaryBackend, "removing the volume");
            _exports.RequireNotExported(snapshot, "removing the volume");
            if (withSnapshots)
            {
                _snapshots.ForgetAll(session, volume);
            }
            else
            {
                _snapshots.RequireNone(session, volume, "removing a volume", $", or Remove-Volume '{volume.Name}' -Force removes them with the volume");
            }

            if (volume.Status != VolumeStatus.Deleting)
            {
                ReplicationStateMachine.Update(session, volume, volume with { Status = VolumeStatus.Deleting });
                session.AppendEvent(_context.Event("DeleteVolume", "Volume", volume.Name, "Deleting the volume" + (volume.ReplicaBackend is null ? "." : " and its replica."), volume.Id));
            }

            session.Commit();
        }

        CrashPoints.Hit("delete.after-mark");
        Erase(snapshot, "DeleteVolume", "Volume removed" + (snapshot.ReplicaBackend is null ? "." : " with its replica."), observer);
    }

    /// <summary>
    /// Grows a volume to <paramref name="sizeBytes"/> (Resize-Volume): the replica first, then the primary, then the new
    /// size with the block map grown by zero blocks. Shrinking is refused; so is a volume exported, or in a status the
    /// operation guards refuse. A grow a dead process left half-done is settled first.
    /// </summary>
    public Volume Resize(string name, long sizeBytes, IOperationObserver observer, CancellationToken cancellation = default)
    {
        ValidateSize(sizeBytes);
        using var lease = _leases.Acquire(name, "ExtendVolume", observer, cancellation);
        _resize.FinishInterrupted(VolumeSnapshot.Load(_context.Store, name), observer);
        _replication.FinishInterrupted(name, observer);
        var snapshot = VolumeSnapshot.Load(_context.Store, name);
        ReplicationRules.RequireAvailable(snapshot.Volume, "growing a volume");
        OperationGuards.Require(VolumeOperation.Extend, snapshot.Volume);
        snapshot.RequireChangeable("growing the volume");
        BackendRules.RequireNotFailedOver(snapshot.PrimaryBackend, "growing the volume");
        _exports.RequireNotExported(snapshot, "growing the volume");
        return _resize.Grow(snapshot, sizeBytes, observer);
    }

    /// <summary>
    /// Changes a volume's type (Set-Volume -VolumeType) where its backend meets the new type's specs: to a replicated type
    /// the replica is made on the partner and copied by a first round run here (the volume stays copying if that round
    /// fails, and the next sync finishes it); to a plain type the replica is removed.
    /// </summary>
    /// <remarks>With <paramref name="migrate"/>, a type whose specs the volume's backend does not meet moves the volume to a backend that meets them (as Move-Volume does).</remarks>
    public Volume Retype(string name, string volumeTypeName, IOperationObserver observer, CancellationToken cancellation = default, bool migrate = false)
    {
        bool copyReplica;
        using (_leases.Acquire(name, "RetypeVolume", observer, cancellation))
        {
            _resize.FinishInterrupted(VolumeSnapshot.Load(_context.Store, name), observer);
            _replication.FinishInterrupted(name, observer);
            var snapshot = VolumeSnapshot.Load(_context.Store, name);
            ReplicationRules.RequireAvailable(snapshot.Volume, "changing a volume's type");
            OperationGuards.Require(VolumeOperation.Retype, snapshot.Volume);
            snapshot.RequireChangeable("changing the volume's type");
            BackendRules.RequireNotFailedOver(snapshot.PrimaryBackend, "changing the volume's type");
            _exports.RequireNotExported(snapshot, "changing the volume's type");
            if (migrate && !_retype.BackendMeets(snapshot, volumeTypeName))
            {
                OperationGuards.Require(VolumeOperation.Migrate, snapshot.Volume);
                RequireNoSnapshots(snapshot.Volume);
                copyReplica = _migration.Move(snapshot, backendName: null, volumeTypeName, observer, cancellation).CopyReplica;
            }
            else
            {
                copyReplica = _retype.Change(snapshot, volumeTypeName, observer).CopyReplica;
            }
        }

        if (copyReplica)
        {
            _replication.Sync(name, forceRead: false, observer, cancellation);
        }

        return Get(name);
    }

    /// <summary>
    /// Moves a volume to <paramref name="backendName"/> (Move-Volume), its replica to that backend's partner: copied, a
    /// final delta pass, recorded in one transaction, the old copies removed. A replica made new (the volume did not
    /// replicate before) is copied by a first round run here, as a retype's is.
    /// </summary>
    public Volume Migrate(string name, string backendName, IOperationObserver observer, CancellationToken cancellation = default)
    {
        bool copyReplica;
        using (_leases.Acquire(name, "MigrateVolume", observer, cancellation))
        {
            _resize.FinishInterrupted(VolumeSnapshot.Load(_context.Store, name), observer);
            _replication.FinishInterrupted(name, observer);
            var snapshot = VolumeSnapshot.Load(_context.Store, name);
            ReplicationRules.RequireAvailable(snapshot.Volume, "moving a volume to another backend");
            OperationGuards.Require(VolumeOperation.Migrate, snapshot.Volume);
            RequireNoSnapshots(snapshot.Volume);
            snapshot.RequireChangeable("moving the volume");
            BackendRules.RequireNotFailedOver(snapshot.PrimaryBackend, "moving the volume");
            _exports.RequireNotExported(snapshot, "moving the volume");
            copyReplica = _migration.Move(snapshot, backendName, volumeTypeName: null, observer, cancellation).CopyReplica;
        }

        if (copyReplica)
        {
            _replication.Sync(name, forceRead: false, observer, cancellation);
        }

        return Get(name);
    }

    /// <summary>
    /// Rolls back a creation whose process died (its lease lapsed), so the name can be used again. False when a live
    /// operation still holds it.
    /// </summary>
    internal bool RollBackAbandonedCreation(VolumeRecord volume, IOperationObserver observer)
    {
        using var lease = _leases.TryAcquire(volume.Name, "RollBackCreation", observer);
        if (lease is null)
        {
            return false;
        }

        var snapshot = VolumeSnapshot.Load(_context.Store, volume.Name);
        if (snapshot.Volume.Status != VolumeStatus.Creating)
        {
            return false;
        }

        Erase(snapshot, "CreateVolumeRolledBack", "A creation whose process stopped was rolled back: its files and row were removed.", observer);
        return true;
    }

    /// <summary>
    /// Removes both copies' files (a copy already gone is fine), then the row, in that order: a crash in between leaves
    /// the row for the next attempt, never a file without a row. The caller holds the volume's lease.
    /// </summary>
    internal void Erase(VolumeSnapshot snapshot, string operation, string message, IOperationObserver observer)
    {
        _snapshots.SweepLeftovers(snapshot, observer);
        var driver = _context.Drivers.Get(snapshot.PrimaryBackend.Driver);
        if (snapshot.ReplicaBackend is not null)
        {
            driver.DeleteVolume(snapshot.Replica);
            CrashPoints.Hit("delete.after-replica-file");
            observer.Decision($"Removed the replica of '{snapshot.Volume.Name}' from '{snapshot.ReplicaBackend.Name}'.");
        }

        driver.DeleteVolume(snapshot.Primary);
        observer.Decision($"Removed '{snapshot.Volume.Name}' from '{snapshot.PrimaryBackend.Name}'.");
        using var session = _context.Store.Begin(write: true);
        session.DeleteVolume(snapshot.Volume.Id);
        session.AppendEvent(_context.Event(operation, "Volume", snapshot.Volume.Name, message, snapshot.Volume.Id, snapshot.Volume.ReplicationStatus));
        session.Commit();
    }

    /// <summary>A move leaves the backend its snapshots are kept on: they go first.</summary>
    private void RequireNoSnapshots(VolumeRecord volume)
    {
        using var read = _context.Store.Begin(write: false);
        _snapshots.RequireNone(read, volume, "moving a volume to another backend", "");
    }

    /// <summary>A name left "creating" by a process that died is freed before it is reused.</summary>
    private void RollBackAbandoned(string name, IOperationObserver observer)
    {
        VolumeRecord? existing;
        using (var read = _context.Store.Begin(write: false))
        {
            existing = read.FindVolume(name);
        }

        if (existing is { Status: VolumeStatus.Creating } && RollBackAbandonedCreation(existing, observer))
        {
            observer.Decision($"'{name}' was left half-created by a process that stopped; that creation was rolled back first.");
        }
    }

    private static void ValidateSize(long sizeBytes)
    {
        if (sizeBytes <= 0 || sizeBytes > MaxSizeBytes || sizeBytes % SectorSize != 0)
        {
            throw new ReplicationException(ErrorIds.InvalidSize, ErrorKind.InvalidArgument,
                $"{sizeBytes} bytes is not a valid volume size: use a positive multiple of {SectorSize} bytes up to 1 TiB (for example 1GB).", sizeBytes);
        }
    }

    private static void CheckNameFree(IStateSession session, string name)
    {
        if (session.FindVolume(name) is { } existing)
        {
            throw new ReplicationException(ErrorIds.VolumeExists, ErrorKind.ResourceExists,
                existing.Status == VolumeStatus.Creating
                    ? $"A volume named '{name}' exists but its creation was interrupted; Remove-Volume '{name}' cleans it up."
                    : $"A volume named '{name}' already exists.", name);
        }
    }

    /// <summary>Records the volume as creating, claimed by this operation until it is available or rolled back.</summary>
    private IDisposable Insert(VolumeRecord record, string message)
    {
        using var session = _context.Store.Begin(write: true);
        CheckNameFree(session, record.Name);
        VolumeTypeCatalog.Find(session, record.VolumeType);
        session.InsertVolume(record);
        var lease = _leases.Claim(session, record.Id, "CreateVolume");
        session.AppendEvent(_context.Event("CreateVolume", "Volume", record.Name, message, record.Id, to: record.ReplicationStatus));
        session.Commit();
        return lease;
    }

    /// <summary>Makes the files and records the volume available; on any failure removes the files made and the row, then reports the failure.</summary>
    private Volume Build(VolumeRecord record, IReadOnlyList<VolumeCopy> copies, Action<VolumeCopy> create, Func<Volume> finish)
    {
        var made = new List<VolumeCopy>();
        try
        {
            foreach (var copy in copies)
            {
                create(copy);
                made.Add(copy);
            }

            return finish();
        }
        catch (Exception failure)
        {
            var driver = _context.Drivers.Get(copies[0].Backend.Driver);
            foreach (var copy in made.Concat(copies.Except(made).Take(1)))
            {
                try
                {
                    driver.DeleteVolume(copy);
                }
                catch (ReplicationException)
                {
                    // The create already failed; the leftover shows up in the event below for the admin to find.
                }
            }

            using var session = _context.Store.Begin(write: true);
            session.DeleteVolume(record.Id);
            session.AppendEvent(_context.Event("CreateVolumeFailed", "Volume", record.Name, $"Creation failed and was rolled back: {failure.Message}", record.Id));
            session.Commit();
            throw;
        }
    }

    private Volume Finish(VolumeRecord record, BlockMap? replicaMap, string message, string? replicaConsistentBecause = null)
    {
        CrashPoints.Hit("create.before-available");
        using var session = _context.Store.Begin(write: true);
        var current = VolumeSnapshot.Reread(session, record);
        var available = current with { Status = VolumeStatus.Available };
        if (replicaMap is not null)
        {
            available = available with
            {
                ReplicationStatus = ReplicationStatus.Active,
                SyncGeneration = 1,
                LastSyncStartedAt = current.CreatedAt,
                LastSyncCompletedAt = _context.Now,
                ReplicationExtendedStatus = replicaConsistentBecause ?? "Both copies are new and empty, so the replica is consistent.",
            };
            session.SaveBlockMap(current.Id, replicaMap);
        }

        ReplicationStateMachine.Update(session, current, available);
        session.AppendEvent(_context.Event("CreateVolume", "Volume", current.Name, message, current.Id, current.ReplicationStatus, available.ReplicationStatus));
        session.Commit();
        return VolumeViews.ToVolume(available);
    }
}
