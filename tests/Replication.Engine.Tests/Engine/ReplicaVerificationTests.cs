using System;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Threading;
using Replication.Engine.DrTests;
using Replication.Engine.Drivers.LocalFile;
using Replication.Engine.Errors;
using Replication.Engine.Health;
using Replication.Engine.Model;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>
/// A replica is trusted by its content, never by its file times: a block changed on disk with its modification time put
/// back (bit rot, or a tool that restores times) is found by every promotion, clone, DR test and re-enable; a planned
/// promotion repairs it, an unplanned one refuses it unless told, a failed test marks it until -Full repairs it. A round
/// the primary was written during says it holds no crash-consistent point, and a failed planned promotion that changed
/// nothing leaves the volume promotable.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
[UnsupportedOSPlatform("windows")]
public sealed class ReplicaVerificationTests : IDisposable
{
    private const string Vol = "db01";
    private const long Size = 16 * MiB;
    private const long DamagedBlock = 20;

    private readonly EngineSite site = new EngineSite().WithPairAndReplicatedType();

    public void Dispose() => site.Dispose();

    [UnixFact]
    public void PlannedPromotion_OfAReplicaDamagedWithItsTimesKept_RepairsItInTheFinalSync_AndServesThePrimarysBytes()
    {
        var (primary, replica) = SyncedVolumeWithDamagedReplica();
        var primaryBytes = Sha256(primary);
        site.Clock.Advance(TimeSpan.FromMinutes(3));

        var promotion = site.Promote(Vol, planned: true);

        Assert.Equal(primaryBytes, Sha256(replica));
        Assert.Equal(primaryBytes, Sha256(site.Engine.Volumes.Connection(Vol).Path));
        Assert.Equal((1L, Block, true, TimeSpan.Zero, 0L), (promotion.RepairedBlocks, promotion.FinalSyncBytesWritten, promotion.ReplicaVerified, promotion.DataLossWindow, promotion.DamagedBlocks));
        var finalRound = site.EventsOf(Vol).Single(e => e.Operation == "PlannedPromotionSync");
        Assert.Contains($"1 of them (64 KiB, block {DamagedBlock} of 64 KiB) differed on the replica", finalRound.Message, StringComparison.Ordinal);
        Assert.Contains("rewrote them from the primary", site.Replica(Vol).ExtendedStatus, StringComparison.Ordinal);
    }

    [UnixFact]
    public void UnplannedPromotion_OfADamagedReplica_IsRefusedAndMarksIt_ThenAllowedItReportsTheDamageNotZeroLoss()
    {
        var (primary, replica) = SyncedVolumeWithDamagedReplica();
        site.Clock.Advance(TimeSpan.FromMinutes(5));
        var replicaBytes = Sha256(replica);

        var refused = Refused(ErrorIds.ReplicaDamaged, () => site.Promote(Vol, planned: false));

        Assert.Contains($"1 of 256 blocks (64 KiB) of the replica differ from what round 2 wrote (block {DamagedBlock} of 64 KiB)", refused.Message, StringComparison.Ordinal);
        Assert.Contains("-AllowDamagedReplica", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.InvalidData, refused.Kind);
        var marked = site.Replica(Vol);
        Assert.Equal(("dc1", ReplicationStatus.Active.ToCinder(), false), (marked.PrimaryBackend, marked.Status, marked.ReplicaFenced));
        Assert.False(new FileInfo(primary).IsReadOnly, "a refused promotion fenced the primary");
        Assert.Equal((ReplicaHealth.Critical.ToString(), 1L), (marked.Health, marked.DamagedBlocks));
        Assert.Contains("1 of 256 blocks", marked.VerificationFailure, StringComparison.Ordinal);
        Assert.Contains("failed verification", marked.HealthReasons, StringComparison.Ordinal);
        Assert.Equal(site.Clock.Now, marked.VerificationFailedAt);
        Assert.Contains(site.EventsOf(Vol, newest: 1), e => e.Operation == "VerifyReplica" && e.Message.Contains("marked as failing verification", StringComparison.Ordinal));

        var promotion = site.Promote(Vol, planned: false, allowDamagedReplica: true);

        Assert.Equal((1L, Block, false), (promotion.DamagedBlocks, promotion.DamagedBytes, promotion.ReplicaVerified));
        Assert.Equal(TimeSpan.FromMinutes(5), promotion.DataLossWindow);
        Assert.Equal(replicaBytes, Sha256(site.Engine.Volumes.Connection(Vol).Path));
        var served = site.Replica(Vol);
        Assert.Contains("served although damaged (-AllowDamagedReplica)", served.ExtendedStatus, StringComparison.Ordinal);
        Assert.Contains("served although damaged", site.EventsOf(Vol, newest: 1).Single().Message, StringComparison.Ordinal);
        Assert.Null(served.VerificationFailure);
    }

