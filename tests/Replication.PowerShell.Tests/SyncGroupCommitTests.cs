using System;
using System.IO;
using System.Linq;
using System.Threading;
using Replication.Engine.Model;
using Replication.Engine.State;
using Xunit.Abstractions;

namespace Replication.PowerShell.Tests;

/// <summary>
/// Group commit (issue 21): the rounds of one Sync-VolumeReplica pipeline are recorded together, a few durable
/// transactions for hundreds of volumes instead of one or more each, and nothing a round did is lost or reported early.
/// </summary>
public sealed class SyncGroupCommitTests : IDisposable
{
    private const int Volumes = 300;

    private readonly CmdletHost _host = new();
    private readonly StateWorkCounts _work;
    private readonly ITestOutputHelper _output;

    public SyncGroupCommitTests(ITestOutputHelper output)
    {
        _output = output;
        _host.AddStory();
        _work = StateWork.For(Path.GetFullPath(_host.StatePath));
        _host.Script(@"1..$args[0] | ForEach-Object { [pscustomobject]@{ Name = 'g{0:d3}' -f $_; SizeBytes = 1MB; VolumeType = 'replicated' } } | New-Volume | Out-Null", Volumes)
            .AssertNoErrors();
    }

    public void Dispose() => _host.Dispose();

    [Fact]
    public void Unchanged_rounds_of_a_pipeline_share_a_few_durable_transactions_and_are_all_recorded()
    {
        FirstRoundThenQuiet();
        var before = _host.Script("Get-VolumeReplica | Sort-Object VolumeName").Objects.Cast<VolumeReplica>().ToList();
        var writes = _work.DurableWrites;

        var results = Sync("Get-Volume | Sync-VolumeReplica -Confirm:$false");

        var durable = _work.DurableWrites - writes;
        _output.WriteLine($"{Volumes} unchanged rounds: {durable} durable writing transactions.");
        Assert.Equal(Volumes, results.Count);
        Assert.All(results, r => Assert.Equal(nameof(SyncMode.Unchanged), r.Mode));
        // 300 rounds make two batches of at most 256 (or more if a batch waited a second); one or more per volume before.
        Assert.InRange(durable, 2, 12);
        var after = _host.Script("Get-VolumeReplica | Sort-Object VolumeName").Objects.Cast<VolumeReplica>().ToList();
        Assert.All(before.Zip(after), pair => Assert.True(pair.Second.LastSyncTime > pair.First.LastSyncTime, $"'{pair.First.VolumeName}' was not recorded."));
    }

    [Fact]
    public void Changed_rounds_in_a_batch_are_applied_recorded_and_leave_no_journal()
    {
        FirstRoundThenQuiet();
        var changed = Enumerable.Range(1, 20).Select(i => $"g{i * 7:d3}").ToList();
        foreach (var (name, i) in changed.Select((n, i) => (n, i)))
        {
            CmdletHost.WriteBytes(_host.ConnectionPath(name), 65536L * (i % 16), CmdletHost.RandomBytes(4096, i + 1));
        }

        var results = Sync("Get-Volume | Sync-VolumeReplica -Confirm:$false");

        Assert.Equal(Volumes, results.Count);
        Assert.Equal(changed.OrderBy(n => n), results.Where(r => r.Mode != nameof(SyncMode.Unchanged)).Select(r => r.VolumeName).OrderBy(n => n));
        foreach (var name in changed)
        {
            var primary = _host.ConnectionPath(name);
            var replica = Directory.EnumerateFiles(_host.Root, Path.GetFileName(primary), SearchOption.AllDirectories).Single(f => f != primary);
            Assert.Equal(CmdletHost.Hash(primary), CmdletHost.Hash(replica));
        }

        Assert.Empty(Directory.EnumerateFiles(_host.Root, "*sync-journal*", SearchOption.AllDirectories));
        Assert.All(_host.Script("Get-VolumeReplica").Objects.Cast<VolumeReplica>(), r => Assert.Equal("active", r.Status));
    }

    [Fact]
    public void A_volume_piped_twice_waits_for_no_one_its_batch_records_the_first_round_first()
    {
        FirstRoundThenQuiet();
        var started = DateTime.UtcNow;

        var results = Sync("'g001', 'g002', 'g001' | Sync-VolumeReplica -Confirm:$false");

        Assert.Equal(new[] { "g001", "g002", "g001" }, results.Select(r => r.VolumeName));
        // The batch holds g001's lease: asked again, it records what waits instead of waiting out the 15 s busy limit.
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "The second round of g001 waited for the lease its own pipeline held.");
    }

    [Fact]
    public void A_changed_round_in_a_batch_syncs_to_disk_three_times_and_its_batch_shares_three_folder_flushes()
    {
        FirstRoundThenQuiet();
        var changed = Enumerable.Range(1, 40).Select(i => $"g{i * 7:d3}").ToList();
        foreach (var (name, i) in changed.Select((n, i) => (n, i)))
        {
            CmdletHost.WriteBytes(_host.ConnectionPath(name), 65536L * (i % 16), CmdletHost.RandomBytes(4096, i + 100));
        }

        var syncs = Replication.Engine.Files.FileSyncs.Watch(_host.Root);
        var syncsBefore = syncs.Syncs;
        var writes = _work.DurableWrites;

        var results = Sync("Get-Volume | Sync-VolumeReplica -Confirm:$false");

        var made = syncs.Syncs - syncsBefore;
        var batches = _work.DurableWrites - writes;
        _output.WriteLine($"{changed.Count} changed rounds among {Volumes}: {made} syncs to disk, {batches} batches.");
        Assert.Equal(changed.Count, results.Count(r => r.Mode == nameof(SyncMode.Incremental)));
        // Each changed round: its journal, its commit record, the replica (the batch syncs them side by side). Each batch:
        // one folder flush naming its commit records, one forgetting them and one forgetting its journals. Before batching
        // (and with a journal synced by each of its writers) a round made eight; committed one by one, four.
        Assert.InRange(made, (3 * changed.Count) + 1, (3 * changed.Count) + (3 * batches));
    }

    [Fact]
    public void WhatIf_runs_no_round_and_takes_no_lease()
    {
        var writes = _work.DurableWrites;
        var result = _host.Script("Get-Volume | Sync-VolumeReplica -WhatIf");
        result.AssertNoErrors();
        Assert.Empty(result.Objects);
        Assert.Equal(writes, _work.DurableWrites);
    }

    /// <summary>A first round records every volume's stamp; after its files are a few seconds old, a round can prove them quiet.</summary>
    private void FirstRoundThenQuiet()
    {
        Thread.Sleep(TimeSpan.FromSeconds(2.5));
        Assert.Equal(Volumes, Sync("Get-Volume | Sync-VolumeReplica -Confirm:$false").Count);
    }

    private System.Collections.Generic.List<SyncResult> Sync(string script)
    {
        var result = _host.Script(script);
        result.AssertNoErrors();
        return result.Objects.Cast<SyncResult>().ToList();
    }
}
