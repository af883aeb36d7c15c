using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Replication.Drivers;
using Replication.Engine.Catalog;
using Replication.Engine.Diagnostics;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Placement;
using Replication.Engine.Replication;
using Replication.Engine.Rounds;
using Replication.Engine.Rules;
using Replication.Engine.State;

namespace Replication.Engine.Volumes;

/// <summary>
/// Move-Volume: a volume's copies move to another backend (the replica to that backend's partner). The move is recorded
/// as the volume's pending change before any file is touched; the new primary is copied from the old one, then a final
/// delta pass copies what changed meanwhile; the new replica is copied from the new primary (or, for a volume that did
/// not replicate, made empty and copied by the sync that follows). One transaction then records the volume on its new
/// backends, and the old copies are removed last. A process killed anywhere is settled by <see cref="FinishInterrupted"/>
/// from the record: before the switch the new copies are removed (the move is undone), after it the old ones (finished).
/// </summary>
internal sealed class VolumeMigration
{
    private readonly EngineContext _context;
    private readonly BackendCatalog _backends;

    public VolumeMigration(EngineContext context, BackendCatalog backends)
    {
        _context = context;
        _backends = backends;
    }

    /// <summary>
    /// Moves <paramref name="snapshot"/>'s volume to <paramref name="backendName"/> (any backend meeting the new type's
    /// specs when null), recorded with <paramref name="volumeTypeName"/> (its own type when null). The caller holds its
    /// lease and checked the guards. True when the new replica is still to be copied.
    /// </summary>
    public (VolumeRecord Volume, bool CopyReplica) Move(VolumeSnapshot snapshot, string? backendName, string? volumeTypeName, IOperationObserver observer, CancellationToken cancellation)
    {
        var volume = snapshot.Volume;
        VolumeTypeRecord type;
        IReadOnlyList<BackendRecord> backends;
        using (var read = _context.Store.Begin(write: false))
        {
            type = VolumeTypeCatalog.Find(read, volumeTypeName ?? volume.VolumeType);
            backends = read.ListBackends();
        }

        var specs = new VolumeTypeSpecs(type.ExtraSpecs);
        if (volumeTypeName is not null && specs.RequiresReplication && volume.SourceReplica is not null)
        {
            throw new ReplicationException(ErrorIds.RetypeNotAllowed, ErrorKind.InvalidOperation,
                $"Rule: a DR test volume is never replicated. Volume '{volume.Name}' was cloned from the replica of '{volume.SourceReplica}', so it cannot take type '{type.Name}', which replicates. New-Volume -SourceVolume '{volume.Name}' makes an ordinary volume of it.", volume.Name);
        }

        var target = backendName is null ? Choose(snapshot, type, specs, backends, observer) : BackendCatalog.Find(backends, backendName);
        if (string.Equals(target.Name, snapshot.PrimaryBackend.Name, StringComparison.OrdinalIgnoreCase))
        {
            observer.Decision($"'{volume.Name}' is on '{target.Name}' already; nothing to move.");
            return (volume, false);
        }

        var targetReplica = RequireTarget(snapshot, target, type, specs, backends);
        var change = new PendingChange
        {
            Operation = PendingOperation.Migrate,
            FromBackend = snapshot.PrimaryBackend.Name,
            FromLocation = volume.Location,
            FromReplicaBackend = volume.ReplicaBackend,
            FromReplicaLocation = volume.ReplicaLocation,
            ToBackend = target.Name,
            ToReplicaBackend = targetReplica?.Name,
            ToLocation = volume.Location,
            ToVolumeType = type.Name,
        };
        Mark(volume, change, $"Moving '{volume.Name}' from '{snapshot.PrimaryBackend.Name}' to '{target.Name}'" + (targetReplica is null ? "." : $", its replica to '{targetReplica.Name}'."));
        CrashPoints.Hit("migrate.after-mark");

        var driver = _context.Drivers.Get(snapshot.PrimaryBackend.Driver);
        var copiedAt = _context.Now;
        BlockMap? replicaMap;
        try
        {
            replicaMap = CopyToTarget(snapshot, change, driver, target, targetReplica, observer, cancellation);
        }
        catch (Exception failure) when (failure is ReplicationException or OperationCanceledException)
        {
            // A fault or a cancel before the switch undoes the move at once, as the next command would.
            RemoveCopies(change.ToBackend, change.ToLocation, change.ToReplicaBackend, change.ToLocation, backends);
            Clear(volume, "MigrateVolumeFailed", $"The move of '{volume.Name}' to '{target.Name}' failed and was undone (the copies begun there were removed): {failure.Message}");
            throw;
        }

        CrashPoints.Hit("migrate.after-copy");
        var moved = Switch(volume, change, replicaMap, copiedAt, targetReplica is not null && replicaMap is null);
        CrashPoints.Hit("migrate.after-record");
        RemoveCopies(change.FromBackend, change.FromLocation, change.FromReplicaBackend, change.FromReplicaLocation, backends);
        moved = Clear(moved, null, null);
        observer.Decision($"Removed the copies of '{volume.Name}' from '{change.FromBackend}'" + (change.FromReplicaBackend is null ? "." : $" and '{change.FromReplicaBackend}'."));
        return (moved, targetReplica is not null && replicaMap is null);
    }

