using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Replication.Engine.DrTests;
using Replication.Engine.Model;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Groups;

/// <summary>A group DR test checks every member at the same round; a backend failover moves a group as one unit and loose volumes one by one.</summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class GroupDrTestAndFailoverTests : IDisposable
{
    private static readonly string[] Members = { "a", "b", "c" };

    private readonly GroupSite g = new();

    public void Dispose() => g.Dispose();

    private IReadOnlyList<DrTestResult> TestGroup() => g.Engine.DrTests.RunGroup(GroupSite.Group, DrTestOptions.Default, g.Site.Quiet, CancellationToken.None);

    [UnixFact]
    public void GroupDrTest_TestsEveryMemberAtTheGroupRound_AndLeavesNoTestVolume()
    {
        g.CreateSyncedGroup(Members);
        g.Write("a", 8, 80);
        g.SyncGroup(); // round 2
        g.Write("b", 9, 81); // not in any round: the test is of round 2

        var results = TestGroup();

        Assert.Equal(Members, results.Select(r => r.VolumeName).OrderBy(n => n));
        Assert.All(results, r =>
        {
            Assert.Equal(DrTestOutcome.Passed.ToString(), r.Outcome);
            Assert.Contains($"group '{GroupSite.Group}' round 2", r.Verified);
            Assert.Equal(g.Record(r.VolumeName).SyncGeneration, r.SyncGeneration);
            Assert.Equal(0, r.BlocksMismatched);
            Assert.True(r.BlocksCompared > 0);
        });
        Assert.Equal(Members, g.Engine.Volumes.List(new State.VolumeQuery()).Select(v => v.Name).OrderBy(n => n));
        Assert.All(Members, n => Assert.Equal(2, g.Record(n).GroupRound));
    }

    [UnixFact]
    public void GroupDrTest_WithoutACommonRound_IsNotTestable_ForEachMember()
    {
        g.CreateVolumes(Members);
        g.Engine.Groups.Add(GroupSite.Group, null, Members);
        var files = g.Site.SnapshotFolders();

        var results = TestGroup();

        Assert.Equal(3, results.Count);
        Assert.All(results, r =>
        {
            Assert.Equal(DrTestOutcome.NotTestable.ToString(), r.Outcome);
            Assert.Contains("no group round", r.Reason);
        });
        Assert.Equal(files, g.Site.SnapshotFolders());
    }

    [UnixFact]
    public void GroupDrTest_WithAMemberOffTheRound_IsNotTestable_NamingIt()
    {
        g.CreateSyncedGroup("a", "b");
        g.CreateVolumes("c");
        g.Engine.Groups.AddMembers(GroupSite.Group, new[] { "c" });

        var results = TestGroup();

        Assert.Equal(3, results.Count);
        Assert.All(results, r =>
        {
            Assert.Equal(DrTestOutcome.NotTestable.ToString(), r.Outcome);
            Assert.Contains("members c ", r.Reason);
        });
    }

    [UnixTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void BackendFailoverAndFailback_MoveTheGroupAsOneUnit_AndLooseVolumesOnTheirOwn(bool planned)
    {
        g.CreateSyncedGroup(Members);
        g.CreateVolumes("loose1", "loose2");
        g.Write("a", 12, 90); // after the last round
        g.Write("loose1", 12, 91);
        var beforeFailover = g.Primaries("a", "b", "c", "loose1", "loose2");
        var round = g.Get().LastRound!.Value;
        var failedOver = new List<BackendFailoverResult>();

        g.Engine.Failover.FailOver("dc1", planned, throttle: 2, g.Site.Quiet, r => { lock (failedOver) { failedOver.Add(r); } }, CancellationToken.None);

        Assert.Equal(new[] { "a", "b", "c", "loose1", "loose2" }, failedOver.Select(r => r.VolumeName).OrderBy(n => n));
        Assert.All(failedOver, r => Assert.True(r.Succeeded, $"{r.VolumeName}: {r.Detail}"));
        Assert.All(failedOver, r => Assert.Equal("dc2", r.PrimaryBackend));
        Assert.All(failedOver.Where(r => Members.Contains(r.VolumeName)), r => Assert.Contains($"With group '{GroupSite.Group}'", r.Detail));
        Assert.All(failedOver.Where(r => !Members.Contains(r.VolumeName)), r => Assert.DoesNotContain("With group", r.Detail));
        foreach (var name in beforeFailover.Keys)
        {
            Assert.Equal("dc2", g.Record(name).Backend);
            Assert.Equal(ReplicationStatus.Inactive, g.Record(name).ReplicationStatus);
        }

        if (planned)
        {
            Assert.All(beforeFailover, kv => Assert.True(kv.Value.AsSpan().SequenceEqual(g.Primary(kv.Key)), $"'{kv.Key}' lost data in a planned failover."));
            Assert.Equal(round + 1, g.Get().LastRound); // the final group round
        }
        else
        {
            // Unplanned: every member serves the same round, the last common one; a's newest write is not in it.
            Assert.False(beforeFailover["a"].AsSpan().SequenceEqual(g.Primary("a")));
            Assert.Equal(round, g.Get().LastRound);
        }

        g.Write("b", 13, 92); // written while dc1 is down
        g.Write("loose2", 13, 93);
        var duringFailover = g.Primaries("a", "b", "c", "loose1", "loose2");
        var failedBack = new List<BackendFailoverResult>();

        g.Engine.Failover.FailBack("dc1", discardFencedWrites: false, throttle: 2, g.Site.Quiet, r => { lock (failedBack) { failedBack.Add(r); } }, CancellationToken.None);

        Assert.Equal(new[] { "a", "b", "c", "loose1", "loose2" }, failedBack.Select(r => r.VolumeName).OrderBy(n => n));
        Assert.All(failedBack, r => Assert.True(r.Succeeded, $"{r.VolumeName}: {r.Detail}"));
        Assert.All(failedBack, r => Assert.Equal("FailedBack", r.Action));
        Assert.All(failedBack.Where(r => Members.Contains(r.VolumeName)), r => Assert.Contains($"With group '{GroupSite.Group}'", r.Detail));
        Assert.All(failedBack.Where(r => !Members.Contains(r.VolumeName)), r => Assert.DoesNotContain("With group", r.Detail));
        Assert.Null(g.Site.BackendRecord("dc1").FailedOverAt);
        foreach (var name in duringFailover.Keys)
        {
            var record = g.Record(name);
            Assert.Equal("dc1", record.Backend);
            Assert.Equal("dc2", record.ReplicaBackend);
            Assert.Equal(ReplicationStatus.Active, record.ReplicationStatus);
            Assert.False(record.ReplicaFenced);
            Assert.Null(record.FailoverSource);
            Assert.True(duringFailover[name].AsSpan().SequenceEqual(g.Primary(name)), $"'{name}' lost the writes made during the failover.");
            AssertSameBytes(g.Site.PrimaryFile(name), g.Site.ReplicaFile(name));
        }

        var group = g.Get();
        Assert.Equal("dc1", group.PrimaryBackend);
        g.AssertAtCommonRound(g.Primaries(Members), group.LastRound!.Value);
        Assert.All(new[] { "loose1", "loose2" }, n => Assert.Null(g.Record(n).GroupName));
    }
}
