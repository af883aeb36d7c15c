using System;
using System.IO;
using System.Linq;
using Microsoft.Data.Sqlite;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.State;
using Replication.Engine.State.Sql;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Health;

/// <summary>Measure-VolumeReplica's round statistics (as Measure-VMReplication gives them), summed from the rounds' events.</summary>
public sealed class RoundFiguresTests
{
    [Fact]
    [Trait(StoreTrait.Name, StoreTrait.Each)]
    public void Rounds_since_a_time_are_counted_and_sized_per_volume_and_a_failed_one_has_a_duration_and_no_bytes()
    {
        using var site = new EngineSite().WithPairAndReplicatedType();
        site.CreateVolume("db01", 4 * MiB);
        site.CreateVolume("db02", 4 * MiB);
        WriteAt(site.PrimaryFile("db01"), 0, RandomBytes(3 * Block, 1));
        site.Sync("db01");                                      // before the period: not counted
        site.Clock.Advance(TimeSpan.FromHours(1));
        var since = site.Clock.Now;
        WriteAt(site.PrimaryFile("db01"), 0, RandomBytes(2 * Block, 2));
        site.Sync("db01");                                      // 2 blocks
        WriteAt(site.PrimaryFile("db01"), 3 * Block, RandomBytes(Block, 3));
        site.Sync("db01");                                      // 1 block
        WriteAt(site.PrimaryFile("db02"), 0, RandomBytes(4 * Block, 4));
        site.Sync("db02");                                      // 4 blocks, another volume
        File.Delete(site.ReplicaFile("db01"));
        Refused(ErrorIds.ReplicaUnwritable, () => site.Sync("db01"));

        var one = site.Engine.Replication.Measure(new[] { site.Replica("db01") }, since);
        var both = site.Engine.Replication.Measure(site.Engine.Replication.List(VolumeQuery.All), since);

        Assert.Equal(since, one.RoundsSince);
        Assert.Equal((2L, 1L), (one.SuccessfulRounds, one.FailedRounds));
        Assert.Equal((3L * Block / 2, 2L * Block), (one.AverageRoundBytes, one.LargestRoundBytes));
        Assert.Equal((3L, 1L), (both.SuccessfulRounds, both.FailedRounds));
        Assert.Equal((7L * Block / 3, 4L * Block), (both.AverageRoundBytes, both.LargestRoundBytes));
        Assert.Equal(0, both.AverageRoundSeconds);   // the test clock stands still while a round runs
        var failed = Assert.Single(site.Engine.Events(new EventQuery { ObjectName = "db01", Operation = "syncreplicafailed" }));
        Assert.Null(failed.RoundBytesWritten);
        Assert.Equal(0, failed.RoundSeconds);
        Assert.Equal(ReplicationStatus.Error.ToCinder(), failed.ToStatus);
        Assert.Equal(failed.Id, Assert.Single(site.Engine.Events(new EventQuery { ToStatus = ReplicationStatus.Error })).Id);
        Assert.Empty(site.Engine.Events(new EventQuery { ObjectName = "db01", Operation = "SyncReplicaFailed", Until = failed.Time }));
    }

    [Fact]
    [Trait(StoreTrait.Name, StoreTrait.Each)]
    public void A_period_with_no_round_has_counts_of_zero_and_no_averages()
    {
        using var site = new EngineSite().WithPairAndReplicatedType();
        site.CreateVolume("db01", 4 * MiB);
        WriteAt(site.PrimaryFile("db01"), 0, RandomBytes(Block, 1));
        site.Sync("db01");

        var summary = site.Engine.Replication.Measure(site.Engine.Replication.List(VolumeQuery.All), site.Clock.Now.AddSeconds(1));

        Assert.Equal((0L, 0L), (summary.SuccessfulRounds, summary.FailedRounds));
        Assert.Null(summary.AverageRoundBytes);
        Assert.Null(summary.LongestRoundSeconds);
    }

    [Fact]
    [Trait("Store", "Specific")]
    public void The_figures_of_a_state_file_are_summed_through_the_index_of_round_events_by_time()
    {
        using var site = new EngineSite(StateStoreKind.Sqlite).WithPairAndReplicatedType();
        site.CreateVolume("db01", 4 * MiB);

        using var connection = new SqliteConnection($"Data Source={site.StatePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + SqlStateSession.RoundFiguresQuery;
        command.Parameters.AddWithValue("@since", "2000-01-01");
        using var reader = command.ExecuteReader();
        var plan = string.Join("\n", Enumerable.Range(0, 100).TakeWhile(_ => reader.Read()).Select(_ => reader.GetString(3)));

        Assert.Contains("USING INDEX events_rounds_by_time", plan, StringComparison.Ordinal);
    }
}
