using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Threading;
using Replication.Engine.DrTests;
using Replication.Engine.Model;
using Replication.Engine.RecoveryPoints;
using Replication.Engine.Replication;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.RecoveryPoints;

/// <summary>
/// The ransomware drill on the engine: good rounds, then the primary overwritten with random data and synced (the damage
/// is on the replica too), then recovery at the last good point gives that round's bytes, by an independent SHA-256.
/// </summary>
[UnsupportedOSPlatform("windows")]
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class RecoveryPointRecoveryTests : IDisposable
{
    private const string Vol = "db01";
    private const string Type = "points";
    private const long Size = 4 * MiB;

    private readonly EngineSite site = new();

    public RecoveryPointRecoveryTests()
    {
        site.AddPairedBackends();
        site.AddReplicatedType(Type, new Dictionary<string, string> { ["replication:recovery_points"] = "10" });
        site.CreateVolume(Vol, Size, Type);
    }

    public void Dispose() => site.Dispose();

    [UnixFact]
    public void PromotionAtTheLastGoodPoint_ServesThatRoundsBytes_AndDropsTheNewerPoints()
    {
        var (goodRound, goodHash) = GoodRoundsThenDamage();

        var promotion = site.Engine.Replication.Promote(Vol, planned: false, site.Quiet, CancellationToken.None, recoveryPoint: goodRound);

        Assert.Equal(goodHash, Sha256(site.PrimaryFile(Vol)));
        Assert.Empty(site.Engine.RecoveryPoints.List(Vol));
        Assert.True(promotion.ReplicaVerified);
        Assert.Equal(0, promotion.DamagedBlocks);
        Assert.Contains(site.EventsOf(Vol), e => e.Operation == "RollBackReplica");
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(site.FolderOf("dc2"), ".replication"), "*.undo-*"));
    }

    [UnixFact]
    public void ATestVolumeAtTheLastGoodPoint_HoldsThatRoundsBytes_AndTheReplicaIsUntouched()
    {
        var (goodRound, goodHash) = GoodRoundsThenDamage();
        var damaged = Sha256(site.ReplicaFile(Vol));

        site.Engine.Volumes.CreateFromReplica("db01-before", Vol, site.Quiet, CancellationToken.None, goodRound);

        Assert.Equal(goodHash, Sha256(site.PrimaryFile("db01-before")));
        Assert.Equal(damaged, Sha256(site.ReplicaFile(Vol)));
        Assert.True(site.Engine.RecoveryPoints.Verify(Vol, goodRound, site.Quiet, CancellationToken.None).Passed);
    }

    [UnixFact]
    public void ADrTestAtTheLastGoodPoint_PassesOnThatRoundsBytes_AndRecordsThePointsRoundAndTime()
    {
        var (goodRound, _) = GoodRoundsThenDamage();
        var point = site.Engine.RecoveryPoints.Choose(Vol, goodRound, null);

        var test = site.Engine.DrTests.Run(Vol, new DrTestOptions { RecoveryPoint = goodRound }, site.Quiet, CancellationToken.None);

        Assert.True(test.Passed, test.Reason);
        Assert.Equal(goodRound, test.SyncGeneration);
        Assert.Equal(point.DataTimestamp, test.DataTimestamp);
        Assert.Null(test.RpoMet);
    }

    [UnixFact]
    public void ARollbackCutShortAfterItsIntent_IsFinishedByTheNextCommand_BeforeAnyRoundTouchesTheReplica()
    {
        var (goodRound, goodHash) = GoodRoundsThenDamage();
        var snapshot = VolumeSnapshot.Load(site.Engine.Context.Store, Vol);
        // What a process killed at "rollback.after-intent", with part of the blocks written back, leaves.
        using (var session = site.Engine.Context.Store.Begin(write: true))
        {
            session.PutRecoveryRollback(snapshot.Volume.Id, goodRound, site.Clock.Now);
            session.Commit();
        }

        using (var point = site.Engine.RecoveryPoints.Open(snapshot, goodRound))
        using (var replica = new FileStream(site.ReplicaFile(Vol), FileMode.Open, FileAccess.ReadWrite))
        {
            var half = new byte[Size / 2];
            point.Read(0, half, 0, half.Length);
            replica.Write(half, 0, half.Length);
        }

        var round = site.Sync(Vol);

        // The next command finished the rollback, then its round copied the primary (the damage) again, from the point.
        Assert.Contains(site.EventsOf(Vol), e => e.Operation == "RollBackReplica");
        Assert.Equal(goodRound + 1, round.SyncGeneration);
        AssertSameBytes(site.PrimaryFile(Vol), site.ReplicaFile(Vol));
        Assert.Equal(goodHash, Sha256Of(site.Engine.RecoveryPoints, goodRound));
    }

    [UnixFact]
    public void APointWhoseUndoLogIsGone_IsRefusedWithRecoveryPointUnreadable_AndTheReplicaIsUntouched()
    {
        var (goodRound, _) = GoodRoundsThenDamage();
        var id = site.Record(Vol).Id;
        File.Delete(Path.Combine(site.FolderOf("dc2"), ".replication", $"volume-{id:D}.undo-{goodRound:D19}"));
        var before = Sha256(site.ReplicaFile(Vol));

        var refused = Assert.Throws<Errors.ReplicationException>(() => site.Engine.Replication.Promote(Vol, planned: false, site.Quiet, CancellationToken.None, recoveryPoint: goodRound));

        Assert.Equal(Errors.ErrorIds.RecoveryPointUnreadable, refused.ErrorId);
        Assert.Equal(before, Sha256(site.ReplicaFile(Vol)));
        Assert.Equal(ReplicationStatus.Active.ToCinder(), site.Replica(Vol).Status);
    }

    /// <summary>Three rounds of known data, then the whole primary overwritten with random bytes and synced; returns the last good round and its SHA-256.</summary>
    private (long Round, string Hash) GoodRoundsThenDamage()
    {
        var primary = site.PrimaryFile(Vol);
        long good = 0;
        string hash = "";
        for (var i = 0; i < 3; i++)
        {
            WriteAt(primary, i * 8 * (long)Block, RandomBytes(4 * Block, 100 + i));
            site.Clock.Advance(TimeSpan.FromMinutes(5));
            good = site.Sync(Vol).SyncGeneration;
            hash = Sha256(primary);
        }

        WriteAt(primary, 0, RandomBytes((int)Size, 666));
        site.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(good + 1, site.Sync(Vol).SyncGeneration);
        Assert.NotEqual(hash, Sha256(site.ReplicaFile(Vol)));
        return (good, hash);
    }

    private string Sha256Of(RecoveryPointService points, long round)
    {
        using var device = points.Open(VolumeSnapshot.Load(site.Engine.Context.Store, Vol), round);
        var bytes = new byte[device.Length];
        device.Read(0, bytes, 0, bytes.Length);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes));
    }
}