    [UnixFact]
    public void UnplannedPromotion_OfAWholeReplica_ChecksItsContentNotItsTimes()
    {
        site.CreateVolume(Vol, Size);
        WriteAt(site.PrimaryFile(Vol), MiB, RandomBytes((int)MiB, 1));
        site.Sync(Vol);
        // A touched replica with the same bytes is whole: times alone neither condemn nor clear it.
        File.SetLastWriteTimeUtc(site.ReplicaFile(Vol), DateTime.UtcNow.AddHours(1));
        var observer = new RecordingObserver();

        var promotion = site.Engine.Replication.Promote(Vol, planned: false, observer, CancellationToken.None);

        Assert.True(promotion.ReplicaVerified);
        Assert.Equal(0, promotion.DamagedBlocks);
        Assert.Contains(observer.Decisions, d => d.Contains("All 256 blocks of the replica hold what round 2 wrote", StringComparison.Ordinal));
    }

    [UnixFact]
    public void CreateFromReplica_OfADamagedReplica_IsRefused_LeavesNoTestVolume_AndMarksTheReplica()
    {
        SyncedVolumeWithDamagedReplica();
        var files = site.SnapshotFolders();

        var refused = Refused(ErrorIds.ReplicaDamaged, () => site.CreateFromReplica("db01-test", Vol));

        Assert.Contains("No test volume was made", refused.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { Vol }, site.Engine.Volumes.List(new State.VolumeQuery()).Select(v => v.Name));
        Assert.Equal(files, site.SnapshotFolders());
        var marked = site.Replica(Vol);
        Assert.Equal((ReplicaHealth.Critical.ToString(), 1L, ReplicationStatus.Active.ToCinder()), (marked.Health, marked.DamagedBlocks, marked.Status));
        Assert.StartsWith("Clone 'db01-test' of the replica", marked.VerificationFailure, StringComparison.Ordinal);
    }

    [UnixFact]
    public void AFailedDrTest_MarksTheReplicaCritical_AnIncrementalRoundKeepsTheMark_AndSyncFullRepairsTheDamagedBlockAndClearsIt()
    {
        var (primary, replica) = SyncedVolumeWithDamagedReplica();

        var test = site.Engine.DrTests.Run(Vol, DrTestOptions.Default, site.Quiet, CancellationToken.None);

        Assert.Equal((DrTestOutcome.Failed.ToString(), 1L), (test.Outcome, test.BlocksMismatched));
        var marked = site.Replica(Vol);
        Assert.Equal((ReplicaHealth.Critical.ToString(), ReplicationStatus.Active.ToCinder(), 1L), (marked.Health, marked.Status, marked.DamagedBlocks));
        Assert.StartsWith($"DR test {test.TestId} failed at", marked.VerificationFailure, StringComparison.Ordinal);
        Assert.Contains("Sync-VolumeReplica -Full repairs it", marked.HealthReasons, StringComparison.Ordinal);
        Assert.Contains("marked as failing verification", site.EventsOf(Vol, newest: 1).Single().Message, StringComparison.Ordinal);

        WriteAt(primary, 100 * Block, RandomBytes(Block, 7));
        var incremental = site.Sync(Vol);

        Assert.Equal((SyncMode.Incremental.ToString(), 1L, 0L), (incremental.Mode, incremental.BlocksWritten, incremental.ReplicaBlocksRepaired));
        Assert.Equal(ReplicaHealth.Critical.ToString(), site.Replica(Vol).Health);
        Assert.Contains("still fails verification", site.Replica(Vol).ExtendedStatus, StringComparison.Ordinal);

        var full = site.Sync(Vol, forceRead: true);

        Assert.Equal((SyncMode.FullCompare.ToString(), 1L, 1L, Block), (full.Mode, full.BlocksWritten, full.ReplicaBlocksRepaired, full.BytesWritten));
        AssertSameBytes(primary, replica);
        var repaired = site.Replica(Vol);
        Assert.Equal((ReplicaHealth.Normal.ToString(), (string?)null, 0L), (repaired.Health, repaired.VerificationFailure, repaired.DamagedBlocks));
        Assert.Contains("is cleared", repaired.ExtendedStatus, StringComparison.Ordinal);
        Assert.Equal(DrTestOutcome.Passed.ToString(), site.Engine.DrTests.Run(Vol, DrTestOptions.Default, site.Quiet, CancellationToken.None).Outcome);
    }

