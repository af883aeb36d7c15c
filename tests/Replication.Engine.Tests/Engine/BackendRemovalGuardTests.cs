using System;
using Replication.Engine.Errors;
using Replication.Engine.State;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>
/// Remove-StorageBackend of a backend that holds no volume's copy is still refused while a move to or from it is
/// unfinished (its copies would be orphaned and the move could not be settled), and while it keeps a volume snapshot.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class BackendRemovalGuardTests : IDisposable
{
    private readonly EngineSite site = new EngineSite().WithPairAndReplicatedType();

    public void Dispose() => site.Dispose();

    [Fact]
    public void ABackendAnUnfinishedMoveNames_IsNotRemoved_UntilRepairSettlesIt()
    {
        site.AddPairedBackends("dc3", "dc4");
        site.CreateVolume("db01", 2 * MiB);
        using (var session = site.Engine.Context.Store.Begin(write: true))
        {
            var volume = session.FindVolume("db01")!;
            session.UpdateVolume(volume with
            {
                PendingChange = new PendingChange
                {
                    Operation = PendingOperation.Migrate, FromBackend = "dc1", FromLocation = volume.Location, FromReplicaBackend = "dc2",
                    FromReplicaLocation = volume.Location, ToBackend = "dc3", ToReplicaBackend = "dc4", ToLocation = volume.Location,
                },
            });
            session.Commit();
        }

        var error = Refused(ErrorIds.BackendInUse, () => site.Engine.Backends.Remove("dc4"));

        Assert.StartsWith("Rule: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("'db01'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Repair-ReplicationState", error.Message, StringComparison.Ordinal);
        site.Engine.Repair.Run(removeOrphanFiles: false, _ => true, site.Quiet);
        site.Engine.Backends.Remove("dc4");
    }

    [Fact]
    public void ABackendThatKeepsASnapshot_IsNotRemoved_UntilTheSnapshotIs()
    {
        site.AddPlainType();
        site.CreateVolume("db01", 2 * MiB);
        site.Engine.Snapshots.Create("db01", "s1", null, site.Quiet);
        // Promoted to dc2, re-protected, then made plain: db01 holds nothing on dc1 any more, but s1 stays there.
        site.Promote("db01", planned: true);
        site.Enable("db01");
        site.Engine.Volumes.Retype("db01", PlainType, site.Quiet);

        var error = Refused(ErrorIds.BackendInUse, () => site.Engine.Backends.Remove("dc1"));

        Assert.Contains("'s1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Remove-VolumeSnapshot", error.Message, StringComparison.Ordinal);
        site.Engine.Snapshots.Remove("s1", site.Quiet);
        site.Engine.Backends.Remove("dc1");
    }
}
