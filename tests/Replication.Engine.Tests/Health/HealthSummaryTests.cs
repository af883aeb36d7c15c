using System;
using System.Linq;
using Replication.Engine.Health;
using Replication.Engine.Model;
using Replication.Engine.State;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Health.ReplicaHealthTableTests;
using VolumeState = Replication.Engine.Tests.Health.ReplicaHealthTableTests.State;

namespace Replication.Engine.Tests.Health;

/// <summary>Measure-VolumeReplica's summary over replicas the engine judged: counts, the oldest data, RPO breaches, the worst health.</summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class HealthSummaryTests
{
    [Fact]
    public void A_site_of_every_state_is_summarized_by_health_and_status_with_the_worst_first()
    {
        using var site = NewSite();
        Reach(site, VolumeState.Active, 15, "fresh");
        Reach(site, VolumeState.Disabled, null, "plain");
        Reach(site, VolumeState.ActiveStopped, null, "paused");
        Reach(site, VolumeState.Inactive, null, "promoted");
        site.Clock.Advance(TimeSpan.FromMinutes(10));
        Reach(site, VolumeState.Active, 15, "late");
        site.Clock.Advance(TimeSpan.FromMinutes(8));

        var summary = ReplicationHealthSummary.Measure(site.Engine.Replication.List(VolumeQuery.All), site.Clock.Now);

        // fresh: 18 min old against 15 (Critical); late: 8 min against 15 (Warning); paused: Warning; promoted: Critical; plain: Normal.
        Assert.Equal(ReplicaHealth.Critical.ToString(), summary.Health);
        Assert.Equal(5, summary.VolumeCount);
        Assert.Equal((1, 2, 2), (summary.NormalCount, summary.WarningCount, summary.CriticalCount));
        Assert.Equal((1, 0, 2, 1, 1, 0), (summary.DisabledCount, summary.CopyingCount, summary.ActiveCount, summary.ActiveStoppedCount, summary.InactiveCount, summary.ErrorCount));
        Assert.Equal(TimeSpan.FromMinutes(18), summary.WorstDataAge);
        Assert.Equal("fresh", summary.WorstDataAgeVolume);
        Assert.Equal(new[] { "fresh" }, summary.OverRpoTarget);
        Assert.Equal(1, summary.OverRpoTargetCount);
        Assert.Equal(new[] { "fresh", "promoted" }, summary.CriticalVolumes);
        Assert.Equal(new[] { "late", "paused" }, summary.WarningVolumes);
        Assert.Equal(4, summary.Problems.Length);
        Assert.StartsWith("fresh (Critical): data age 18m 00s is over the RPO target", summary.Problems[0], StringComparison.Ordinal);
        Assert.StartsWith("promoted (Critical): replication status inactive", summary.Problems[1], StringComparison.Ordinal);
        Assert.StartsWith("late (Warning): data age 8m 00s is over half", summary.Problems[2], StringComparison.Ordinal);
        Assert.Equal(site.Clock.Now, summary.MeasuredAt);
    }

    [Fact]
    public void Nothing_to_measure_is_Normal_with_no_worst_age()
    {
        var summary = ReplicationHealthSummary.Measure(Array.Empty<VolumeReplica>(), DateTimeOffset.UnixEpoch);

        Assert.Equal(ReplicaHealth.Normal.ToString(), summary.Health);
        Assert.Equal(0, summary.VolumeCount);
        Assert.Null(summary.WorstDataAge);
        Assert.Null(summary.WorstDataAgeVolume);
        Assert.Empty(summary.Problems);
    }

    [Fact]
    public void A_replica_given_twice_counts_once_and_the_overall_health_is_the_worst_one()
    {
        using var site = NewSite();
        Reach(site, VolumeState.Active, null, "a");
        Reach(site, VolumeState.ActiveStopped, null, "b");
        var a = site.Replica("a");
        var b = site.Replica("b");

        var summary = ReplicationHealthSummary.Measure(new[] { a, a, b, a }, site.Clock.Now);

        Assert.Equal(2, summary.VolumeCount);
        Assert.Equal(ReplicaHealth.Warning.ToString(), summary.Health);
        Assert.Equal((1, 1, 0), (summary.NormalCount, summary.WarningCount, summary.CriticalCount));
        Assert.Empty(summary.OverRpoTarget);
    }
}