    /// <summary>Makes the new copies: the primary copied with a final delta pass, the replica copied from it (null map: made empty, to be copied by a sync).</summary>
    private static BlockMap? CopyToTarget(VolumeSnapshot snapshot, PendingChange change, EngineDriver driver, BackendRecord target, BackendRecord? targetReplica, IOperationObserver observer, CancellationToken cancellation)
    {
        var volume = snapshot.Volume;
        var primary = new VolumeCopy(target, change.ToLocation!);
        var map = driver.CloneVolume(snapshot.Primary, primary, volume.SizeBytes, observer, cancellation);
        map = FinalDelta(driver, snapshot.Primary, primary, map, volume, observer, cancellation);
        observer.Decision($"Copied '{volume.Name}' to '{target.Name}', then a final pass copied what changed on '{snapshot.PrimaryBackend.Name}' meanwhile.");
        if (targetReplica is null)
        {
            return null;
        }

        var replica = new VolumeCopy(targetReplica, change.ToLocation!);
        if (volume.ReplicaBackend is not null && volume.ReplicationStatus is ReplicationStatus.Active or ReplicationStatus.ActiveStopped)
        {
            return driver.CloneVolume(primary, replica, volume.SizeBytes, observer, cancellation);
        }

        // A volume whose replica was not consistent (or that had none) moves as a retype adds a replica: recorded copying,
        // copied by the sync that follows (the state machine has no step from disabled to active).
        driver.CreateVolume(replica, volume.SizeBytes);
        return null;
    }

    /// <summary>
    /// Settles a move a dead process left recorded (the caller holds the lease): finished when the volume was recorded
    /// on its new backend (the old copies are removed), else undone (the new copies are removed). Returns the volume then.
    /// </summary>
    public VolumeSnapshot FinishInterrupted(VolumeSnapshot snapshot, IOperationObserver observer)
    {
        var volume = snapshot.Volume;
        if (volume.PendingChange is not { Operation: PendingOperation.Migrate } change)
        {
            return snapshot;
        }

        IReadOnlyList<BackendRecord> backends;
        using (var read = _context.Store.Begin(write: false))
        {
            backends = read.ListBackends();
        }

        if (string.Equals(volume.Backend, change.ToBackend, StringComparison.OrdinalIgnoreCase))
        {
            RemoveCopies(change.FromBackend, change.FromLocation, change.FromReplicaBackend, change.FromReplicaLocation, backends);
            Clear(volume, "MigrateVolumeFinished", $"An interrupted move of '{volume.Name}' to '{change.ToBackend}' was finished: it was recorded there, and the copies left on '{change.FromBackend}'" + (change.FromReplicaBackend is null ? " were removed." : $" and '{change.FromReplicaBackend}' were removed."));
            observer.Decision($"'{volume.Name}': a move to '{change.ToBackend}' whose process stopped after recording it was finished.");
        }
        else
        {
            RemoveCopies(change.ToBackend, change.ToLocation, change.ToReplicaBackend, change.ToLocation, backends);
            Clear(volume, "MigrateVolumeUndone", $"An interrupted move of '{volume.Name}' to '{change.ToBackend}' was undone: it had not been recorded there, so the copies it had begun there were removed; the volume stays on '{volume.Backend}'.");
            observer.Decision($"'{volume.Name}': a move to '{change.ToBackend}' whose process stopped before recording it was undone.");
        }

        return VolumeSnapshot.Load(_context.Store, volume.Name);
    }

    /// <summary>For Set-Volume -VolumeType -Migrate: the backend the scheduler picks for the new type, other than the ones holding the volume's copies.</summary>
    private BackendRecord Choose(VolumeSnapshot snapshot, VolumeTypeRecord type, VolumeTypeSpecs specs, IReadOnlyList<BackendRecord> backends, IOperationObserver observer)
    {
        var described = backends.Where(b => !Holds(snapshot, b) && !(BackendCatalog.PartnerOf(b, backends) is { } partner && Holds(snapshot, partner)))
            .Select(b => _backends.Describe(b, backends)).ToList();
        var decision = BackendScheduler.Place(type.Name, specs, described);
        foreach (var reason in decision.Reasons)
        {
            observer.Decision(reason);
        }

        return BackendCatalog.Find(backends, decision.Backend.Name);
    }

