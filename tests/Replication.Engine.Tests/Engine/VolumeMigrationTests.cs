using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.State;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>
/// Move-Volume and Set-Volume -VolumeType -Migrate on real files: the copies move to another pair (the replica to the
/// new backend's partner) with their bytes, no copy is left behind, the move is one event, and the moved volume promotes
/// with its data; refusals change nothing; a move a dead process left recorded is undone before its switch and finished
/// after it, by the next command or Repair-ReplicationState.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class VolumeMigrationTests : IDisposable
{
    private const string Vol = "db01";

    private readonly EngineSite site = new EngineSite().WithPairAndReplicatedType();

    public VolumeMigrationTests() => site.AddPlainType();

    public void Dispose() => site.Dispose();

    [Fact]
    public void AReplicatedVolume_MovesToAnotherPair_WithItsBytes_LeavesNoCopy_ThenPromotesWithTheData()
    {
        var data = WrittenAndSynced();
        var id = site.Record(Vol).Id;
        var generation = site.Record(Vol).SyncGeneration;
        site.AddPairedBackends("dc3", "dc4");

        var moved = site.Engine.Volumes.Migrate(Vol, "dc3", site.Quiet);

        Assert.Equal(("dc3", "dc4", "active"), (moved.Backend, moved.ReplicaBackend, moved.ReplicationStatus));
        Assert.Equal(data, ReadAt(site.PrimaryFile(Vol), MiB, data.Length));
        AssertSameBytes(site.PrimaryFile(Vol), site.ReplicaFile(Vol));
        Assert.False(File.Exists(site.VolumeFile("dc1", id)));
        Assert.False(File.Exists(site.VolumeFile("dc2", id)));
        var record = site.Record(Vol);
        Assert.Null(record.PendingChange);
        Assert.Equal(generation + 1, record.SyncGeneration);
        var moves = site.EventsOf(Vol).Where(e => e.Operation == "MigrateVolume").ToList();
        Assert.Equal(2, moves.Count);
        Assert.Contains(moves, e => e.Message.Contains("moved from 'dc1 (replica on 'dc2')' to 'dc3 (replica on 'dc4')'", StringComparison.Ordinal));

        // The replica's block map came with it: a write is an incremental round of one block, then a promotion serves it.
        var written = RandomBytes(Block, seed: 12);
        WriteAt(site.PrimaryFile(Vol), 0, written);
        var round = site.Sync(Vol);
        Assert.Equal((1L, "Incremental"), (round.BlocksWritten, round.Mode));
        site.Promote(Vol, planned: false);
        var served = site.Engine.Volumes.Connection(Vol);
        Assert.Equal("dc4", served.Backend);
        Assert.Equal(data, ReadAt(served.Path, MiB, data.Length));
        Assert.Equal(written, ReadAt(served.Path, 0, written.Length));
    }

    [Fact]
    public void APlainVolume_MovesToABackendWithoutPartner_AndStaysPlain()
    {
        site.CreateVolume(Vol, 2 * MiB, PlainType);
        var data = RandomBytes(2 * Block, seed: 3);
        WriteAt(site.PrimaryFile(Vol), 0, data);
        var id = site.Record(Vol).Id;
        site.AddBackend("solo");

        var moved = site.Engine.Volumes.Migrate(Vol, "solo", site.Quiet);

        Assert.Equal(("solo", null, "disabled"), (moved.Backend, moved.ReplicaBackend, moved.ReplicationStatus));
        Assert.Equal(data, ReadAt(site.PrimaryFile(Vol), 0, data.Length));
        Assert.False(File.Exists(site.VolumeFile("dc1", id)));
    }

    [Fact]
    public void SetVolumeMigrate_ToATypeOnlyAnotherPairMeets_MovesAReplicatedVolume_AndMakesAPlainOnesReplica()
    {
        var gold = new Dictionary<string, object?> { ["tier"] = "gold" };
        var data = WrittenAndSynced();
        site.CreateVolume("plain01", 2 * MiB, PlainType);
        var plainData = RandomBytes(Block, seed: 5);
        WriteAt(site.PrimaryFile("plain01"), Block, plainData);
        site.AddBackend("dc3", "dc4", gold);
        site.AddBackend("dc4", "dc3", gold);
        site.AddReplicatedType("gold", new Dictionary<string, string> { ["capabilities:tier"] = "gold" });

        var unmet = Refused(ErrorIds.VolumeTypeSpecsNotMet, () => site.Engine.Volumes.Retype(Vol, "gold", site.Quiet));
        var moved = site.Engine.Volumes.Retype(Vol, "gold", site.Quiet, migrate: true);
        var made = site.Engine.Volumes.Retype("plain01", "gold", site.Quiet, migrate: true);

        Assert.Contains("-Migrate", unmet.Message, StringComparison.Ordinal);
        Assert.Equal(("gold", "dc3", "dc4", "active"), (moved.VolumeType, moved.Backend, moved.ReplicaBackend, moved.ReplicationStatus));
        Assert.Equal(data, ReadAt(site.ReplicaFile(Vol), MiB, data.Length));
        Assert.Equal(("gold", "dc3", "dc4", "active"), (made.VolumeType, made.Backend, made.ReplicaBackend, made.ReplicationStatus));
        Assert.Equal(plainData, ReadAt(site.ReplicaFile("plain01"), Block, plainData.Length));
        Assert.Equal(new[] { "dc1", "dc2", "dc3", "dc4" }.Select(b => (b, b is "dc3" or "dc4" ? 2 : 0)), new[] { "dc1", "dc2", "dc3", "dc4" }.Select(b => (b, VolumeFiles(b))));
    }

    [Fact]
    public void ABackendInUse_NamesMoveVolume_AndIsEmptiedByMovingEveryVolumeWithACopyOnIt()
    {
        var data = WrittenAndSynced();
        site.CreateVolume("web01", 2 * MiB);
        site.Promote("web01", planned: true);
        site.AddPairedBackends("dc3", "dc4");

        var inUse = Refused(ErrorIds.BackendInUse, () => site.Engine.Backends.Remove("dc1"));
        foreach (var volume in site.Engine.Volumes.List(new VolumeQuery { Backend = "dc1" }))
        {
            if (volume.ReplicationStatus == "inactive")
            {
                site.Enable(volume.Name);
            }

            site.Engine.Volumes.Migrate(volume.Name, "dc3", site.Quiet);
        }

        Assert.Contains("Move-Volume -Backend", inUse.Message, StringComparison.Ordinal);
        Assert.Empty(site.Engine.Volumes.List(new VolumeQuery { Backend = "dc1" }));
        site.Engine.Backends.Remove("dc1");
        site.Engine.Backends.Remove("dc2");
        Assert.Equal(new[] { "dc3" }, site.Engine.Volumes.List(VolumeQuery.All).Select(v => v.Backend).Distinct());
        Assert.Equal(data, ReadAt(site.PrimaryFile(Vol), MiB, data.Length));
        Assert.Equal((0, 0), (Directory.GetFiles(site.FolderOf("dc1"), "volume-*").Length, Directory.GetFiles(site.FolderOf("dc2"), "volume-*").Length));
    }

    [Fact]
    public void AMoveThatWouldHurtAReplica_OrCannotLand_IsRefused_NamingTheRule_AndChangesNothing()
    {
        WrittenAndSynced();
        site.CreateVolume("member01", 2 * MiB);
        site.Engine.Groups.Add("app", null, new[] { "member01" });
        site.AddBackend("solo");
        site.AddPairedBackends("dc3", "dc4");
        site.Engine.Backends.Freeze("dc4");
        var rows = site.SnapshotDatabase();
        var files = site.SnapshotFolders();

        var ontoReplica = Refused(ErrorIds.MigrateNotAllowed, () => site.Engine.Volumes.Migrate(Vol, "dc2", site.Quiet));
        var noPartner = Refused(ErrorIds.VolumeTypeSpecsNotMet, () => site.Engine.Volumes.Migrate(Vol, "solo", site.Quiet));
        var member = Refused(ErrorIds.GroupMemberOperation, () => site.Engine.Volumes.Migrate("member01", "dc3", site.Quiet));
        var frozen = Refused(ErrorIds.BackendFrozen, () => site.Engine.Volumes.Migrate(Vol, "dc3", site.Quiet));
        Refused(ErrorIds.BackendNotFound, () => site.Engine.Volumes.Migrate(Vol, "nowhere", site.Quiet));

        Assert.Contains("Invoke-ReplicaPromotion -Planned", ontoReplica.Message, StringComparison.Ordinal);
        Assert.Contains("capabilities:replication", noPartner.Message, StringComparison.Ordinal);
        Assert.Contains("Remove-ReplicationGroupMember -Group 'app'", member.Message, StringComparison.Ordinal);
        Assert.Contains("'dc4'", frozen.Message, StringComparison.Ordinal);
        Assert.Equal(rows, site.SnapshotDatabase());
        Assert.Equal(files, site.SnapshotFolders());
    }

    [Fact]
    public void WhileTheReplicaIsCopying_AMoveIsRefused_NamingTheCommandThatFinishesIt()
    {
        site.CreateVolume(Vol, 2 * MiB, PlainType);
        site.AddPairedBackends("dc3", "dc4");
        using (var session = site.Engine.Context.Store.Begin(write: true))
        {
            var volume = session.FindVolume(Vol)!;
            session.UpdateVolume(volume with { ReplicationStatus = Model.ReplicationStatus.Copying, ReplicaBackend = "dc2", ReplicaLocation = volume.Location });
            session.Commit();
        }

        var copying = Refused(ErrorIds.MigrateNotAllowed, () => site.Engine.Volumes.Migrate(Vol, "dc3", site.Quiet));

        Assert.Contains("Sync-VolumeReplica finishes the copy", copying.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMoveKilledBeforeItsSwitch_IsUndoneByTheNextSync_TheVolumeStaysWithItsData()
    {
        var data = WrittenAndSynced();
        site.AddPairedBackends("dc3", "dc4");
        var record = site.Record(Vol);
        // What a process killed after copying left: the move recorded as pending, whole copies on dc3 and dc4.
        MarkPending(record, record);
        File.Copy(site.PrimaryFile(Vol), site.VolumeFile("dc3", record.Id));
        File.Copy(site.ReplicaFile(Vol), site.VolumeFile("dc4", record.Id));

        site.Sync(Vol);

        Assert.Equal(("dc1", "dc2"), (site.Record(Vol).Backend, site.Record(Vol).ReplicaBackend));
        Assert.Null(site.Record(Vol).PendingChange);
        Assert.False(File.Exists(site.VolumeFile("dc3", record.Id)));
        Assert.False(File.Exists(site.VolumeFile("dc4", record.Id)));
        Assert.Equal(data, ReadAt(site.PrimaryFile(Vol), MiB, data.Length));
        Assert.Contains(site.EventsOf(Vol), e => e.Operation == "MigrateVolumeUndone");
    }

    [Fact]
    public void AMoveKilledAfterItsSwitch_IsFinishedByRepair_TheOldCopiesAreRemoved()
    {
        var data = WrittenAndSynced();
        site.AddPairedBackends("dc3", "dc4");
        var before = site.Record(Vol);
        File.Copy(site.PrimaryFile(Vol), site.VolumeFile("dc3", before.Id));
        File.Copy(site.ReplicaFile(Vol), site.VolumeFile("dc4", before.Id));
        // What a process killed after recording the switch left: the volume on dc3/dc4, the move still pending, old copies there.
        MarkPending(before, before with { Backend = "dc3", ReplicaBackend = "dc4" });

        var findings = site.Engine.Repair.Run(removeOrphanFiles: false, _ => true, site.Quiet);

        Assert.Contains(findings, f => f.Kind == "InterruptedMigration" && f.Applied);
        Assert.Null(site.Record(Vol).PendingChange);
        Assert.False(File.Exists(site.VolumeFile("dc1", before.Id)));
        Assert.False(File.Exists(site.VolumeFile("dc2", before.Id)));
        Assert.Equal(data, ReadAt(site.PrimaryFile(Vol), MiB, data.Length));
        Assert.Contains(site.EventsOf(Vol), e => e.Operation == "MigrateVolumeFinished");
        Assert.Empty(site.Engine.Repair.Run(removeOrphanFiles: false, _ => true, site.Quiet));
    }

    private byte[] WrittenAndSynced()
    {
        site.CreateVolume(Vol, 4 * MiB);
        var data = RandomBytes(3 * Block, seed: 11);
        WriteAt(site.PrimaryFile(Vol), MiB, data);
        site.Sync(Vol);
        return data;
    }

    /// <summary>Records a move of <paramref name="seen"/> from dc1/dc2 to dc3/dc4 as pending, on the row <paramref name="updated"/>.</summary>
    private void MarkPending(VolumeRecord seen, VolumeRecord updated)
    {
        using var session = site.Engine.Context.Store.Begin(write: true);
        session.UpdateVolume(updated with
        {
            PendingChange = new PendingChange
            {
                Operation = PendingOperation.Migrate,
                FromBackend = "dc1",
                FromLocation = seen.Location,
                FromReplicaBackend = "dc2",
                FromReplicaLocation = seen.ReplicaLocation,
                ToBackend = "dc3",
                ToReplicaBackend = "dc4",
                ToLocation = seen.Location,
                ToVolumeType = seen.VolumeType,
            },
        });
        session.Commit();
    }

    private int VolumeFiles(string backend) => Directory.GetFiles(site.FolderOf(backend), "volume-*.img").Length;
}