    [UnixFact]
    public void ADrTestThatFailsItsValidation_MarksTheReplica_UntilANewerTestPasses()
    {
        site.CreateVolume(Vol, Size);
        WriteAt(site.PrimaryFile(Vol), MiB, RandomBytes((int)MiB, 1));
        site.Sync(Vol);
        var failing = new DrTestOptions { Validation = _ => new ValidationOutcome(false, "database header missing") };

        var failed = site.Engine.DrTests.Run(Vol, failing, site.Quiet, CancellationToken.None);

        Assert.Equal(DrTestOutcome.Failed.ToString(), failed.Outcome);
        var marked = site.Replica(Vol);
        Assert.Equal((ReplicaHealth.Critical.ToString(), 0L), (marked.Health, marked.DamagedBlocks));
        Assert.Contains("database header missing", marked.VerificationFailure, StringComparison.Ordinal);
        // An ordinary round does not answer the failed validation.
        site.Sync(Vol);
        Assert.Equal(ReplicaHealth.Critical.ToString(), site.Replica(Vol).Health);

        var passed = site.Engine.DrTests.Run(Vol, DrTestOptions.Default, site.Quiet, CancellationToken.None);

        Assert.Equal(DrTestOutcome.Passed.ToString(), passed.Outcome);
        Assert.Equal((ReplicaHealth.Normal.ToString(), (string?)null), (site.Replica(Vol).Health, site.Replica(Vol).VerificationFailure));
        Assert.Contains("is cleared", site.EventsOf(Vol, newest: 1).Single().Message, StringComparison.Ordinal);
    }

    [UnixFact]
    public void EnableReplication_AfterAPause_FindsAndRepairsAReplicaDamagedWhilePaused()
    {
        var (primary, replica) = SyncedVolumeWithDamagedReplica(pauseFirst: true);

        var resumed = site.Enable(Vol);

        Assert.Equal(ReplicationStatus.Active.ToCinder(), resumed.Status);
        AssertSameBytes(primary, replica);
        var round = site.EventsOf(Vol, newest: 1).Single();
        Assert.Equal(("ResumeReplication", "active-stopped", "active"), (round.Operation, round.FromStatus, round.ToStatus));
        Assert.Contains("1 of them (64 KiB, block 20 of 64 KiB) differed on the replica", round.Message, StringComparison.Ordinal);
    }

    [UnixFact]
    public void APlannedPromotionWhoseFinalSyncCannotWriteTheReplica_ChangesNothing_AndTheVolumeStaysPromotable()
    {
        site.CreateVolume(Vol, Size);
        WriteAt(site.PrimaryFile(Vol), MiB, RandomBytes((int)MiB, 1));
        site.Sync(Vol);
        var lastRound = Sha256(site.ReplicaFile(Vol));
        WriteAt(site.PrimaryFile(Vol), 3 * MiB, RandomBytes((int)MiB, 2));
        // The replica side cannot take the final round's journal (as when its file system is full): it fails before any
        // byte of the replica changes.
        ReplicationException refused;
        using (new Preflight.ImmutableFolder(LocalFileLayout.JournalFolderOf(site.BackendRecord("dc2"))))
        {
            refused = Refused(ErrorIds.PlannedPromotionFailed, () => site.Promote(Vol, planned: true));
        }

        Assert.Contains("the replica was not changed", refused.Message, StringComparison.Ordinal);
        var kept = site.Replica(Vol);
        Assert.Equal((ReplicationStatus.Active.ToCinder(), "dc1", false), (kept.Status, kept.PrimaryBackend, kept.ReplicaFenced));
        Assert.StartsWith("PlannedPromotionSync failed at", kept.ExtendedStatus, StringComparison.Ordinal);
        Assert.Contains("read again, it still holds round 2, and it stays active", kept.ExtendedStatus, StringComparison.Ordinal);
        var failure = site.EventsOf(Vol, newest: 1).Single();
        Assert.Equal(("PlannedPromotionSyncFailed", "active", "active"), (failure.Operation, failure.FromStatus, failure.ToStatus));
        Assert.Equal(lastRound, Sha256(site.ReplicaFile(Vol)));

        var promotion = site.Promote(Vol, planned: false);

        Assert.Equal(("dc2", ReplicationStatus.Inactive.ToCinder(), true), (promotion.PrimaryBackend, promotion.Status, promotion.ReplicaVerified));
        Assert.Equal(lastRound, Sha256(site.Engine.Volumes.Connection(Vol).Path));
    }

    [UnixFact]
    public void ASyncThatCannotWriteTheReplica_KeepsTheStatus_WhileTheReplicaStillHoldsItsRound_SoTheVolumeStaysPromotable()
    {
        site.CreateVolume(Vol, Size);
        WriteAt(site.PrimaryFile(Vol), MiB, RandomBytes((int)MiB, 1));
        site.Sync(Vol);
        var lastRound = Sha256(site.ReplicaFile(Vol));
        WriteAt(site.PrimaryFile(Vol), 3 * MiB, RandomBytes((int)MiB, 2));

        using (new Preflight.ImmutableFolder(LocalFileLayout.JournalFolderOf(site.BackendRecord("dc2"))))
        {
            Assert.Throws<ReplicationException>(() => site.Sync(Vol));
        }

        var kept = site.Replica(Vol);
        Assert.Equal(ReplicationStatus.Active.ToCinder(), kept.Status);
        Assert.Contains("read again, it still holds round 2, and it stays active", kept.ExtendedStatus, StringComparison.Ordinal);
        Assert.Equal(lastRound, Sha256(site.ReplicaFile(Vol)));
        var promotion = site.Promote(Vol, planned: false);
        Assert.Equal(("dc2", true), (promotion.PrimaryBackend, promotion.ReplicaVerified));
        Assert.Equal(lastRound, Sha256(site.Engine.Volumes.Connection(Vol).Path));
    }

