using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Replication.Engine.Model;

namespace Replication.PowerShell.Tests;

/// <summary>
/// A sync round says where its time went (issue 21): each phase counts only when the round did that work, the phases
/// add up to no more than the round took, and -Verbose says them.
/// </summary>
public sealed class RoundPhaseTests : IDisposable
{
    private readonly CmdletHost _host = new();

    public RoundPhaseTests()
    {
        _host.AddStory();
        _host.NewVolume("db01");
        CmdletHost.WriteBytes(_host.ConnectionPath("db01"), 0, CmdletHost.RandomBytes(1 << 20, 1));
    }

    public void Dispose() => _host.Dispose();

    [Fact]
    public void A_first_round_writes_the_replica_directly_and_no_journal()
    {
        var phases = Sync().Phases!;

        Assert.True(phases.ReplicaWrites > TimeSpan.Zero, $"No replica writes in {phases}.");
        Assert.True(phases.Hash > TimeSpan.Zero && phases.Fsync > TimeSpan.Zero && phases.State > TimeSpan.Zero, phases.ToString());
        Assert.Equal(TimeSpan.Zero, phases.Journal);
    }

    [Fact]
    public void A_changed_round_of_a_consistent_replica_journals_then_writes_and_syncs()
    {
        Sync();
        CmdletHost.WriteBytes(_host.ConnectionPath("db01"), 1 << 21, CmdletHost.RandomBytes(4096, 2));

        var clock = Stopwatch.StartNew();
        var result = Sync();
        var took = clock.Elapsed;

        var phases = result.Phases!;
        Assert.Equal(nameof(SyncMode.Incremental), result.Mode);
        Assert.All(new[] { phases.ExtentWalk, phases.Read, phases.Hash, phases.Journal, phases.ReplicaWrites, phases.Fsync, phases.State },
            phase => Assert.True(phase > TimeSpan.Zero, $"A phase of a changed round took no time: {phases}."));
        Assert.True(phases.Total <= took, $"The phases ({phases.Total}) add up to more than the round took ({took}).");
    }

    [Fact]
    public void An_unchanged_round_reads_hashes_and_writes_nothing_and_Verbose_says_its_phases()
    {
        // The quick check trusts a change stamp only once the file has been quiet for a moment.
        Thread.Sleep(TimeSpan.FromSeconds(2.5));
        Sync();

        var run = _host.Script("Sync-VolumeReplica -Name db01 -Confirm:$false -Verbose");
        run.AssertNoErrors();

        var result = run.Objects.Cast<SyncResult>().Single();
        var phases = result.Phases!;
        Assert.Equal(nameof(SyncMode.Unchanged), result.Mode);
        Assert.Equal(TimeSpan.Zero, phases.ExtentWalk + phases.Read + phases.Hash + phases.Journal + phases.ReplicaWrites);
        Assert.Contains(run.Verbose, line => line.Contains("Round phases: extent walk ", StringComparison.Ordinal) && line.Contains("fsync", StringComparison.Ordinal));
    }

    private SyncResult Sync()
    {
        var run = _host.Script("Sync-VolumeReplica -Name db01 -Confirm:$false");
        run.AssertNoErrors();
        return run.Objects.Cast<SyncResult>().Single();
    }
}
