using Replication.Engine.Diagnostics;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.Rules;
using Replication.Engine.State;

namespace Replication.Engine.Volumes;

/// <summary>
/// Grows a volume's copies: the grow is recorded on the volume as its pending change (the size asked) before any file
/// is touched, then the replica grows, then the primary, then the size, the grown block map and the end of the pending
/// change in one transaction, so a promotion never finds a replica smaller than its primary. New bytes read as zeros on
/// both copies (the driver contract's ResizeCopy), so the block map learns the new blocks as zero blocks without reading
/// them; only a last block that was partial before is read again, on the replica. A process killed in between leaves the
/// pending grow, which <see cref="FinishInterrupted"/> finishes from what was asked: the copies not grown yet grow (the
/// replica first), and the size is recorded. Copies are never judged by their lengths alone.
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
        }

        using (var session = _context.Store.Begin(write: true))
        {
            var current = VolumeSnapshot.Reread(session, volume);
            ReplicationStateMachine.Update(session, current, current with { PendingChange = new PendingChange { Operation = PendingOperation.Extend, SizeBytes = sizeBytes } });
            session.Commit();
        }

        CrashPoints.Hit("extend.after-mark");
        return GrowCopies(snapshot, sizeBytes, observer, $"Volume '{volume.Name}' grew from {Humane.Bytes(volume.SizeBytes)} to {Humane.Bytes(sizeBytes)}" + (HasReplica(snapshot) ? ", its replica first." : "."));
    }

    /// <summary>
    /// Finishes a change of the copies a dead process left recorded (the caller holds the lease): a move first, then a
    /// grow, to the size that was asked. Returns the volume as it is then.
    /// </summary>
    public VolumeSnapshot FinishInterrupted(VolumeSnapshot snapshot, IOperationObserver observer)
    {
        snapshot = new VolumeMigration(_context, new Catalog.BackendCatalog(_context)).FinishInterrupted(snapshot, observer);
        if (snapshot.Volume.PendingChange is not { Operation: PendingOperation.Extend, SizeBytes: { } asked })
        {
            return snapshot;
        }

        var volume = snapshot.Volume;
        GrowCopies(snapshot, asked, observer, $"An interrupted grow of '{volume.Name}' from {Humane.Bytes(volume.SizeBytes)} to {Humane.Bytes(asked)} was finished, as it was asked" + (HasReplica(snapshot) ? ": the copies that had not grown yet grew, the replica first." : "."));
        observer.Decision($"'{volume.Name}': a grow to {Humane.Bytes(asked)} whose process stopped was finished.");
        return VolumeSnapshot.Load(_context.Store, volume.Name);
    }

    /// <summary>Grows each copy still shorter than <paramref name="sizeBytes"/> (the replica first), then records the size and ends the pending grow.</summary>
    private Volume GrowCopies(VolumeSnapshot snapshot, long sizeBytes, IOperationObserver observer, string message)
    {
        var volume = snapshot.Volume;
        var driver = _context.Drivers.Get(snapshot.PrimaryBackend.Driver);
        if (HasReplica(snapshot) && driver.CopyLength(snapshot.Replica) < sizeBytes)
        {
            driver.ResizeVolume(snapshot.Replica, sizeBytes);
            observer.Decision($"Grew the replica of '{volume.Name}' on '{snapshot.ReplicaBackend!.Name}' to {Humane.Bytes(sizeBytes)} first, so it is never smaller than its primary.");
            CrashPoints.Hit("extend.after-replica");
        }

        if (driver.CopyLength(snapshot.Primary) < sizeBytes)
        {
            // The dirty bitmap covers the old size; without it rounds read the volume until the next export makes one.
            driver.Sidecar(snapshot.Primary, "dirty").Delete();
            driver.ResizeVolume(snapshot.Primary, sizeBytes);
            CrashPoints.Hit("extend.after-primary");
        }

        return Record(snapshot, sizeBytes, message);
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
        var updated = current with { SizeBytes = sizeBytes, PendingChange = null };
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