    [UnixFact]
    public void APlannedPromotionWhoseFinalSyncFindsTheReplicaGone_SetsError_SinceTheReplicaHoldsNoRound()
    {
        site.CreateVolume(Vol, Size);
        WriteAt(site.PrimaryFile(Vol), MiB, RandomBytes((int)MiB, 1));
        site.Sync(Vol);
        File.Delete(site.ReplicaFile(Vol));

        var refused = Refused(ErrorIds.PlannedPromotionFailed, () => site.Promote(Vol, planned: true));

        Assert.Contains("promoting it would not help", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ReplicationStatus.Error.ToCinder(), site.Replica(Vol).Status);
        Assert.DoesNotContain("still holds", site.Replica(Vol).ExtendedStatus, StringComparison.Ordinal);
    }

    [UnixFact]
    public void ARoundThePrimaryIsWrittenDuring_SaysItHoldsNoCrashConsistentPoint_AndSoDoesAPromotionOfIt()
    {
        site.CreateVolume(Vol, Size);
        var primary = site.PrimaryFile(Vol);
        WriteAt(primary, MiB, RandomBytes((int)MiB, 1));
        var writer = RecordingObserver.WritingOnceWhileSyncing(primary, 8 * MiB);

        var raced = site.Sync(Vol, observer: writer);

        Assert.True(writer.WroteWhileSyncing, "the test's writer never ran during the round");
        Assert.False(raced.CrashConsistent);
        var replica = site.Replica(Vol);
        Assert.False(replica.CrashConsistent);
        Assert.Contains("not a crash-consistent point in time", replica.ExtendedStatus, StringComparison.Ordinal);
        Assert.Contains("not a crash-consistent point in time", site.EventsOf(Vol, newest: 1).Single().Message, StringComparison.Ordinal);
        Assert.DoesNotContain("holds the primary's data as of", replica.ExtendedStatus, StringComparison.Ordinal);
        Assert.Contains("not a crash-consistent point in time", site.Disable(Vol).ExtendedStatus, StringComparison.Ordinal);

        var promotion = site.Promote(Vol, planned: false);

        Assert.False(promotion.CrashConsistent);
        Assert.Contains("not a crash-consistent point in time", site.Replica(Vol).ExtendedStatus, StringComparison.Ordinal);
    }

    [UnixFact]
    public void AQuietRoundAfterARacedOne_IsACrashConsistentPointAgain()
    {
        site.CreateVolume(Vol, Size);
        var primary = site.PrimaryFile(Vol);
        WriteAt(primary, MiB, RandomBytes((int)MiB, 1));
        Assert.False(site.Sync(Vol, observer: RecordingObserver.WritingOnceWhileSyncing(primary, 8 * MiB)).CrashConsistent);

        var quiet = site.Sync(Vol);

        Assert.True(quiet.CrashConsistent);
        Assert.Equal(1, quiet.BlocksWritten);
        Assert.True(site.Replica(Vol).CrashConsistent);
        AssertSameBytes(primary, site.ReplicaFile(Vol));
    }

    /// <summary>
    /// A 16 MiB volume with 1 MiB of data, synced (round 2), whose replica then has bytes of block 20 changed on disk with
    /// its times put back; optionally paused first. Returns the primary's and the replica's paths.
    /// </summary>
    private (string Primary, string Replica) SyncedVolumeWithDamagedReplica(bool pauseFirst = false)
    {
        site.CreateVolume(Vol, Size);
        var primary = site.PrimaryFile(Vol);
        var replica = site.ReplicaFile(Vol);
        WriteAt(primary, MiB, RandomBytes((int)MiB, 1));
        MakeQuiet(primary);
        site.Sync(Vol);
        if (pauseFirst)
        {
            site.Disable(Vol);
        }

        DamageKeepingTimes(replica, (DamagedBlock * Block) + 100, new byte[] { 0xde, 0xad, 0xbe, 0xef });
        if (!pauseFirst)
        {
            // What the times say is unchanged: a round that trusts them and the block map finds nothing to do.
            Assert.Equal(SyncMode.Unchanged.ToString(), site.Sync(Vol).Mode);
        }

        return (primary, replica);
    }
}
