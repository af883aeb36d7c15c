using System;
using System.IO;
using System.Linq;
using Replication.Drivers;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Replication;
using Replication.Engine.State;

namespace Replication.Engine.RecoveryPoints;

/// <summary>The undo logs of a volume's points, beside its replica: removed once no point needs them, and opened to read a point.</summary>
internal static class RecoveryPointFiles
{
    /// <summary>
    /// Removes the undo logs older than the volume's oldest point, after the points were pruned in state (state first,
    /// so a crash between leaves only logs no point names, which the next round's sweep removes). A fault is left to that
    /// sweep too: it costs only space.
    /// </summary>
    public static void Sweep(EngineContext context, VolumeSnapshot snapshot)
    {
        if (snapshot.ReplicaBackend is null || snapshot.Volume.ReplicaLocation is null)
        {
            return;
        }

        long? oldest;
        using (var read = context.Store.Begin(write: false))
        {
            oldest = read.ListRecoveryPoints(snapshot.Volume.Id).Select(p => (long?)p.Round).Min();
        }

        try
        {
            PointStore.Sweep(Store(context, snapshot), snapshot.Volume.Id, oldest);
        }
        catch (Exception ex) when (ex is StorageDriverException or IOException or UnauthorizedAccessException or ReplicationException)
        {
        }
    }

    /// <summary>
    /// <see cref="Sweep"/> after a round of the volume's own, skipped when the round captured no undo log and the volume
    /// holds no point: then it has no log a sweep could remove (a promotion's or a broken chain's leftovers aside, which
    /// wait for the volume's removal), and listing the sidecars is a pass over the backend's whole folder, too much to
    /// make for every volume of a fleet. An unchanged round is not even asked about: the logs of points its record
    /// pruned by age wait for the next round that changes data, which a fleet's unchanged pipeline does not pay for.
    /// </summary>
    public static void SweepAfterRound(EngineContext context, VolumeSnapshot snapshot, ReplicaSyncOutcome outcome)
    {
        if (outcome.Mode == Model.SyncMode.Unchanged)
        {
            return;
        }

        if (outcome.UndoBytes is null)
        {
            using var read = context.Store.Begin(write: false);
            if (read.ListRecoveryPoints(snapshot.Volume.Id).Count == 0)
            {
                return;
            }
        }

        Sweep(context, snapshot);
    }

    /// <summary>The sidecars of the volume's replica backend, where its undo logs are.</summary>
    public static ISidecarStore Store(EngineContext context, VolumeSnapshot snapshot) =>
        context.Drivers.Get(snapshot.ReplicaBackend!.Driver).Contract.Sidecars(EngineDriver.Config(snapshot.ReplicaBackend));

    /// <summary>Opens the point of <paramref name="round"/> as a read-only device over the volume's replica and its undo logs; RecoveryPointUnreadable when a log it needs is missing or damaged.</summary>
    public static PointDevice Open(EngineContext context, VolumeSnapshot snapshot, long round)
    {
        var volume = snapshot.Volume;
        var driver = context.Drivers.Get(snapshot.ReplicaBackend?.Driver ?? snapshot.PrimaryBackend.Driver);
        var name = driver.Describe(snapshot.Replica);
        var current = DriverFaults.Run(() => driver.Contract.Open(EngineDriver.Config(snapshot.Replica.Backend), snapshot.Replica.Location, DeviceAccess.Read),
            ErrorIds.RecoveryPointUnreadable, "Opening the replica", name, readSide: true);
        try
        {
            return PointStore.Open(Store(context, snapshot), volume.Id, round, volume.SyncGeneration, current, BlockMap.DefaultBlockSize);
        }
        catch (InvalidDataException ex)
        {
            throw NotReadable(volume, round, ex.Message);
        }
        catch (StorageDriverException ex)
        {
            throw DriverFaults.Map(ex, ErrorIds.RecoveryPointUnreadable, "Reading the undo logs of", name, readSide: true);
        }
    }

    public static ReplicationException NotReadable(VolumeRecord volume, long round, string why) =>
        new(ErrorIds.RecoveryPointUnreadable, ErrorKind.ReadError, $"The recovery point of round {round} of '{volume.Name}' cannot be read: {why}", volume.Name);
}
