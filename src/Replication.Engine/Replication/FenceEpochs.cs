using Replication.Drivers;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.State;

namespace Replication.Engine.Replication;

/// <summary>
/// Asserts a volume's fence epoch (<see cref="VolumeRecord.FenceEpoch"/>) to the storage of both its copies, where the
/// driver keeps it (<see cref="IFenceEpochs"/>): the primary's as the primary, the replica's (or fenced former primary's)
/// as not. Drivers without it are not asked.
/// </summary>
internal static class FenceEpochs
{
    /// <summary>
    /// Before a round writes: a site that knows a newer epoch than this state (another controller promoted since, or this
    /// state was restored from an old backup) refuses, and the round is not run. A site that cannot be reached is left to
    /// the round, which reports it.
    /// </summary>
    public static void AssertBeforeRound(EngineContext context, VolumeSnapshot snapshot)
    {
        foreach (var (copy, partner, primary) in Sides(snapshot))
        {
            try
            {
                Assert(context, snapshot.Volume, copy, partner, primary);
            }
            catch (StorageDriverException ex) when (ex.ErrorId == DriverErrorIds.StorageRefused)
            {
                throw DriverFaults.Map(ex, ErrorIds.ConcurrentChange, "Asserting the fence epoch of", context.Drivers.Get(copy.Backend.Driver).Describe(copy));
            }
            catch (StorageDriverException)
            {
            }
        }
    }

    /// <summary>
    /// After a promotion is recorded: hands the new epoch to both sites, or only to the new primary's when the old
    /// primary's could not be reached to be fenced (not waited for twice). One not told learns the epoch from its
    /// partner's storage before it lets its copy be written again.
    /// </summary>
    public static void HandOver(EngineContext context, VolumeSnapshot before, bool oldPrimaryReached, IOperationObserver observer)
    {
        // Read again only for drivers that keep epochs: a fleet of others promotes with no state read more.
        if (!KeepsEpochs(context, before.PrimaryBackend) && (before.ReplicaBackend is null || !KeepsEpochs(context, before.ReplicaBackend)))
        {
            return;
        }

        var volumeName = before.Volume.Name;
        var snapshot = VolumeSnapshot.Load(context.Store, volumeName);
        foreach (var (copy, partner, primary) in Sides(snapshot))
        {
            if (!primary && !oldPrimaryReached)
            {
                continue;
            }

            try
            {
                Assert(context, snapshot.Volume, copy, partner, primary);
            }
            catch (System.Exception ex) when (ex is StorageDriverException or ReplicationException)
            {
                observer.Decision($"'{volumeName}': fence epoch {snapshot.Volume.FenceEpoch} could not be handed to {copy} ({ex.Message}); its storage learns it from the other site before the copy is written again.");
            }
        }
    }

    /// <summary>The copy's stamp when its storage fenced it by a newer epoch with nothing written since (see <see cref="IFenceEpochs.CleanFenceStamp"/>); null when not known.</summary>
    public static string? CleanFenceStamp(EngineContext context, VolumeCopy copy)
    {
        if (context.Drivers.Get(copy.Backend.Driver).Contract is not IFenceEpochs epochs)
        {
            return null;
        }

        try
        {
            return epochs.CleanFenceStamp(EngineDriver.Config(copy.Backend), copy.Location);
        }
        catch (StorageDriverException)
        {
            return null;
        }
    }

    private static bool KeepsEpochs(EngineContext context, BackendRecord backend) => context.Drivers.Get(backend.Driver).Contract is IFenceEpochs;

    private static (VolumeCopy Copy, VolumeCopy Partner, bool Primary)[] Sides(VolumeSnapshot snapshot) =>
        snapshot.ReplicaBackend is null || snapshot.Volume.ReplicaLocation is null
            ? System.Array.Empty<(VolumeCopy, VolumeCopy, bool)>()
            : new[] { (snapshot.Primary, snapshot.Replica, true), (snapshot.Replica, snapshot.Primary, false) };

    private static void Assert(EngineContext context, VolumeRecord volume, VolumeCopy copy, VolumeCopy partner, bool primary)
    {
        if (context.Drivers.Get(copy.Backend.Driver).Contract is IFenceEpochs epochs)
        {
            epochs.AssertEpoch(new FenceEpochAssertion(EngineDriver.Config(copy.Backend), copy.Location, volume.FenceEpoch, primary, EngineDriver.Config(partner.Backend), partner.Location));
        }
    }
}
