using System;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Threading;
using Replication.Engine.Drivers;
using Replication.Engine.Drivers.LocalFile;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.Rounds;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>
/// A sync round interrupted around its journal, without killing a process: the driver runs the round exactly as the
/// engine would, but the engine never records it, which is the state a crash between commit and record leaves. Copying
/// the replica back over the applied file gives the state of a crash between commit and apply.
/// </summary>
[UnsupportedOSPlatform("windows")]
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class SyncJournalRecoveryTests : IDisposable
{
    private const string Vol = "db01";
    private const long Size = 8 * MiB;

    private readonly EngineSite site = new EngineSite().WithPairAndReplicatedType();

    public void Dispose() => site.Dispose();

    [UnixFact]
    public void CommittedButNeitherAppliedNorRecorded_UnplannedPromotionFinishesTheRoundFirst()
    {
        var id = site.CreateVolume(Vol, Size).Id;
        var primary = site.PrimaryFile(Vol);
        var replica = site.ReplicaFile(Vol);
        WriteAt(primary, 1 * Block, RandomBytes(Block, 1));
        var recorded = site.Sync(Vol);
        WriteAt(primary, 2 * Block, RandomBytes(Block, 2));
        using (var file = new FileStream(primary, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            SparseFile.PunchHole(file, 1 * Block, Block); // the journal carries a hole entry too
        }

        var beforeRound = site.ScratchFile("replica-before-round.img");
        File.Copy(replica, beforeRound);
        site.Clock.Advance(TimeSpan.FromMinutes(1));
        var round = RunRoundTheEngineDoesNotRecord();
        var primaryAsOfRound = ReadAll(primary);
        File.Copy(beforeRound, replica, overwrite: true); // the crash came before the journal reached the replica
        Assert.True(File.Exists(JournalPath(id)));
        Assert.Equal(recorded.SyncGeneration, site.Replica(Vol).SyncGeneration);
        WriteAt(primary, 3 * Block, RandomBytes(Block, 3)); // after the round: not in the replica
        site.Clock.Advance(TimeSpan.FromMinutes(2));

        var promotion = site.Promote(Vol, planned: false);

        Assert.Equal(primaryAsOfRound, ReadAll(site.VolumeFile("dc2", id)));
        Assert.Equal(round.StartedAt, promotion.DataTimestamp);
        Assert.Equal(TimeSpan.FromMinutes(2), promotion.DataLossWindow);
        Assert.Equal(round.Generation, site.Replica(Vol).SyncGeneration);
        Assert.Equal(recorded.SyncGeneration + 1, round.Generation);
        Assert.False(File.Exists(JournalPath(id)));
        Assert.False(File.Exists(JournalPath(id) + ".tmp"));
    }

    [UnixFact]
    public void CommittedAndAppliedButNotRecorded_NextSyncRecordsTheRoundThenRunsItsOwn()
    {
        var id = site.CreateVolume(Vol, Size).Id;
        var primary = site.PrimaryFile(Vol);
        var replica = site.ReplicaFile(Vol);
        WriteAt(primary, 4 * Block, RandomBytes(Block, 1));
        var recorded = site.Sync(Vol);
        WriteAt(primary, 5 * Block, RandomBytes(Block, 2));
        site.Clock.Advance(TimeSpan.FromMinutes(1));
        var round = RunRoundTheEngineDoesNotRecord();
        AssertSameBytes(primary, replica);
        Assert.True(File.Exists(JournalPath(id)));
        var eventsBefore = site.EventsOf(Vol).Count;
        site.Clock.Advance(TimeSpan.FromMinutes(1));

        var next = site.Sync(Vol);

        Assert.Equal(ReplicationStatus.Active.ToCinder(), next.Status);
        Assert.Equal(round.Generation + 1, next.SyncGeneration);
        Assert.Equal(recorded.SyncGeneration + 2, next.SyncGeneration);
        Assert.Equal(0, next.BlocksWritten); // the finished round's map already holds the primary's blocks
        AssertSameBytes(primary, replica);
        Assert.False(File.Exists(JournalPath(id)));
        Assert.Equal(eventsBefore + 2, site.EventsOf(Vol).Count); // the finished round, then this one
    }

    [UnixFact]
    public void UncommittedJournal_IsDiscarded_AndTheReplicaIsUntouched()
    {
        var id = site.CreateVolume(Vol, Size).Id;
        var primary = site.PrimaryFile(Vol);
        WriteAt(primary, 6 * Block, RandomBytes(Block, 1));
        var recorded = site.Sync(Vol);
        var lastRound = ReadAll(site.ReplicaFile(Vol));
        WriteAt(primary, 7 * Block, RandomBytes(Block, 2));

        // A round that died while staging: its journal was never committed.
        var header = new SyncJournal.Header
        {
            VolumeId = id,
            Generation = recorded.SyncGeneration + 1,
            StartedAt = site.Clock.Now,
            BlockSize = Block,
            VolumeSize = Size,
        };
        using (var journal = TestFiles.JournalWriter(DriverRegistry.Default.Get(LocalFileDriver.DriverName).Contract.Sidecars(EngineDriver.Config(site.BackendRecord("dc2"))), header))
        {
            var garbage = RandomBytes(Block, 3);
            journal.Write(6, garbage, 0, garbage.Length);
            journal.Write(7, garbage, 0, garbage.Length);
        }

        Assert.True(File.Exists(JournalPath(id) + ".tmp"));

        site.Promote(Vol, planned: false);

        Assert.Equal(lastRound, ReadAll(site.VolumeFile("dc2", id)));
        Assert.Equal(recorded.SyncGeneration, site.Replica(Vol).SyncGeneration);
        Assert.False(File.Exists(JournalPath(id) + ".tmp"));
        Assert.False(File.Exists(JournalPath(id)));
    }

    [UnixFact]
    public void DamagedCommittedJournal_IsRefusedAsCorrupt_LeavesTheReplicaAlone_AndEnableRecopies()
    {
        var id = site.CreateVolume(Vol, Size).Id;
        var primary = site.PrimaryFile(Vol);
        var replica = site.ReplicaFile(Vol);
        WriteAt(primary, 1 * Block, RandomBytes(Block, 1));
        site.Sync(Vol);
        WriteAt(primary, 2 * Block, RandomBytes(Block, 2));
        var beforeRound = site.ScratchFile("replica-before-round.img");
        File.Copy(replica, beforeRound);
        RunRoundTheEngineDoesNotRecord();
        File.Copy(beforeRound, replica, overwrite: true);
        // The journal its commit record names, torn by a disk fault.
        using (var journal = new FileStream(JournalPath(id) + ".tmp", FileMode.Open, FileAccess.ReadWrite))
        {
            journal.SetLength(journal.Length - 100);
        }

        var error = Refused(ErrorIds.SyncJournalCorrupt, () => site.Sync(Vol));

        Assert.Equal(ReadAll(beforeRound), ReadAll(replica));
        var failed = site.Replica(Vol);
        Assert.Equal(ReplicationStatus.Error.ToCinder(), failed.Status);
        Assert.Contains(ErrorIds.SyncJournalCorrupt, failed.ExtendedStatus);
        Assert.Contains("Enable-Replication", error.Message);

        var enabled = site.Enable(Vol);

        Assert.Equal(ReplicationStatus.Active.ToCinder(), enabled.Status);
        AssertSameBytes(primary, replica);
        Assert.False(File.Exists(JournalPath(id)));
    }

    [UnixFact]
    public void CreateFromReplica_FinishesACommittedRoundBeforeCloning()
    {
        var id = site.CreateVolume(Vol, Size).Id;
        var primary = site.PrimaryFile(Vol);
        var replica = site.ReplicaFile(Vol);
        WriteAt(primary, 1 * Block, RandomBytes(Block, 1));
        site.Sync(Vol);
        WriteAt(primary, 2 * Block, RandomBytes(Block, 2));
        var beforeRound = site.ScratchFile("replica-before-round.img");
        File.Copy(replica, beforeRound);
        var round = RunRoundTheEngineDoesNotRecord();
        var primaryAsOfRound = ReadAll(primary);
        File.Copy(beforeRound, replica, overwrite: true);

        var clone = site.CreateFromReplica("db01-test", Vol);

        Assert.Equal(primaryAsOfRound, ReadAll(site.VolumeFile("dc2", clone.Id)));
        Assert.Equal(primaryAsOfRound, ReadAll(replica));
        Assert.Equal(round.Generation, site.Replica(Vol).SyncGeneration);
        Assert.False(File.Exists(JournalPath(id)));
    }

    /// <summary>One journaled round run by the driver just as the engine runs it, but never recorded in state.</summary>
    private ReplicaSyncOutcome RunRoundTheEngineDoesNotRecord()
    {
        var volume = site.Record(Vol);
        BlockMap map;
        using (var session = site.Engine.Context.Store.Begin(write: false))
        {
            map = session.LoadBlockMap(volume.Id) ?? throw new InvalidOperationException("No block map recorded.");
        }

        var outcome = new EngineDriver(new LocalFileDriver()).SyncReplica(new ReplicaSyncRequest
        {
            VolumeId = volume.Id,
            VolumeName = volume.Name,
            SizeBytes = volume.SizeBytes,
            Source = new VolumeCopy(site.BackendRecord(volume.Backend), volume.Location),
            Target = new VolumeCopy(site.BackendRecord(volume.ReplicaBackend!), volume.ReplicaLocation!),
            PreviousMap = new Lazy<BlockMap>(map),
            PreviousDriverData = volume.ReplicationDriverData,
            Journaled = true,
            ForceRead = true,
            Generation = volume.SyncGeneration + 1,
            StartedAt = site.Clock.Now,
        }, site.Quiet, CancellationToken.None);
        // A forced round compares the replica's real blocks, journaled like any round of a consistent replica.
        Assert.Equal(SyncMode.FullCompare, outcome.Mode);
        Assert.True(outcome.BlocksWritten + outcome.BlocksDeallocated > 0, "the round changed nothing; the test would prove nothing");
        return outcome;
    }

    /// <summary>The committed journal beside the replica; the replica is on dc2 until a promotion.</summary>
    private string JournalPath(Guid id) => Path.Combine(LocalFileLayout.JournalFolderOf(site.BackendRecord("dc2")), SyncJournal.CommittedName(id));
}
