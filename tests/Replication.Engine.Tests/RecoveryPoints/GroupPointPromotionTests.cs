using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Threading;
using Replication.Engine.DrTests;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.Tests.Groups;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.RecoveryPoints;

/// <summary>
/// The ransomware drill for a group: group rounds of known data on two members, then both primaries overwritten with
/// random bytes and synced, then the group promoted at a good group round serves each member's bytes of that round.
/// </summary>
[UnsupportedOSPlatform("windows")]
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class GroupPointPromotionTests : IDisposable
{
    private static readonly string[] Members = { "a", "b" };
    private readonly GroupSite group = new();

    public GroupPointPromotionTests() =>
        group.Engine.VolumeTypes.Change(ReplicatedType, new Dictionary<string, string> { ["replication:recovery_points"] = "10" }, Array.Empty<string>(), null, force: false);

    public void Dispose() => group.Dispose();

    [UnixFact]
    public void PromotionAtAGoodGroupRound_ServesEachMembersBytesOfThatRound_AndDropsTheNewerPoints()
    {
        var good = GoodGroupRoundsThenDamage();
        var chosen = good.Keys.OrderBy(r => r).ElementAt(1);

        var results = group.Engine.GroupOperations.Promote(GroupSite.Group, planned: false, group.Site.Quiet, CancellationToken.None, groupRound: chosen);

        Assert.Equal(2, results.Count);
        Assert.All(results, r => Assert.True(r.ReplicaVerified));
        foreach (var member in Members)
        {
            Assert.Equal(good[chosen][member], Sha256(group.Site.PrimaryFile(member)));
            Assert.Contains(group.Site.EventsOf(member), e => e.Operation == "RollBackReplica");
            Assert.Equal(chosen, group.Record(member).GroupRound);
        }
    }

    [UnixFact]
    public void AGroupDrTestAtAGoodGroupRound_PassesForEveryMember_AtItsPointOfThatRound_AndTheReplicasKeepTheDamage()
    {
        var good = GoodGroupRoundsThenDamage();
        var chosen = good.Keys.Min();
        var replicas = Members.ToDictionary(m => m, m => Sha256(group.Site.ReplicaFile(m)));

        var tests = group.Engine.DrTests.RunGroup(GroupSite.Group, new DrTestOptions { GroupRound = chosen }, group.Site.Quiet, CancellationToken.None);

        Assert.Equal(2, tests.Count);
        foreach (var test in tests)
        {
            Assert.True(test.Passed, test.Reason);
            Assert.Equal(group.Engine.RecoveryPoints.List(test.VolumeName).Single(p => p.GroupRound == chosen).Round, test.SyncGeneration);
            Assert.Equal(replicas[test.VolumeName], Sha256(group.Site.ReplicaFile(test.VolumeName)));
        }
    }

    [UnixFact]
    public void TheLatestGroupPointBeforeATime_IsTheLastGoodRound_ForEveryMember()
    {
        var good = GoodGroupRoundsThenDamage(out var damagedAt);

        var point = group.Engine.RecoveryPoints.ChooseGroup(GroupSite.Group, null, damagedAt);

        Assert.Equal(good.Keys.Max(), point.GroupRound);
        Assert.Equal(Members, point.Members.Select(p => p.VolumeName));
        Assert.All(point.Members, p => Assert.Equal(point.GroupRound, p.GroupRound));
        var fromMember = group.Engine.RecoveryPoints.ChooseGroupOf("b", point.Members[1].Round);
        Assert.Equal(point.GroupRound, fromMember.GroupRound);
    }

    [UnixFact]
    public void AGroupRoundSomeMemberLacks_IsRefusedWithGroupRecoveryPointIncomplete_AndNothingChanges()
    {
        var good = GoodGroupRoundsThenDamage();
        var oldest = good.Keys.Min();
        var bPoint = group.Engine.RecoveryPoints.List("b").Single(p => p.GroupRound == oldest);
        group.Engine.RecoveryPoints.Remove("b", bPoint.Round);
        var replicas = Members.ToDictionary(m => m, m => Sha256(group.Site.ReplicaFile(m)));
        var points = Members.ToDictionary(m => m, m => group.Engine.RecoveryPoints.List(m).Count);

        var refused = Assert.Throws<ReplicationException>(() =>
            group.Engine.GroupOperations.Promote(GroupSite.Group, planned: false, group.Site.Quiet, CancellationToken.None, groupRound: oldest));

        Assert.Equal(ErrorIds.GroupRecoveryPointIncomplete, refused.ErrorId);
        Assert.Contains("b", refused.Message, StringComparison.Ordinal);
        foreach (var member in Members)
        {
            Assert.Equal(replicas[member], Sha256(group.Site.ReplicaFile(member)));
            Assert.Equal(points[member], group.Engine.RecoveryPoints.List(member).Count);
            Assert.Equal(ReplicationStatus.Active.ToCinder(), group.Site.Replica(member).Status);
            Assert.DoesNotContain(group.Site.EventsOf(member), e => e.Operation == "RollBackReplica");
        }
    }

    [UnixFact]
    public void AGroupRollbackCutShort_IsFinishedForEveryMember_ByThePromotionRunAgain()
    {
        var good = GoodGroupRoundsThenDamage();
        var chosen = good.Keys.Max();
        // What a process killed after the intents, with part of member a's blocks written back and none of b's, leaves.
        var pointOf = Members.ToDictionary(m => m, m => group.Engine.RecoveryPoints.List(m).Single(p => p.GroupRound == chosen).Round);
        using (var session = group.Engine.Context.Store.Begin(write: true))
        {
            foreach (var member in Members)
            {
                session.PutRecoveryRollback(group.Record(member).Id, pointOf[member], group.Site.Clock.Now);
            }

            session.Commit();
        }

        var snapshot = VolumeSnapshot.Load(group.Engine.Context.Store, "a");
        using (var point = group.Engine.RecoveryPoints.Open(snapshot, pointOf["a"]))
        using (var replica = new FileStream(group.Site.ReplicaFile("a"), FileMode.Open, FileAccess.ReadWrite))
        {
            var half = new byte[GroupSite.Size / 2];
            point.Read(0, half, 0, half.Length);
            replica.Write(half, 0, half.Length);
        }

        group.Engine.GroupOperations.Promote(GroupSite.Group, planned: false, group.Site.Quiet, CancellationToken.None, groupRound: chosen);

        foreach (var member in Members)
        {
            Assert.Equal(good[chosen][member], Sha256(group.Site.PrimaryFile(member)));
        }
    }

    private Dictionary<long, Dictionary<string, string>> GoodGroupRoundsThenDamage() => GoodGroupRoundsThenDamage(out _);

    /// <summary>Three group rounds of known data (each member's SHA-256 taken from its primary), then both primaries overwritten with random bytes and synced.</summary>
    private Dictionary<long, Dictionary<string, string>> GoodGroupRoundsThenDamage(out DateTimeOffset damagedAt)
    {
        group.CreateSyncedGroup(Members);
        var good = new Dictionary<long, Dictionary<string, string>>();
        for (var i = 0; i < 3; i++)
        {
            group.Write("a", 3 + i, 200 + i);
            group.Write("b", 5 + i, 300 + i);
            group.Site.Clock.Advance(TimeSpan.FromMinutes(5));
            group.SyncGroup();
            good[group.Get().LastRound!.Value] = Members.ToDictionary(m => m, m => Sha256(group.Site.PrimaryFile(m)));
        }

        group.Site.Clock.Advance(TimeSpan.FromMinutes(5));
        damagedAt = group.Site.Clock.Now;
        foreach (var (member, seed) in Members.Select((m, i) => (m, 666 + i)))
        {
            WriteAt(group.Site.PrimaryFile(member), 0, RandomBytes((int)GroupSite.Size, seed));
        }

        group.SyncGroup();
        foreach (var member in Members)
        {
            Assert.NotEqual(good[good.Keys.Max()][member], Sha256(group.Site.ReplicaFile(member)));
        }

        return good;
    }
}