    /// <summary>Checks <paramref name="target"/> can take the volume in <paramref name="type"/>; returns the backend its replica goes to (null when the type does not replicate).</summary>
    private BackendRecord? RequireTarget(VolumeSnapshot snapshot, BackendRecord target, VolumeTypeRecord type, VolumeTypeSpecs specs, IReadOnlyList<BackendRecord> backends)
    {
        var volume = snapshot.Volume;
        if (!string.Equals(target.Driver, snapshot.PrimaryBackend.Driver, StringComparison.OrdinalIgnoreCase))
        {
            throw Refused(volume, $"Rule: a volume moves between backends of one driver, which copies it. '{volume.Name}' is on '{snapshot.PrimaryBackend.Name}' ({snapshot.PrimaryBackend.Driver}), '{target.Name}' uses {target.Driver}. Choose a {snapshot.PrimaryBackend.Driver} backend (Get-StorageBackend lists them).");
        }

        if (Holds(snapshot, target))
        {
            throw Refused(volume, $"Rule: a volume moves to a backend that holds none of its copies. '{target.Name}' holds the replica of '{volume.Name}': Invoke-ReplicaPromotion -Planned makes that copy the primary instead.");
        }

        BackendRules.RequireNotFrozen(target, "moving a volume onto it");
        BackendRules.RequireNotFailedOver(target, "moving a volume onto it");
        var capabilities = _backends.Describe(target, backends).Capabilities;
        if (specs.Requirements.Select(r => (Requirement: r, Match: r.Match(capabilities))).FirstOrDefault(m => !m.Match.IsSatisfied) is { Requirement: not null } unmet)
        {
            throw new ReplicationException(ErrorIds.VolumeTypeSpecsNotMet, ErrorKind.InvalidOperation,
                $"Rule: a volume's backend meets its type's specs. '{target.Name}' does not meet {unmet.Requirement} of type '{type.Name}': it {unmet.Match.Reason}. Choose a backend that meets it, or change this one (Set-StorageBackend).", volume.Name);
        }

        // A DR test volume is never replicated, whatever its type: it moves alone.
        if (!specs.RequiresReplication || volume.SourceReplica is not null)
        {
            return null;
        }

        var partner = BackendCatalog.PartnerOf(target, backends) ?? throw new ReplicationException(ErrorIds.NoValidBackend, ErrorKind.ResourceUnavailable,
            $"Volume type '{type.Name}' asks for replication, but '{target.Name}' has no replication partner for the replica of '{volume.Name}'. Set-StorageBackend -ReplicationPartner pairs one, or choose a paired backend.", volume.Name);
        if (Holds(snapshot, partner))
        {
            throw Refused(volume, $"Rule: a volume moves to a backend that holds none of its copies. '{partner.Name}', where the replica would go, holds a copy of '{volume.Name}': Invoke-ReplicaPromotion -Planned swaps the copies of a pair instead.");
        }

        BackendRules.RequireNotFrozen(partner, "moving a replica onto it");
        BackendRules.RequireNotFailedOver(partner, "moving a replica onto it");
        return partner;
    }

    private static bool Holds(VolumeSnapshot snapshot, BackendRecord backend) =>
        string.Equals(backend.Name, snapshot.PrimaryBackend.Name, StringComparison.OrdinalIgnoreCase)
        || string.Equals(backend.Name, snapshot.Volume.ReplicaBackend, StringComparison.OrdinalIgnoreCase);

    private static ReplicationException Refused(VolumeRecord volume, string message) =>
        new(ErrorIds.MigrateNotAllowed, ErrorKind.InvalidOperation, message, volume.Name);

    /// <summary>
    /// Copies to <paramref name="target"/> the blocks of <paramref name="source"/> that differ from <paramref name="map"/>
    /// (what the bulk copy wrote): writes made while it ran. Returns the hashes of what the target holds then.
    /// </summary>
    private static BlockMap FinalDelta(EngineDriver driver, VolumeCopy source, VolumeCopy target, BlockMap map, VolumeRecord volume, IOperationObserver observer, CancellationToken cancellation)
    {
        const string moving = "Writing the moved volume";
        var sourceName = driver.Describe(source);
        var targetName = driver.Describe(target);
        using var from = driver.Copy(source, () => driver.Contract.Open(EngineDriver.Config(source.Backend), source.Location, DeviceAccess.Read), ErrorIds.PrimaryUnreadable, "Opening", readSide: true);
        using var to = driver.Copy(target, () => driver.Contract.Open(EngineDriver.Config(target.Backend), target.Location, DeviceAccess.ReadWrite), ErrorIds.VolumeFileFault, moving);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var reader = new BlockReader(from, sourceName, ErrorIds.PrimaryUnreadable,
            (done, total) => observer.Progress(new OperationProgress("Moving", volume.Name, done, total, clock.Elapsed)), cancellation);
        var final = reader.CopyChanged(map, new DirectBlockSink(to, targetName, map.BlockSize, ErrorIds.VolumeFileFault, moving));
        DriverFaults.Run(to.Flush, ErrorIds.VolumeFileFault, moving, targetName);
        observer.Decision($"'{volume.Name}': the final pass wrote {reader.BlocksWritten} blocks changed during the copy ({reader.BytesWritten} bytes).");
        return final;
    }

