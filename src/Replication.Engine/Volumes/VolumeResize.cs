using Replication.Engine.Diagnostics;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.Rules;

namespace Replication.Engine.Volumes;

/// <summary>
/// Grows a volume's copies: the replica first, then the primary, then the size and the grown block map in one
/// transaction, so a promotion never finds a replica smaller than its primary. New bytes read as zeros on both copies
/// (the driver contract's ResizeCopy), so the block map learns the new blocks as zero blocks without reading them; only
/// a last block that was partial before is read again, on the replica. A process killed in between leaves copies longer
/// than recorded, which <see cref="FinishInterrupted"/> settles: a grown replica whose primary did not grow is shrunk
/// back (nothing but the engine writes a replica, so its new tail holds only zeros), and a grown primary whose replica
/// grew with it is recorded.
/// </summary>
internal sealed class VolumeResize
{
    private readonly EngineContext _context;

    public VolumeResize(EngineContext context) => _context = context;

    /// <summary>Grows the copies of <paramref name="snapshot"/>'s volume to <paramref name="sizeBytes"/>; the caller holds its lease and checked the guards.</summary>
    public Volume Grow(VolumeSnapshot snapshot, long sizeBytes, IOperationObserver observer)
    {
        var volume = snapshot.Volume;
        if (sizeBytes < volume.SizeBytes)
        {
            throw new ReplicationException(ErrorIds.VolumeShrinkNotAllowed, ErrorKind.InvalidArgument,
                $"Rule: a volume only grows; its data would not fit in less. Volume '{volume.Name}' is {Humane.Bytes(volume.SizeBytes)} ({volume.SizeBytes} bytes), more than the {sizeBytes} bytes asked. To make it smaller, copy its data to a new, smaller volume.", volume.Name);
        }

        if (sizeBytes == volume.SizeBytes)
        {
            observer.Decision($"'{volume.Name}' is {volume.SizeBytes} bytes already; nothing to grow.");
            return VolumeViews.ToVolume(volume);
        }

        var driver = _context.Drivers.Get(snapshot.PrimaryBackend.Driver);
        driver.CheckCopy(snapshot.Primary, volume.SizeBytes);
        if (HasReplica(snapshot))
        {
            driver.CheckCopy(snapshot.Replica, volume.SizeBytes);
            driver.ResizeVolume(snapshot.Replica, sizeBytes);
            observer.Decision($"Grew the replica of '{volume.Name}' on '{snapshot.ReplicaBackend!.Name}' to {Humane.Bytes(sizeBytes)} first, so it is never smaller than its primary.");
            CrashPoints.Hit("extend.after-replica");
        }

        // The dirty bitmap covers the old size; without it rounds read the volume until the next export makes one.
        driver.Sidecar(snapshot.Primary, "dirty").Delete();
        driver.ResizeVolume(snapshot.Primary, sizeBytes);
        CrashPoints.Hit("extend.after-primary");
        return Record(snapshot, sizeBytes, $"Volume '{volume.Name}' grew from {Humane.Bytes(volume.SizeBytes)} to {Humane.Bytes(sizeBytes)}" + (HasReplica(snapshot) ? ", its replica first." : "."));
    }

