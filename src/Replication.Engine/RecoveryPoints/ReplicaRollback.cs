using System;
using System.Collections.Generic;
using System.Linq;
using Replication.Drivers;
using Replication.Engine.Diagnostics;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.State;

namespace Replication.Engine.RecoveryPoints;

/// <summary>
/// Takes a volume's replica back to one of its recovery points, in place: the intent is recorded first, then the point's
/// old blocks are written back over the replica (idempotent: a rollback cut short is run again from its intent by the
/// next command, before anything else touches the replica), then the volume is recorded at the point's round, with its
/// block hashes, in one transaction that drops the newer points and the intent. Their undo logs go after.
/// </summary>
internal sealed class ReplicaRollback
{
    private readonly EngineContext _context;

    public ReplicaRollback(EngineContext context) => _context = context;

    /// <summary>Rolls the replica back to point <paramref name="round"/>; returns the volume as recorded after.</summary>
    public VolumeRecord Run(VolumeSnapshot snapshot, long round, IOperationObserver observer) => RunTogether(new[] { (snapshot, round) }, observer)[0];

    /// <summary>
    /// Rolls several replicas back (a group's members, each to its point of one group round): every intent is recorded in
    /// one transaction before any block is written, so a crash leaves each member to be finished by the next command,
    /// never some members rolled back and others not meant to be. Returns the volumes as recorded after, in order.
    /// </summary>
    public IReadOnlyList<VolumeRecord> RunTogether(IReadOnlyList<(VolumeSnapshot Snapshot, long Round)> rollbacks, IOperationObserver observer)
    {
        var recorded = new VolumeRecord[rollbacks.Count];
        var pending = new List<int>();
        using (var session = _context.Store.Begin(write: true))
        {
            for (var i = 0; i < rollbacks.Count; i++)
            {
                var (snapshot, round) = rollbacks[i];
                var current = VolumeSnapshot.Reread(session, snapshot.Volume);
                recorded[i] = current;
                if (!session.ListRecoveryPoints(current.Id).Any(p => p.Round == round))
                {
                    throw new ReplicationException(ErrorIds.RecoveryPointNotFound, ErrorKind.ObjectNotFound,
                        $"Volume '{current.Name}' has no recovery point of round {round}. Get-VolumeRecoveryPoint lists its points.", current.Name);
                }

                if (round == current.SyncGeneration)
                {
                    continue;
                }

                // Readable before anything is changed: a point whose logs are gone is refused with every replica untouched.
                RecoveryPointFiles.Open(_context, snapshot, round).Dispose();
                session.PutRecoveryRollback(current.Id, round, _context.Now);
                pending.Add(i);
            }

            session.Commit();
        }

        CrashPoints.Hit("rollback.after-intent");
        foreach (var i in pending)
        {
            var (snapshot, round) = rollbacks[i];
            observer.Decision($"'{snapshot.Volume.Name}': rolling the replica back from round {snapshot.Volume.SyncGeneration} to recovery point {round}; the intent is recorded, so a crash is finished by the next command.");
            recorded[i] = Finish(snapshot, round, observer);
        }

        return recorded;
    }

    /// <summary>Finishes a rollback a dead process left (its intent recorded); returns the volume as recorded now.</summary>
    public VolumeSnapshot FinishInterrupted(VolumeSnapshot snapshot, IOperationObserver observer)
    {
        long? round;
        using (var read = _context.Store.Begin(write: false))
        {
            round = read.FindRecoveryRollback(snapshot.Volume.Id);
        }

        if (round is null)
        {
            return snapshot;
        }

        observer.Decision($"'{snapshot.Volume.Name}': a rollback of its replica to recovery point {round} was cut short; it is finished first.");
        Finish(snapshot, round.Value, observer);
        return VolumeSnapshot.Load(_context.Store, snapshot.Volume.Name);
    }

    private VolumeRecord Finish(VolumeSnapshot snapshot, long round, IOperationObserver observer)
    {
        var volume = snapshot.Volume;
        BlockMap current;
        RecoveryPointRecord point;
        using (var read = _context.Store.Begin(write: false))
        {
            current = read.LoadBlockMap(volume.Id) ?? throw RecoveryPointFiles.NotReadable(volume, round, "the replica has no recorded block map.");
            point = read.ListRecoveryPoints(volume.Id).Single(p => p.Round == round);
        }

        var driver = _context.Drivers.Get(snapshot.ReplicaBackend!.Driver);
        var name = driver.Describe(snapshot.Replica);
        BlockMap atPoint;
        using (var device = RecoveryPointFiles.Open(_context, snapshot, round))
        {
            atPoint = device.MapAtPoint(current);
            using var replica = DriverFaults.Run(() => driver.Contract.Open(EngineDriver.Config(snapshot.Replica.Backend), snapshot.Replica.Location, DeviceAccess.ReadWrite),
                ErrorIds.ReplicaUnwritable, "Rolling back the replica", name);
            DriverFaults.Run(() => device.WriteBack(replica), ErrorIds.ReplicaUnwritable, "Rolling back the replica", name);
            observer.Decision($"'{volume.Name}': {device.BlocksFromLogs} blocks of the replica were written back from the undo logs of rounds {round} to {volume.SyncGeneration - 1}.");
        }

        VolumeRecord rolled;
        using (var session = _context.Store.Begin(write: true))
        {
            var seen = VolumeSnapshot.Reread(session, volume);
            rolled = seen with
            {
                SyncGeneration = round,
                LastSyncStartedAt = point.DataTimestamp,
                LastSyncRaced = point.Raced,
                GroupRound = point.GroupRound ?? seen.GroupRound,
                ReplicationDriverData = null,
                ReplicationExtendedStatus = $"Replica rolled back at {_context.Now:u} from round {seen.SyncGeneration} to recovery point {round}: {SyncRound.ReplicaHolds(point.DataTimestamp, point.Raced)}; the newer points were dropped.",
            };
            session.SaveBlockMap(volume.Id, atPoint);
            foreach (var newer in session.ListRecoveryPoints(volume.Id).Where(p => p.Round > round))
            {
                session.DeleteRecoveryPoint(volume.Id, newer.Round);
            }

            session.PutRecoveryPoint(point with { BytesHeld = 0 });
            session.DeleteRecoveryRollback(volume.Id);
            Rules.ReplicationStateMachine.Update(session, seen, rolled);
            session.AppendEvent(_context.Event("RollBackReplica", "Volume", volume.Name, rolled.ReplicationExtendedStatus, volume.Id, seen.ReplicationStatus, rolled.ReplicationStatus));
            session.Commit();
        }

        CrashPoints.Hit("rollback.after-record");
        try
        {
            PointStore.DeleteFrom(RecoveryPointFiles.Store(_context, snapshot), volume.Id, round);
        }
        catch (Exception ex) when (ex is StorageDriverException or System.IO.IOException)
        {
            // Logs of rounds that no longer exist are never read (their change's identity does not match a new round's).
        }

        return rolled;
    }
}
