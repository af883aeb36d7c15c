using System;
using System.IO;
using System.Linq;
using Replication.Drivers;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.State;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Snapshots;

/// <summary>
/// Volume snapshots on real files: a snapshot keeps the primary's bytes as they were (SHA-256 before and after the volume
/// changes), costs its allocated data (Method Copy on a file system without reflinks), is owner-only, and a volume made
/// from it in a replicated type replicates and promotes with those bytes. A volume with snapshots is removed only with
/// them (-Force); a move is refused while it has any; a file state does not record is removed by the next command.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class VolumeSnapshotTests : IDisposable
{
    private readonly EngineSite site = new EngineSite().WithPairAndReplicatedType();

    public void Dispose() => site.Dispose();

    private string SnapshotFolder(string backend) => Path.Combine(site.FolderOf(backend), ".replication", "snapshots");

    private string SnapshotFile(string name)
    {
        using var session = site.Engine.Context.Store.Begin(write: false);
        var record = session.FindSnapshot(name)!;
        return Path.Combine(SnapshotFolder(record.Backend), record.Location);
    }

    [Fact]
    public void ASnapshot_KeepsTheBytesOfItsMoment_WhileTheVolumeChanges()
    {
        site.CreateVolume("db01", 4 * MiB);
        WriteAt(site.PrimaryFile("db01"), 0, RandomBytes(2 * Block, seed: 1));
        WriteAt(site.PrimaryFile("db01"), 3 * MiB, RandomBytes(Block, seed: 2));
        var atSnapshot = Sha256(site.PrimaryFile("db01"));

        var snapshot = site.Engine.Snapshots.Create("db01", "db01-before", "before the upgrade", site.Quiet);
        WriteAt(site.PrimaryFile("db01"), 0, RandomBytes(Block, seed: 3));
        site.Sync("db01");

        Assert.NotEqual(atSnapshot, Sha256(site.PrimaryFile("db01")));
        Assert.Equal(atSnapshot, Sha256(SnapshotFile("db01-before")));
        Assert.Equal(("db01-before", "db01", "dc1", "Copy", 4 * MiB, "before the upgrade"),
            (snapshot.Name, snapshot.VolumeName, snapshot.Backend, snapshot.Method, snapshot.SizeBytes, snapshot.Description));
        // Holes stay holes: it holds the three blocks written, not the 4 MiB.
        Assert.InRange(snapshot.BytesHeld, 3 * Block, 3 * Block + (64 * 1024));
        Assert.Equal("CreateSnapshot", site.EventsOf("db01-before").Single().Operation);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SnapshotFile("db01-before")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(SnapshotFolder("dc1")));
        }

        Assert.Equal(new[] { "db01-before" }, site.Engine.Snapshots.List("db01").Select(s => s.Name));
        Assert.Equal("db01", site.Engine.Snapshots.Get("DB01-BEFORE").VolumeName);
    }

    [Fact]
    public void ASnapshot_OpensReadOnly_WithTheVolumesBytes_AndAFailedCopyLeavesNothing()
    {
        site.CreateVolume("db01", 2 * MiB);
        WriteAt(site.PrimaryFile("db01"), Block, RandomBytes(Block, seed: 10));
        site.Engine.Snapshots.Create("db01", "s1", null, site.Quiet);
        var keeper = (IKeptSnapshots)site.Engine.Context.Drivers.Get("LocalFile").Contract;
        var dc1 = EngineDriver.Config(site.BackendRecord("dc1"));
        using (var session = site.Engine.Context.Store.Begin(write: false))
        using (var device = keeper.OpenKeptSnapshot(dc1, session.FindSnapshot("s1")!.Location))
        {
            var bytes = new byte[Block];
            device.Read(Block, bytes, 0, Block);
            Assert.Equal(RandomBytes(Block, seed: 10), bytes);
            Assert.ThrowsAny<Exception>(() => device.Write(0, bytes, 0, Block));
        }

        // A copy of a volume file that is not there fails and leaves no snapshot file behind.
        var missing = $"volume-{Guid.NewGuid():D}.img";
        Assert.ThrowsAny<Exception>(() => keeper.CreateKeptSnapshot(dc1, missing, Guid.NewGuid()));
        Assert.Empty(keeper.ListKeptSnapshots(dc1, missing));
        Assert.Equal(ReadAt(site.PrimaryFile("db01"), Block, Block), ReadAt(SnapshotFile("s1"), Block, Block));
    }

    [Fact]
    public void AVolumeFromASnapshot_InAReplicatedType_ReplicatesAndPromotesWithTheSnapshotsBytes()
    {
        site.CreateVolume("db01", 4 * MiB);
        WriteAt(site.PrimaryFile("db01"), Block, RandomBytes(2 * Block, seed: 4));
        var atSnapshot = ReadAll(site.PrimaryFile("db01"));
        site.Engine.Snapshots.Create("db01", "s1", null, site.Quiet);
        WriteAt(site.PrimaryFile("db01"), Block, RandomBytes(Block, seed: 5));

        var restored = site.Engine.Volumes.CreateFromSnapshot("db01-restored", "s1", site.Quiet);

        Assert.Equal(("dc1", "dc2", "active", 4 * MiB), (restored.Backend, restored.ReplicaBackend, restored.ReplicationStatus, restored.SizeBytes));
        Assert.Equal(atSnapshot, ReadAll(site.PrimaryFile("db01-restored")));
        AssertSameBytes(site.PrimaryFile("db01-restored"), site.ReplicaFile("db01-restored"));
        var written = RandomBytes(Block, seed: 6);
        WriteAt(site.PrimaryFile("db01-restored"), 3 * MiB, written);
        Assert.Equal(Block, site.Sync("db01-restored").BytesWritten);
        site.Promote("db01-restored", planned: false);

        var served = site.Engine.Volumes.Connection("db01-restored").Path;
        Assert.StartsWith(site.FolderOf("dc2"), served, StringComparison.Ordinal);
        Assert.Equal(atSnapshot.AsSpan(0, 3 * (int)MiB).ToArray(), ReadAt(served, 0, 3 * (int)MiB));
        Assert.Equal(written, ReadAt(served, 3 * MiB, Block));
    }

    [Fact]
    public void RemovingAVolumeWithSnapshots_IsRefusedNamingTheWayOn_AndWithThemRemovesTheirFiles()
    {
        site.CreateVolume("db01", 2 * MiB);
        site.Engine.Snapshots.Create("db01", "s1", null, site.Quiet);
        site.Engine.Snapshots.Create("db01", "s2", null, site.Quiet);
        var files = new[] { SnapshotFile("s1"), SnapshotFile("s2") };
        var rows = site.SnapshotDatabase();
        var folders = site.SnapshotFolders();

        var error = Refused(ErrorIds.VolumeHasSnapshots, () => site.Engine.Volumes.Delete("db01", site.Quiet));

        Assert.StartsWith("Rule: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("'s1', 's2'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Remove-VolumeSnapshot", error.Message, StringComparison.Ordinal);
        Assert.Contains("Remove-Volume 'db01' -Force", error.Message, StringComparison.Ordinal);
        Assert.Equal(rows, site.SnapshotDatabase());
        Assert.Equal(folders, site.SnapshotFolders());

        site.Engine.Volumes.Delete("db01", site.Quiet, withSnapshots: true);

        Assert.All(files, file => Assert.False(File.Exists(file)));
        Assert.Empty(site.Engine.Snapshots.List(null));
        Assert.Equal("DeleteSnapshot", site.EventsOf("s1", newest: 1).Single().Operation);
        Assert.Empty(ListFolder(SnapshotFolder("dc1")));
    }

    [Fact]
    public void RemovingASnapshot_RemovesItsRowAndFile_AndTheVolumeThenGoesWithoutForce()
    {
        site.CreateVolume("db01", 2 * MiB);
        site.Engine.Snapshots.Create("db01", "s1", null, site.Quiet);
        var file = SnapshotFile("s1");

        site.Engine.Snapshots.Remove("s1", site.Quiet);

        Assert.False(File.Exists(file));
        Refused(ErrorIds.SnapshotNotFound, () => site.Engine.Snapshots.Get("s1"));
        Refused(ErrorIds.SnapshotNotFound, () => site.Engine.Snapshots.Remove("s1", site.Quiet));
        Assert.Equal("DeleteSnapshot", site.EventsOf("s1", newest: 1).Single().Operation);
        site.Engine.Volumes.Delete("db01", site.Quiet);
        Assert.Empty(site.Engine.Volumes.List(VolumeQuery.All));
    }

    [Fact]
    public void ATakenName_AnUnknownVolume_OrABadName_IsRefused_AndMakesNothing()
    {
        site.CreateVolume("db01", 2 * MiB);
        site.Engine.Snapshots.Create("db01", "s1", null, site.Quiet);
        var rows = site.SnapshotDatabase("events");
        var folders = site.SnapshotFolders();

        Refused(ErrorIds.SnapshotExists, () => site.Engine.Snapshots.Create("db01", "S1", null, site.Quiet));
        Refused(ErrorIds.VolumeNotFound, () => site.Engine.Snapshots.Create("nope", "s2", null, site.Quiet));
        Refused(ErrorIds.InvalidName, () => site.Engine.Snapshots.Create("db01", "../s2", null, site.Quiet));
        Refused(ErrorIds.SnapshotNotFound, () => site.Engine.Volumes.CreateFromSnapshot("db02", "nope", site.Quiet));

        Assert.Equal(rows, site.SnapshotDatabase("events"));
        Assert.Equal(folders, site.SnapshotFolders());
    }

    [Fact]
    public void ASnapshotFileStateDoesNotRecord_IsRemovedByTheNextSnapshotCommand()
    {
        site.CreateVolume("db01", 2 * MiB);
        site.Engine.Snapshots.Create("db01", "kept", null, site.Quiet);
        var volumeId = site.Record("db01").Id;
        // What a process killed between the rename and the commit leaves: a whole snapshot that no row names, and one part way.
        var leftover = Path.Combine(SnapshotFolder("dc1"), $"snapshot-{volumeId:D}-{Guid.NewGuid():D}.img");
        var partial = Path.Combine(SnapshotFolder("dc1"), $"snapshot-{volumeId:D}-{Guid.NewGuid():D}.img.partial");
        File.WriteAllBytes(leftover, RandomBytes(Block, seed: 7));
        File.WriteAllBytes(partial, RandomBytes(Block, seed: 8));

        site.Engine.Snapshots.Create("db01", "next", null, site.Quiet);

        Assert.False(File.Exists(leftover));
        Assert.False(File.Exists(partial));
        Assert.True(File.Exists(SnapshotFile("kept")));
        Assert.Equal(2, ListFolder(SnapshotFolder("dc1")).Count);
    }

    [Fact]
    public void ASnapshotFileStateDoesNotRecord_IsFoundAndRemovedByRepair_AndARecordedOneIsNot()
    {
        site.CreateVolume("db01", 2 * MiB);
        site.Engine.Snapshots.Create("db01", "kept", null, site.Quiet);
        var leftover = Path.Combine(SnapshotFolder("dc1"), $"snapshot-{site.Record("db01").Id:D}-{Guid.NewGuid():D}.img");
        File.WriteAllBytes(leftover, RandomBytes(Block, seed: 9));

        var declined = site.Engine.Repair.Run(removeOrphanFiles: false, _ => false, site.Quiet);
        Assert.True(File.Exists(leftover));
        var findings = site.Engine.Repair.Run(removeOrphanFiles: false, _ => true, site.Quiet);

        Assert.Contains(declined, f => f.Kind == "SnapshotLeftover" && !f.Applied && f.Action.Contains(Path.GetFileName(leftover), StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Kind == "SnapshotLeftover" && f.Applied);
        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(SnapshotFile("kept")));
        Assert.DoesNotContain(site.Engine.Repair.Run(removeOrphanFiles: false, _ => true, site.Quiet), f => f.Kind == "SnapshotLeftover");
    }

    [Fact]
    public void AMove_IsRefusedWhileTheVolumeHasSnapshots_AndASnapshotWhileAMoveIsUnfinished()
    {
        site.AddPairedBackends("dc3", "dc4");
        site.CreateVolume("db01", 2 * MiB);
        site.Engine.Snapshots.Create("db01", "s1", null, site.Quiet);

        var move = Refused(ErrorIds.VolumeHasSnapshots, () => site.Engine.Volumes.Migrate("db01", "dc3", site.Quiet));
        Assert.Contains("Remove-VolumeSnapshot", move.Message, StringComparison.Ordinal);

        using (var session = site.Engine.Context.Store.Begin(write: true))
        {
            var volume = session.FindVolume("db01")!;
            session.UpdateVolume(volume with { PendingChange = new PendingChange { Operation = PendingOperation.Migrate, FromBackend = "dc1", FromLocation = volume.Location } });
            session.Commit();
        }

        var snapshot = Refused(ErrorIds.SnapshotNotAllowed, () => site.Engine.Snapshots.Create("db01", "s2", null, site.Quiet));
        Assert.StartsWith("Rule: a snapshot of a volume", snapshot.Message, StringComparison.Ordinal);
        Assert.Contains("Repair-ReplicationState", snapshot.Message, StringComparison.Ordinal);
    }
}
