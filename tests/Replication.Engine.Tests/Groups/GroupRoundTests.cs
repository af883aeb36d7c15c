using System;
using System.IO;
using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Groups;

/// <summary>A group round moves every member's replica to the same round, or none of them.</summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class GroupRoundTests : IDisposable
{
    private readonly GroupSite g = new();

    public void Dispose() => g.Dispose();

    [UnixFact]
    public void GroupRound_MovesEveryReplicaToTheSameRound_AsOfItsStart()
    {
        g.CreateVolumes("a", "b", "c");
        g.Engine.Groups.Add(GroupSite.Group, null, new[] { "a", "b", "c" });
        g.Write("a", 10, 1);
        g.Write("b", 20, 2);
        g.Write("c", 30, 3);
        var asOfRound = g.Primaries("a", "b", "c");
        g.Site.Clock.Advance(TimeSpan.FromMinutes(5));
        var started = g.Site.Clock.Now;

        var results = g.SyncGroup();

        Assert.Equal(new[] { "a", "b", "c" }, results.Select(r => r.VolumeName).OrderBy(n => n));
        Assert.All(results, r => Assert.Equal(ReplicationStatus.Active.ToCinder(), r.Status));
        Assert.All(results, r => Assert.Equal(started, r.DataTimestamp));
        var group = g.Get();
        Assert.Equal(started, group.LastRoundDataTimestamp);
        g.AssertAtCommonRound(asOfRound, 1);

        // Writes after the round are not in it; the next round takes them, for every member at once.
        g.Write("b", 21, 4);
        Assert.Equal(asOfRound["b"], g.Replica("b"));
        g.SyncGroup();
        g.AssertAtCommonRound(g.Primaries("a", "b", "c"), 2);
    }

    [UnixFact]
    public void UnchangedMember_StillHoldsTheNewRound()
    {
        g.CreateVolumes("a", "b");
        g.Engine.Groups.Add(GroupSite.Group, null, new[] { "a", "b" });
        g.MakeQuiet("a");
        g.MakeQuiet("b");
        g.SyncGroup();
        g.Write("a", 11, 5); // b is not written: its round reads nothing

        var results = g.SyncGroup();

        Assert.Equal(SyncMode.Unchanged.ToString(), results.Single(r => r.VolumeName == "b").Mode);
        Assert.NotEqual(SyncMode.Unchanged.ToString(), results.Single(r => r.VolumeName == "a").Mode);
        g.AssertAtCommonRound(g.Primaries("a", "b"), 2);
    }

    [UnixFact]
    public void MemberWhosePrimaryCannotBeRead_FailsTheRound_AndNoReplicaMoves()
    {
        g.CreateSyncedGroup("a", "b", "c");
        var before = g.Replicas("a", "b", "c");
        var generations = new[] { "a", "b", "c" }.ToDictionary(n => n, n => g.Record(n).SyncGeneration);
        g.Write("a", 12, 6);
        g.Write("b", 13, 7);
        var cPrimary = g.Site.PrimaryFile("c");
        File.Move(cPrimary, cPrimary + ".away"); // the last member staged fails: a and b were already staged

        var error = Assert.Throws<ReplicationException>(() => g.SyncGroup());

        Assert.Equal(ErrorIds.PrimaryUnreadable, error.ErrorId);
        foreach (var name in before.Keys)
        {
            Assert.True(before[name].AsSpan().SequenceEqual(g.Replica(name)), $"The replica of '{name}' moved although the group round failed.");
            Assert.Equal(1, g.Record(name).GroupRound);
            Assert.Equal(generations[name], g.Record(name).SyncGeneration);
        }

        Assert.Empty(g.Journals());
        Assert.Equal(1, g.Get().LastRound);
        Assert.Equal(ReplicationStatus.Active, g.Record("c").ReplicationStatus); // a primary fault says nothing about the replica

        File.Move(cPrimary + ".away", cPrimary);
        g.SyncGroup();
        g.AssertAtCommonRound(g.Primaries("a", "b", "c"), 2);
    }

    [UnixFact]
    public void MemberNotConsistent_RefusesTheRound_BeforeAnyReplicaMoves()
    {
        g.CreateSyncedGroup("a", "b");
        var before = g.Replicas("a", "b");
        g.Write("a", 14, 8);
        File.Delete(g.Site.ReplicaFile("b"));
        g.Repair(); // records b's missing replica: error

        var error = Assert.Throws<ReplicationException>(() => g.SyncGroup());

        // Refused as a group without a common point, or as the faulty member's own sync would be; either way naming it.
        Assert.Contains(error.ErrorId, new[] { ErrorIds.GroupNotConsistent, ErrorIds.SyncNotAllowed });
        Assert.Contains("'b'", error.Message);
        Assert.Equal(ReplicationStatus.Error, g.Record("b").ReplicationStatus);
        Assert.Equal(before["a"], g.Replica("a"));
        Assert.Equal(1, g.Record("a").GroupRound);
        Assert.False(g.Get().Consistent);
        Assert.Empty(g.Journals());
    }

    [UnixFact]
    public void GroupRound_RecordsOneEventForTheGroup_AndOneForEachMember()
    {
        g.CreateSyncedGroup("a", "b");

        var groupEvents = g.Site.EventsOf(GroupSite.Group).Where(e => e.Operation == "SyncReplicationGroup").ToList();

        Assert.Single(groupEvents);
        Assert.Contains("round 1 committed", groupEvents[0].Message);
        Assert.Single(g.Site.EventsOf("a"), e => e.Operation == "SyncReplicationGroup");
        Assert.Single(g.Site.EventsOf("b"), e => e.Operation == "SyncReplicationGroup");
    }
}
