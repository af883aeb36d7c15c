using System;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Threading;
using Replication.Engine.Drivers.LocalFile;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>The DR story on real bytes: sync, pause, promote, reverse, clone, delete; every file compared whole.</summary>
[UnsupportedOSPlatform("windows")]
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class DisasterRecoveryTests : IDisposable
{
    private const string Vol = "db01";
    private const long Size = 64 * MiB;
    private const UnixFileMode AnyWrite = UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    private readonly EngineSite site = new EngineSite().WithPairAndReplicatedType();

    public void Dispose() => site.Dispose();

    [UnixFact]
    public void Create_MakesTwoEmptySparseFilesWithTheSameNameOnPartnerBackends()
    {
        var volume = site.CreateVolume(Vol, Size);

        Assert.Equal("dc1", volume.Backend);
        Assert.Equal("dc2", volume.ReplicaBackend);
        Assert.Equal(VolumeStatus.Available.ToString(), volume.Status);
        Assert.Equal(ReplicationStatus.Active.ToCinder(), volume.ReplicationStatus);
        var name = $"volume-{volume.Id:D}.img";
        Assert.Equal(new[] { name }, ListFolder(site.FolderOf("dc1")).Where(f => f.EndsWith(".img", StringComparison.Ordinal)));
        Assert.Equal(new[] { name }, ListFolder(site.FolderOf("dc2")).Where(f => f.EndsWith(".img", StringComparison.Ordinal)));
        Assert.Equal(Size, new FileInfo(site.PrimaryFile(Vol)).Length);
        Assert.Equal(Size, new FileInfo(site.ReplicaFile(Vol)).Length);
        Assert.True(TestFiles.AllocatedBytes(site.PrimaryFile(Vol)) < MiB);
        Assert.True(TestFiles.AllocatedBytes(site.ReplicaFile(Vol)) < MiB);
        Assert.Equal(site.PrimaryFile(Vol), site.Engine.Volumes.Connection(Vol).Path);
    }

    [UnixFact]
    public void Sync_WritesExactlyTheTouchedBlocks_ThenSkipsAQuietPrimary_AndAForcedReadWritesNothing()
    {
        site.CreateVolume(Vol, Size);
        var primary = site.PrimaryFile(Vol);
        var replica = site.ReplicaFile(Vol);
        WriteAt(primary, 0, RandomBytes(512, 1));                         // block 0, its start
        WriteAt(primary, (5 * Block) + 30_000, RandomBytes(1000, 2));     // block 5, mid-block
        WriteAt(primary, (10 * Block) - 500, RandomBytes(1000, 3));       // blocks 9 and 10, across the boundary
        WriteAt(primary, (500 * Block) + 12_345, RandomBytes(20_000, 4)); // block 500, mid-block
        WriteAt(primary, Size - 4096, RandomBytes(4096, 5));              // block 1023, the very end
        MakeQuiet(primary);

        var first = site.Sync(Vol);

        Assert.Equal(SyncMode.Incremental.ToString(), first.Mode);
        Assert.Equal(ReplicationStatus.Active.ToCinder(), first.Status);
        Assert.Equal(6, first.BlocksWritten);
        Assert.Equal(6 * Block, first.BytesWritten);
        Assert.Equal(0, first.BlocksDeallocated);
        Assert.InRange(first.BytesRead, 6 * Block, 2 * MiB); // only the allocated extents, not 64 MiB
        Assert.Equal(site.Clock.Now, first.DataTimestamp);
        AssertSameBytes(primary, replica);
        Assert.DoesNotContain(ListFolder(site.BackendsRoot), f => f.Contains("journal", StringComparison.Ordinal));

        var second = site.Sync(Vol);

        Assert.Equal(SyncMode.Unchanged.ToString(), second.Mode);
        Assert.Equal(0, second.BytesRead);
        Assert.Equal(0, second.BytesWritten);
        Assert.Equal(0, second.BlocksWritten);
        Assert.Equal(first.SyncGeneration, second.SyncGeneration);

        var forced = site.Sync(Vol, forceRead: true);

        Assert.NotEqual(SyncMode.Unchanged.ToString(), forced.Mode);
        Assert.True(forced.BytesRead >= 6 * Block, $"read {forced.BytesRead}");
        Assert.Equal(0, forced.BytesWritten);
        Assert.Equal(0, forced.BlocksWritten);
        Assert.Equal(0, forced.BlocksDeallocated);
        AssertSameBytes(primary, replica);
    }

    [UnixFact]
    public void Sync_RightAfterAWrite_ReadsThePrimaryAgain()
    {
        site.CreateVolume(Vol, Size);
        var primary = site.PrimaryFile(Vol);
        WriteAt(primary, 3 * Block, RandomBytes(100, 1));
        site.Sync(Vol);

        // Same size, and a write within the file system's timestamp granularity may leave the mtime as it was: the
        // primary was not quiet before the round, so the next round must read it.
        WriteAt(primary, 3 * Block, RandomBytes(100, 2));
        var next = site.Sync(Vol);

        Assert.NotEqual(SyncMode.Unchanged.ToString(), next.Mode);
        Assert.Equal(1, next.BlocksWritten);
        AssertSameBytes(primary, site.ReplicaFile(Vol));
    }

    [UnixFact]
    public void Sync_ZeroedOrPunchedBlocksOnThePrimary_BecomeHolesOnTheReplica()
    {
        site.CreateVolume(Vol, Size);
        var primary = site.PrimaryFile(Vol);
        var replica = site.ReplicaFile(Vol);
        WriteAt(primary, 3 * Block, RandomBytes(Block, 1));
        WriteAt(primary, 7 * Block, RandomBytes(Block, 2));
        WriteAt(primary, 9 * Block, RandomBytes(Block, 3));
        site.Sync(Vol);
        Assert.True(HasData(replica, 3) && HasData(replica, 7) && HasData(replica, 9));

        WriteAt(primary, 3 * Block, new byte[Block]); // zeros written over a whole block
        using (var file = new FileStream(primary, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            SparseFile.PunchHole(file, 7 * Block, Block); // a discard from the guest
        }

        var result = site.Sync(Vol);

        Assert.Equal(2, result.BlocksDeallocated);
        Assert.Equal(0, result.BlocksWritten);
        AssertSameBytes(primary, replica);
        Assert.False(HasData(replica, 3), "block 3 is still allocated on the replica");
        Assert.False(HasData(replica, 7), "block 7 is still allocated on the replica");
        Assert.True(HasData(replica, 9));
    }

    [UnixFact]
    public void PlannedPromotion_ServesTheReplica_FencesTheOldPrimary_AndEnableReversesWithOnlyTheDifferingBlocks()
    {
        var id = site.CreateVolume(Vol, Size).Id;
        var dc1File = site.VolumeFile("dc1", id);
        var dc2File = site.VolumeFile("dc2", id);
        WriteAt(dc1File, 10 * Block, RandomBytes(3 * Block, 1));
        site.Sync(Vol);
        WriteAt(dc1File, 100 * Block, RandomBytes(5000, 2)); // written after the last sync: the final round takes it
        site.Clock.Advance(TimeSpan.FromMinutes(3));

        var promotion = site.Promote(Vol, planned: true);

        Assert.True(promotion.Planned);
        Assert.Equal(TimeSpan.Zero, promotion.DataLossWindow);
        Assert.Equal("dc2", promotion.PrimaryBackend);
        Assert.Equal("dc1", promotion.FencedBackend);
        Assert.True(promotion.FencedOnDisk);
        Assert.Equal(ReplicationStatus.Inactive.ToCinder(), promotion.Status);
        AssertSameBytes(dc1File, dc2File);
        Assert.Equal(dc2File, site.Engine.Volumes.Connection(Vol).Path);
        var volume = site.Engine.Volumes.Get(Vol);
        Assert.Equal(("dc2", "dc1", ReplicationStatus.Inactive.ToCinder()), (volume.Backend, volume.ReplicaBackend, volume.ReplicationStatus));
        Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(dc1File) & AnyWrite);
        Assert.True(site.Replica(Vol).ReplicaFenced);
        AssertNewestEvent(ReplicationStatus.Active, ReplicationStatus.Inactive);

        var refused = Refused(ErrorIds.SyncNotAllowed, () => site.Sync(Vol));
        Assert.StartsWith("Rule: ", refused.Message);

        // The promoted volume is written; the fenced old primary does not see it until replication is re-enabled.
        var oldSide = Sha256(dc1File);
        WriteAt(dc2File, 700 * Block, RandomBytes(1000, 3));
        Assert.Equal(oldSide, Sha256(dc1File));

        var reversed = EnableAndReport(Vol);

        Assert.Equal(ReplicationStatus.Active.ToCinder(), reversed.Status);
        Assert.Equal("dc2", reversed.PrimaryBackend);
        Assert.Equal("dc1", reversed.ReplicaBackend);
        Assert.Equal(1, reversed.BlocksWritten);
        Assert.Equal(Block, reversed.BytesWritten);
        AssertSameBytes(dc2File, dc1File);
        Assert.NotEqual((UnixFileMode)0, File.GetUnixFileMode(dc1File) & UnixFileMode.UserWrite);
        Assert.False(site.Replica(Vol).ReplicaFenced);
        AssertNewestEvent(ReplicationStatus.Copying, ReplicationStatus.Active);

        // And replication runs the other way now.
        WriteAt(dc2File, 900 * Block, RandomBytes(2000, 4));
        var next = site.Sync(Vol);
        Assert.Equal(1, next.BlocksWritten);
        AssertSameBytes(dc2File, dc1File);

        var changes = site.EventsOf(Vol).Where(e => e.FromStatus != e.ToStatus).Select(e => (e.FromStatus, e.ToStatus)).ToList();
        Assert.Equal(
            new (string?, string?)[] { (null, "copying"), ("copying", "active"), ("active", "copying"), ("copying", "active"), ("active", "inactive"), ("inactive", "copying"), ("copying", "active") },
            changes);
    }

    [UnixFact]
    public void UnplannedPromotion_ReportsTheLossWindowSinceTheLastSyncStarted_AndServesTheLastRound()
    {
        var id = site.CreateVolume(Vol, Size).Id;
        var dc1File = site.VolumeFile("dc1", id);
        var dc2File = site.VolumeFile("dc2", id);
        site.Clock.Advance(TimeSpan.FromMinutes(1));
        WriteAt(dc1File, 20 * Block, RandomBytes(Block, 1));
        site.Sync(Vol);
        var syncStarted = site.Clock.Now;
        var lastRound = Sha256(dc2File);
        WriteAt(dc1File, 30 * Block, RandomBytes(Block, 2)); // lost with the primary
        site.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(TimeSpan.FromMinutes(5), site.Replica(Vol).DataAge);

        var promotion = site.Promote(Vol, planned: false);

        Assert.False(promotion.Planned);
        Assert.Equal(TimeSpan.FromMinutes(5), promotion.DataLossWindow);
        Assert.Equal(syncStarted, promotion.DataTimestamp);
        Assert.Equal(ReplicationStatus.Inactive.ToCinder(), promotion.Status);
        Assert.Equal(lastRound, Sha256(dc2File));
        Assert.Equal(dc2File, site.Engine.Volumes.Connection(Vol).Path);
        Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(dc1File) & AnyWrite);
        var promoted = AssertNewestEvent(ReplicationStatus.Active, ReplicationStatus.Inactive);
        Assert.Equal(site.Clock.Now, promoted.Time);
    }

    [UnixFact]
    public void PlannedPromotion_WithThePrimaryFileGone_IsRefusedAndPromotesNothing()
    {
        var id = site.CreateVolume(Vol, Size).Id;
        WriteAt(site.VolumeFile("dc1", id), 0, RandomBytes(Block, 1));
        site.Sync(Vol);
        File.Delete(site.VolumeFile("dc1", id));
        // The failure itself is recorded (an event and the extended status say what happened); nothing else may change.
        var rows = site.SnapshotDatabase("events", "volumes.replication_extended_status");
        var files = site.SnapshotFolders();

        var error = Refused(ErrorIds.PlannedPromotionFailed, () => site.Promote(Vol, planned: true));

        Assert.Contains("Nothing was promoted", error.Message);
        Assert.Equal(rows, site.SnapshotDatabase("events", "volumes.replication_extended_status"));
        Assert.Equal(files, site.SnapshotFolders());
        var volume = site.Engine.Volumes.Get(Vol);
        Assert.Equal(("dc1", ReplicationStatus.Active.ToCinder()), (volume.Backend, volume.ReplicationStatus));
        Assert.False(site.Replica(Vol).ReplicaFenced);
    }

    [UnixFact]
    public void CreateFromReplica_ClonesTheReplicaOnItsBackend_AndTheSourceGoesOn()
    {
        var source = site.CreateVolume(Vol, Size);
        WriteAt(site.PrimaryFile(Vol), 40 * Block, RandomBytes(2 * Block, 1));
        var round = site.Sync(Vol);
        WriteAt(site.PrimaryFile(Vol), 41 * Block, RandomBytes(100, 2)); // not synced: not in the clone
        var replicaBefore = Sha256(site.ReplicaFile(Vol));

        var clone = site.CreateFromReplica("db01-test", Vol);

        Assert.Equal("dc2", clone.Backend);
        Assert.Equal(ReplicationStatus.Disabled.ToCinder(), clone.ReplicationStatus);
        Assert.Equal(VolumeStatus.Available.ToString(), clone.Status);
        Assert.Equal(Vol, clone.SourceReplica);
        Assert.Null(clone.ReplicaBackend);
        Assert.Equal(Size, clone.SizeBytes);
        Assert.NotEqual(source.Id, clone.Id);
        var cloneFile = site.VolumeFile("dc2", clone.Id);
        Assert.Equal(cloneFile, site.Engine.Volumes.Connection("db01-test").Path);
        AssertSameBytes(site.ReplicaFile(Vol), cloneFile);
        Assert.NotEqual(Sha256(site.PrimaryFile(Vol)), Sha256(cloneFile));
        Assert.True(TestFiles.AllocatedBytes(cloneFile) < 2 * MiB, "the clone filled the holes");
        Assert.False(File.Exists(site.VolumeFile("dc1", clone.Id)));

        var after = site.Replica(Vol);
        Assert.Equal(ReplicationStatus.Active.ToCinder(), after.Status);
        Assert.Equal(round.SyncGeneration, after.SyncGeneration);
        Assert.Equal(replicaBefore, Sha256(site.ReplicaFile(Vol)));
        Assert.Equal("disabled", site.EventsOf("db01-test", newest: 1).Single().ToStatus);

        // The source keeps replicating.
        Assert.Equal(1, site.Sync(Vol).BlocksWritten);
    }

    [UnixFact]
    public void ATestVolume_IsNeverReplicated_EvenThoughItsTypeIs()
    {
        site.CreateVolume(Vol, Size);
        site.Sync(Vol);
        var clone = site.CreateFromReplica("db01-test", Vol);

        var refused = Refused(ErrorIds.ReenableNotAllowed, () => site.Enable("db01-test"));

        Assert.Contains("test volume", refused.Message);
        Assert.Equal(ReplicationStatus.Disabled.ToCinder(), site.Replica("db01-test").Status);
        Assert.False(File.Exists(site.VolumeFile("dc1", clone.Id)));
        Assert.Contains("test volume", Refused(ErrorIds.SyncNotAllowed, () => site.Sync("db01-test")).Message);
    }

    [UnixTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Delete_RemovesBothFilesAndTheRow(bool promotedFirst)
    {
        var id = site.CreateVolume(Vol, Size).Id;
        WriteAt(site.PrimaryFile(Vol), 0, RandomBytes(Block, 1));
        site.Sync(Vol);
        if (promotedFirst)
        {
            site.Promote(Vol, planned: true);
        }

        site.Engine.Volumes.Delete(Vol, site.Quiet);

        Assert.DoesNotContain(ListFolder(site.BackendsRoot), f => f.Contains(id.ToString("D"), StringComparison.Ordinal));
        Refused(ErrorIds.VolumeNotFound, () => site.Engine.Volumes.Get(Vol));
        Assert.DoesNotContain(id.ToString("D"), site.SnapshotDatabase("events"), StringComparison.Ordinal);
        var last = site.EventsOf(Vol, newest: 1).Single();
        Assert.Equal(id, last.VolumeId);
        Assert.Equal("DeleteVolume", last.Operation);
    }

    [UnixFact]
    public void DisableThenEnable_KeepsTheLastRoundWhilePaused_ThenResumesWithAJournaledRound()
    {
        site.CreateVolume(Vol, Size);
        var primary = site.PrimaryFile(Vol);
        var replica = site.ReplicaFile(Vol);
        WriteAt(primary, 50 * Block, RandomBytes(Block, 1));
        site.Sync(Vol);
        var pausedRound = Sha256(replica);

        var paused = site.Disable(Vol);

        Assert.Equal(ReplicationStatus.ActiveStopped.ToCinder(), paused.Status);
        AssertNewestEvent(ReplicationStatus.Active, ReplicationStatus.ActiveStopped);
        WriteAt(primary, 60 * Block, RandomBytes(Block, 2));
        Refused(ErrorIds.SyncNotAllowed, () => site.Sync(Vol));
        Assert.Equal(pausedRound, Sha256(replica));
        site.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(TimeSpan.FromMinutes(10), site.Replica(Vol).DataAge);

        var resumed = site.Enable(Vol);

        Assert.Equal(ReplicationStatus.Active.ToCinder(), resumed.Status);
        AssertSameBytes(primary, replica);
        var resume = AssertNewestEvent(ReplicationStatus.ActiveStopped, ReplicationStatus.Active);
        // Paused, the replica could have been changed on disk behind the module: the resuming round compares its real blocks.
        Assert.Contains(nameof(SyncMode.FullCompare), resume.Message, StringComparison.Ordinal);
        Assert.Contains("; 1 blocks written", resume.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.Zero, site.Replica(Vol).DataAge);
    }

    [UnixFact]
    public void Sync_WithTheReplicaFileGone_MovesToErrorSayingWhatHappened_AndEnableRecopies()
    {
        site.CreateVolume(Vol, Size);
        var primary = site.PrimaryFile(Vol);
        var replica = site.ReplicaFile(Vol);
        WriteAt(primary, 0, RandomBytes(Block, 1));
        site.Sync(Vol);
        WriteAt(primary, 5 * Block, RandomBytes(Block, 2));
        File.Delete(replica);

        Refused(ErrorIds.ReplicaUnwritable, () => site.Sync(Vol));

        var failed = site.Replica(Vol);
        Assert.Equal(ReplicationStatus.Error.ToCinder(), failed.Status);
        Assert.Contains(ErrorIds.ReplicaUnwritable, failed.ExtendedStatus);
        Assert.Contains(Path.GetFileName(replica), failed.ExtendedStatus);
        Assert.Null(failed.DataAge);
        AssertNewestEvent(ReplicationStatus.Active, ReplicationStatus.Error);

        var enabled = site.Enable(Vol);

        Assert.Equal(ReplicationStatus.Active.ToCinder(), enabled.Status);
        AssertSameBytes(primary, replica);
    }

    [UnixFact]
    public void Sync_WithAQuietPrimaryButTheReplicaFileGone_DoesNotReportTheReplicaConsistent()
    {
        site.CreateVolume(Vol, Size);
        var primary = site.PrimaryFile(Vol);
        WriteAt(primary, 0, RandomBytes(Block, 1));
        MakeQuiet(primary);
        site.Sync(Vol);
        File.Delete(site.ReplicaFile(Vol));

        site.Clock.Advance(TimeSpan.FromMinutes(1));

        // DESIGN.md: "the replica is never reported consistent when it is not". The primary is unchanged, but the
        // replica is gone: a round must not record it as holding the primary's data as of now.
        var error = Record.Exception(() => site.Sync(Vol));

        var after = site.Replica(Vol);
        Assert.True(after.Status == ReplicationStatus.Error.ToCinder(),
            $"The replica file is gone, yet the round ended {after.Status} ('{after.ExtendedStatus}') and threw {error?.GetType().Name ?? "nothing"}.");
        Assert.Equal(ErrorIds.ReplicaUnwritable, Assert.IsType<ReplicationException>(error).ErrorId);
    }

    [UnixFact]
    public void UnplannedPromotion_WithTheOldPrimarySiteGone_PromotesAndRecordsTheFence_ThenEnableReversesOnceItIsBack()
    {
        var id = site.CreateVolume(Vol, Size).Id;
        WriteAt(site.VolumeFile("dc1", id), 0, RandomBytes(Block, 1));
        site.Sync(Vol);
        var away = site.FolderOf("dc1") + ".away";
        Directory.Move(site.FolderOf("dc1"), away);

        Refused(ErrorIds.PlannedPromotionFailed, () => site.Promote(Vol, planned: true));
        var promotion = site.Promote(Vol, planned: false);

        Assert.False(promotion.FencedOnDisk);
        Assert.Equal(ReplicationStatus.Inactive.ToCinder(), promotion.Status);
        Assert.True(site.Replica(Vol).ReplicaFenced);
        Assert.Equal(site.VolumeFile("dc2", id), site.Engine.Volumes.Connection(Vol).Path);
        WriteAt(site.VolumeFile("dc2", id), 8 * Block, RandomBytes(Block, 2));
        Refused(ErrorIds.SyncNotAllowed, () => site.Sync(Vol));

        Directory.Move(away, site.FolderOf("dc1"));
        // Not fenced on disk, so the old primary may hold writes made after the failover: nothing overwrites it silently.
        var refused = Refused(ErrorIds.FencedCopyChanged, () => site.Enable(Vol));
        Assert.Contains("-DiscardFencedWrites", refused.Message);
        Assert.Equal(ReplicationStatus.Inactive.ToCinder(), site.Replica(Vol).Status);
        var enabled = site.Engine.Replication.Enable(Vol, site.Quiet, CancellationToken.None, discardFencedWrites: true);

        Assert.Equal(ReplicationStatus.Active.ToCinder(), enabled.Status);
        Assert.Equal(("dc2", "dc1"), (enabled.PrimaryBackend, enabled.ReplicaBackend));
        AssertSameBytes(site.VolumeFile("dc2", id), site.VolumeFile("dc1", id));
    }

    [UnixFact]
    public void UnplannedPromotion_OfAReplicaWhoseFileIsGone_IsRefused_AndTheOldPrimaryStaysInService()
    {
        var id = site.CreateVolume(Vol, Size).Id;
        WriteAt(site.VolumeFile("dc1", id), 0, RandomBytes(Block, 1));
        site.Sync(Vol);
        File.Delete(site.VolumeFile("dc2", id));

        // Promoting would serve the volume from a file that does not exist and fence the only copy of the data.
        var error = Record.Exception(() => site.Promote(Vol, planned: false));

        var volume = site.Engine.Volumes.Get(Vol);
        Assert.True(volume.Backend == "dc1",
            $"Promoted to '{volume.Backend}', whose file exists: {File.Exists(site.Engine.Volumes.Connection(Vol).Path)}; the old primary's mode is {File.GetUnixFileMode(site.VolumeFile("dc1", id))}.");
        Assert.IsType<ReplicationException>(error);
        Assert.NotEqual((UnixFileMode)0, File.GetUnixFileMode(site.VolumeFile("dc1", id)) & UnixFileMode.UserWrite);
        Assert.Equal(site.VolumeFile("dc1", id), site.Engine.Volumes.Connection(Vol).Path);
    }

    [UnixFact]
    public void Create_WithThePartnerFolderGone_RollsBackAndLeavesNothing()
    {
        var away = site.FolderOf("dc2") + ".away";
        Directory.Move(site.FolderOf("dc2"), away);
        var rows = site.SnapshotDatabase("events");
        var files = site.SnapshotFolders();

        Refused(ErrorIds.VolumeFileFault, () => site.CreateVolume(Vol, Size));

        Assert.Equal(rows, site.SnapshotDatabase("events"));
        Assert.Equal(files, site.SnapshotFolders());
        Directory.Move(away, site.FolderOf("dc2"));
        Assert.Equal(ReplicationStatus.Active.ToCinder(), site.CreateVolume(Vol, Size).ReplicationStatus);
    }

    [UnixFact]
    public void CancelledSync_ChangesNothing_AndTheNextSyncCompletes()
    {
        site.CreateVolume(Vol, Size);
        var primary = site.PrimaryFile(Vol);
        var replica = site.ReplicaFile(Vol);
        WriteAt(primary, 0, RandomBytes(Block, 1));
        site.Sync(Vol);
        WriteAt(primary, 9 * Block, RandomBytes(Block, 2));
        var rows = site.SnapshotDatabase();
        var files = site.SnapshotFolders();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => site.Engine.Replication.Sync(Vol, false, site.Quiet, cancelled.Token));

        Assert.Equal(rows, site.SnapshotDatabase());
        Assert.Equal(files, site.SnapshotFolders());
        Assert.Equal(1, site.Sync(Vol).BlocksWritten);
        AssertSameBytes(primary, replica);
    }

    private SyncResult EnableAndReport(string name) =>
        new ReplicationReenable(site.Engine.Context, new SyncRound(site.Engine.Context)).Enable(name, discardFencedWrites: false, site.Quiet, CancellationToken.None);

    private ReplicationEvent AssertNewestEvent(ReplicationStatus from, ReplicationStatus to)
    {
        var newest = site.EventsOf(Vol, newest: 1).Single();
        Assert.Equal((from.ToCinder(), to.ToCinder()), (newest.FromStatus, newest.ToStatus));
        Assert.Equal(Vol, newest.ObjectName);
        Assert.Equal(site.Engine.Volumes.Get(Vol).Id, newest.VolumeId);
        Assert.False(string.IsNullOrWhiteSpace(newest.Actor));
        Assert.Equal(site.Clock.Now, newest.Time);
        return newest;
    }

    private static bool HasData(string path, long block)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return SparseFile.DataExtents(file).Any(e => e.Offset < (block + 1) * Block && e.End > block * Block);
    }
}