    /// <summary>
    /// Settles a grow whose process died (the caller holds the lease): undoes it when only the replica grew, records
    /// it when the primary grew and its replica (if any) with it. Returns the volume as it is then.
    /// </summary>
    /// <remarks>A move a dead process left recorded is settled first (every command that settles a grow settles it too).</remarks>
    public VolumeSnapshot FinishInterrupted(VolumeSnapshot snapshot, IOperationObserver observer)
    {
        snapshot = new VolumeMigration(_context, new Catalog.BackendCatalog(_context)).FinishInterrupted(snapshot, observer);
        var volume = snapshot.Volume;
        switch (Interrupted(snapshot))
        {
            case { Finish: { } grownTo }:
                Record(snapshot, grownTo, $"An interrupted grow of '{volume.Name}' to {Humane.Bytes(grownTo)} was finished: its copies had grown, only the new size was not recorded.");
                observer.Decision($"'{volume.Name}': a grow to {Humane.Bytes(grownTo)} whose process stopped was finished.");
                return VolumeSnapshot.Load(_context.Store, volume.Name);
            case { Undo: true }:
                _context.Drivers.Get(snapshot.PrimaryBackend.Driver).ResizeVolume(snapshot.Replica, volume.SizeBytes);
                using (var session = _context.Store.Begin(write: true))
                {
                    session.AppendEvent(_context.Event("ExtendVolumeUndone", "Volume", volume.Name,
                        $"An interrupted grow of '{volume.Name}' was undone: only its replica had grown, and was shrunk back to {Humane.Bytes(volume.SizeBytes)}.", volume.Id));
                    session.Commit();
                }

                observer.Decision($"'{volume.Name}': a grow whose process stopped after growing only the replica was undone.");
                return snapshot;
            default:
                return snapshot;
        }
    }

    /// <summary>What a dead grow left on the copies of an available volume, judged from their lengths alone (a stat each).</summary>
    public (long? Finish, bool Undo) Interrupted(VolumeSnapshot snapshot)
    {
        var volume = snapshot.Volume;
        if (volume.Status != VolumeStatus.Available)
        {
            return (null, false);
        }

        var driver = _context.Drivers.Get(snapshot.PrimaryBackend.Driver);
        var primary = driver.CopyLength(snapshot.Primary);
        var replica = HasReplica(snapshot) ? driver.CopyLength(snapshot.Replica) : null;
        if (primary > volume.SizeBytes && (!HasReplica(snapshot) || replica == primary))
        {
            return (primary, false);
        }

        return (null, primary == volume.SizeBytes && replica > volume.SizeBytes);
    }

    /// <summary>A replica the volume counts on: not one a promotion fenced (extend is refused then, so a grow never reaches it).</summary>
    private static bool HasReplica(VolumeSnapshot snapshot) => snapshot.ReplicaBackend is not null && snapshot.Volume.ReplicaLocation is not null && !snapshot.Volume.ReplicaFenced;

    private Volume Record(VolumeSnapshot snapshot, long sizeBytes, string message)
    {
        BlockMap? map;
        using (var read = _context.Store.Begin(write: false))
        {
            map = read.LoadBlockMap(snapshot.Volume.Id);
        }

        var grown = map is null ? null : Grown(snapshot, map, sizeBytes);
        using var session = _context.Store.Begin(write: true);
        var current = VolumeSnapshot.Reread(session, snapshot.Volume);
        var updated = current with { SizeBytes = sizeBytes };
        ReplicationStateMachine.Update(session, current, updated);
        if (grown is not null)
        {
            session.SaveBlockMap(current.Id, grown);
        }

        session.AppendEvent(_context.Event("ExtendVolume", "Volume", current.Name, message, current.Id));
        session.Commit();
        return VolumeViews.ToVolume(updated);
    }

    /// <summary>The replica's block map at the new size: old blocks as they were, new ones zero blocks, a formerly partial last block hashed again from the replica.</summary>
    private BlockMap Grown(VolumeSnapshot snapshot, BlockMap map, long sizeBytes)
    {
        var grown = BlockMap.Empty(map.BlockSize, sizeBytes);
        var hash = new byte[BlockMap.HashSize];
        for (long block = 0; block < map.BlockCount; block++)
        {
            if (map.BlockLength(block) == grown.BlockLength(block))
            {
                map.CopyHash(block, hash);
                grown.Set(block, hash);
            }
            else if (!map.IsZero(block))
            {
                var bytes = new byte[grown.BlockLength(block)];
                _context.Drivers.Get(snapshot.PrimaryBackend.Driver).ReadCopy(snapshot.Replica, block * map.BlockSize, bytes, bytes.Length, ErrorIds.VolumeFileFault);
                BlockMap.Hash(bytes, hash);
                grown.Set(block, hash);
            }
        }

        return grown;
    }
}