    private void Mark(VolumeRecord seen, PendingChange change, string message)
    {
        using var session = _context.Store.Begin(write: true);
        var current = VolumeSnapshot.Reread(session, seen);
        ReplicationStateMachine.Update(session, current, current with { PendingChange = change });
        session.AppendEvent(_context.Event("MigrateVolume", "Volume", current.Name, message, current.Id));
        session.Commit();
    }

    /// <summary>Records the volume on its new backends in one transaction, the move still pending until the old copies are gone.</summary>
    private VolumeRecord Switch(VolumeRecord seen, PendingChange change, BlockMap? replicaMap, DateTimeOffset copiedAt, bool replicaToCopy)
    {
        using var session = _context.Store.Begin(write: true);
        var current = VolumeSnapshot.Reread(session, seen);
        var replicated = change.ToReplicaBackend is not null;
        var moved = current.WithVerificationCleared() with
        {
            VolumeType = change.ToVolumeType!,
            Backend = change.ToBackend!,
            Location = change.ToLocation!,
            ReplicaBackend = change.ToReplicaBackend,
            ReplicaLocation = replicated ? change.ToLocation : null,
            ReplicaFenced = false,
            FenceStamp = null,
            FailoverSource = null,
            ReplicationStatus = !replicated ? ReplicationStatus.Disabled : replicaToCopy ? ReplicationStatus.Copying : current.ReplicationStatus,
            ReplicationExtendedStatus = !replicated ? null
                : replicaToCopy ? $"Moved to '{change.ToBackend}': the replica on '{change.ToReplicaBackend}' is being copied; Sync-VolumeReplica finishes it."
                : $"Moved to '{change.ToBackend}': the replica on '{change.ToReplicaBackend}' was copied from the moved volume, so it is consistent.",
            ReplicationDriverData = null,
            SyncGeneration = replicaMap is null ? current.SyncGeneration : current.SyncGeneration + 1,
            LastSyncStartedAt = replicaMap is null ? current.LastSyncStartedAt : copiedAt,
            LastSyncCompletedAt = replicaMap is null ? current.LastSyncCompletedAt : _context.Now,
            LastSyncRaced = false,
            GroupRound = null,
        };
        ReplicationStateMachine.Update(session, current, moved);
        if (replicaMap is not null)
        {
            session.SaveBlockMap(current.Id, replicaMap);
        }
        else
        {
            session.DeleteBlockMap(current.Id);
        }

        var from = change.FromBackend + (change.FromReplicaBackend is null ? "" : $" (replica on '{change.FromReplicaBackend}')");
        var to = change.ToBackend + (change.ToReplicaBackend is null ? "" : $" (replica on '{change.ToReplicaBackend}')");
        session.AppendEvent(_context.Event("MigrateVolume", "Volume", current.Name,
            $"Volume '{current.Name}' moved from '{from}' to '{to}'" + (string.Equals(current.VolumeType, moved.VolumeType, StringComparison.OrdinalIgnoreCase) ? "." : $", retyped from '{current.VolumeType}' to '{moved.VolumeType}'."),
            current.Id, current.ReplicationStatus, moved.ReplicationStatus));
        session.Commit();
        return moved;
    }

    /// <summary>Forgets the pending move (with an event when <paramref name="operation"/> is given).</summary>
    private VolumeRecord Clear(VolumeRecord seen, string? operation, string? message)
    {
        using var session = _context.Store.Begin(write: true);
        var current = VolumeSnapshot.Reread(session, seen);
        var cleared = current with { PendingChange = null };
        ReplicationStateMachine.Update(session, current, cleared);
        if (operation is not null)
        {
            session.AppendEvent(_context.Event(operation, "Volume", current.Name, message!, current.Id));
        }

        session.Commit();
        return cleared;
    }

    /// <summary>Removes a primary and a replica copy (either may be gone already, or its backend removed since).</summary>
    private void RemoveCopies(string? backend, string? location, string? replicaBackend, string? replicaLocation, IReadOnlyList<BackendRecord> backends)
    {
        foreach (var (name, where) in new[] { (replicaBackend, replicaLocation), (backend, location) })
        {
            if (name is not null && where is not null && backends.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase)) is { } record)
            {
                _context.Drivers.Get(record.Driver).DeleteVolume(new VolumeCopy(record, where));
            }
        }
    }
}
