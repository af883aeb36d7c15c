using System;
using System.Collections.Generic;
using System.Linq;
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
/// Set-Volume -VolumeType: a volume's type changes in place when its backend meets the new type's specs. Plain to
/// replicated records the replica on the partner (copying) before making its empty copy, so the next round copies the
/// data whatever happened in between; replicated to plain removes the replica's copy, then records the volume without
/// it, so a crash in between is finished by the same command.
/// </summary>
internal sealed class VolumeRetype
{
    private readonly EngineContext _context;
    private readonly BackendCatalog _backends;

    public VolumeRetype(EngineContext context, BackendCatalog backends)
    {
        _context = context;
        _backends = backends;
    }

    /// <summary>Changes the type of <paramref name="snapshot"/>'s volume (the caller holds its lease and checked the guards); true when its new replica is to be copied now.</summary>
    public (VolumeRecord Volume, bool CopyReplica) Change(VolumeSnapshot snapshot, string volumeTypeName, IOperationObserver observer)
    {
        var volume = snapshot.Volume;
        VolumeTypeRecord type;
        IReadOnlyList<BackendRecord> backends;
        using (var read = _context.Store.Begin(write: false))
        {
            type = VolumeTypeCatalog.Find(read, volumeTypeName);
            backends = read.ListBackends();
        }

        if (string.Equals(type.Name, volume.VolumeType, StringComparison.OrdinalIgnoreCase))
        {
            observer.Decision($"'{volume.Name}' is of type '{type.Name}' already; nothing to change.");
            return (volume, false);
        }

        var specs = new VolumeTypeSpecs(type.ExtraSpecs);
        if (specs.RequiresReplication && volume.SourceReplica is not null)
        {
            throw new ReplicationException(ErrorIds.RetypeNotAllowed, ErrorKind.InvalidOperation,
                $"Rule: a DR test volume is never replicated. Volume '{volume.Name}' was cloned from the replica of '{volume.SourceReplica}', so it cannot take type '{type.Name}', which replicates. New-Volume -SourceVolume '{volume.Name}' makes an ordinary volume of it.", volume.Name);
        }

        var capabilities = _backends.Describe(snapshot.PrimaryBackend, backends).Capabilities;
        if (specs.Requirements.Select(r => (Requirement: r, Match: r.Match(capabilities))).FirstOrDefault(m => !m.Match.IsSatisfied) is { Requirement: not null } unmet)
        {
            throw new ReplicationException(ErrorIds.VolumeTypeSpecsNotMet, ErrorKind.InvalidOperation,
                $"Rule: a volume's backend meets its type's specs. '{snapshot.PrimaryBackend.Name}', where '{volume.Name}' is, does not meet {unmet.Requirement} of type '{type.Name}': it {unmet.Match.Reason}. Choose a type it meets, change the backend (Set-StorageBackend), or add -Migrate to move the volume to a backend that meets it.", volume.Name);
        }

        if (specs.RequiresReplication && volume.ReplicaBackend is null)
        {
            return (AddReplica(snapshot, type, backends, observer), true);
        }

        if (!specs.RequiresReplication && volume.ReplicaBackend is not null)
        {
            return (RemoveReplica(snapshot, type, observer), false);
        }

        return (Record(volume, volume with { VolumeType = type.Name }, $"Volume '{volume.Name}' retyped from '{volume.VolumeType}' to '{type.Name}'; its copies stay as they are."), false);
    }

    /// <summary>True when the backend of <paramref name="snapshot"/>'s volume meets every spec of <paramref name="volumeTypeName"/> (Set-Volume -Migrate moves it when not).</summary>
    public bool BackendMeets(VolumeSnapshot snapshot, string volumeTypeName)
    {
        IReadOnlyList<BackendRecord> backends;
        VolumeTypeRecord type;
        using (var read = _context.Store.Begin(write: false))
        {
            type = VolumeTypeCatalog.Find(read, volumeTypeName);
            backends = read.ListBackends();
        }

        var capabilities = _backends.Describe(snapshot.PrimaryBackend, backends).Capabilities;
        return new VolumeTypeSpecs(type.ExtraSpecs).Requirements.All(r => r.Match(capabilities).IsSatisfied);
    }

    private VolumeRecord AddReplica(VolumeSnapshot snapshot, VolumeTypeRecord type, IReadOnlyList<BackendRecord> backends, IOperationObserver observer)
    {
        var volume = snapshot.Volume;
        var partner = BackendCatalog.PartnerOf(snapshot.PrimaryBackend, backends) ?? throw new ReplicationException(ErrorIds.NoValidBackend, ErrorKind.ResourceUnavailable,
            $"'{snapshot.PrimaryBackend.Name}' has no replication partner for the replica of '{volume.Name}'.", volume.Name);
        BackendRules.RequireNotFrozen(partner, "adding a replica");
        BackendRules.RequireNotFailedOver(partner, "adding a replica");
        var updated = Record(volume, volume with
        {
            VolumeType = type.Name,
            ReplicaBackend = partner.Name,
            ReplicaLocation = volume.Location,
            ReplicaFenced = false,
            ReplicationStatus = ReplicationStatus.Copying,
            ReplicationExtendedStatus = $"Retyped to '{type.Name}': the replica on '{partner.Name}' is being copied; Sync-VolumeReplica finishes it.",
        }, $"Volume '{volume.Name}' retyped from '{volume.VolumeType}' to '{type.Name}': its replica goes to '{partner.Name}' and is copied now.");
        CrashPoints.Hit("retype.after-mark");
        _context.Drivers.Get(partner.Driver).CreateVolume(new VolumeCopy(partner, volume.Location), volume.SizeBytes);
        observer.Decision($"'{volume.Name}' now replicates to '{partner.Name}'; its replica is being copied.");
        return updated;
    }

    private VolumeRecord RemoveReplica(VolumeSnapshot snapshot, VolumeTypeRecord type, IOperationObserver observer)
    {
        var volume = snapshot.Volume;
        var replica = snapshot.Replica;
        // The copy goes first: a crash then leaves the volume recorded with a replica that is gone, which the same
        // command finishes (a missing copy is no error to remove), never a copy that no row names.
        _context.Drivers.Get(replica.Backend.Driver).DeleteVolume(replica);
        CrashPoints.Hit("retype.after-replica-removed");
        var removed = volume.WithVerificationCleared() with
        {
            VolumeType = type.Name,
            ReplicaBackend = null,
            ReplicaLocation = null,
            ReplicaFenced = false,
            FenceStamp = null,
            ReplicationStatus = ReplicationStatus.Disabled,
            ReplicationExtendedStatus = null,
            ReplicationDriverData = null,
            GroupRound = null,
            LastSyncRaced = false,
        };
        var updated = Record(volume, removed, $"Volume '{volume.Name}' retyped from '{volume.VolumeType}' to '{type.Name}', which does not replicate: its replica on '{replica.Backend.Name}' was removed.");
        observer.Decision($"Removed the replica of '{volume.Name}' from '{replica.Backend.Name}'.");
        return updated;
    }

    private VolumeRecord Record(VolumeRecord seen, VolumeRecord updated, string message)
    {
        using var session = _context.Store.Begin(write: true);
        var current = VolumeSnapshot.Reread(session, seen);
        ReplicationStateMachine.Update(session, current, updated);
        if (updated.ReplicaBackend is null && current.ReplicaBackend is not null)
        {
            session.DeleteBlockMap(current.Id);
        }

        session.AppendEvent(_context.Event("RetypeVolume", "Volume", current.Name, message, current.Id, current.ReplicationStatus, updated.ReplicationStatus));
        session.Commit();
        return updated;
    }
}
