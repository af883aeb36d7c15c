using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>
/// Several hosts running the same scheduled sync (SyncUnlessBusy, Sync-VolumeReplica -SkipBusy): a busy volume is
/// skipped at once, one another host synced during the run is skipped, and the hosts split the volumes between them.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class SharedSyncTests : IDisposable
{
    private readonly EngineSite site = new EngineSite().WithPairAndReplicatedType();

    public void Dispose() => site.Dispose();

    [Fact]
    public void AVolumeAnotherOperationHolds_IsSkippedWithoutWaiting_AndSyncedOnceItIsFree()
    {
        site.CreateVolume("db01", 4 * MiB);
        var other = site.Reopen();
        var decisions = new RecordingObserver();
        var runStart = site.Clock.Now + TimeSpan.FromSeconds(1);
        site.Clock.Advance(TimeSpan.FromSeconds(2));
        var watch = Stopwatch.StartNew();

        using (other.Leases.Acquire("db01", "SyncReplica", site.Quiet, CancellationToken.None))
        {
            Assert.Null(site.Engine.Replication.SyncUnlessBusy("db01", false, runStart, decisions, CancellationToken.None));
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"Waited {watch.Elapsed.TotalSeconds:N1} s for a busy volume.");
        Assert.Contains(decisions.Decisions, d => d.StartsWith("Skipped without waiting", StringComparison.Ordinal) && d.Contains(other.Context.Actor));
        Assert.Equal(2, site.Engine.Replication.SyncUnlessBusy("db01", false, runStart, site.Quiet, CancellationToken.None)?.SyncGeneration);
    }

    [Fact]
    public void AVolumeWhoseRoundStartedAfterTheRunBegan_IsSkipped_ButNotByALaterRun()
    {
        site.CreateVolume("db01", 4 * MiB);
        site.Clock.Advance(TimeSpan.FromMinutes(1));
        var runStart = site.Clock.Now;
        site.Clock.Advance(TimeSpan.FromSeconds(5));
        site.Reopen().Replication.Sync("db01", false, site.Quiet, CancellationToken.None);
        var decisions = new RecordingObserver();

        Assert.Null(site.Engine.Replication.SyncUnlessBusy("db01", false, runStart, decisions, CancellationToken.None));
        Assert.Contains(decisions.Decisions, d => d.Contains("after this run began"));
        Assert.NotNull(site.Engine.Replication.SyncUnlessBusy("db01", false, site.Clock.Now + TimeSpan.FromSeconds(1), site.Quiet, CancellationToken.None));
    }

    [Fact]
    public async Task FourHostsRunningTheSameSync_SyncEveryVolumeExactlyOnce_AndShareTheWork()
    {
        var names = Enumerable.Range(1, 24).Select(i => $"v{i:D2}").ToList();
        foreach (var name in names)
        {
            site.CreateVolume(name, 8 * MiB);
            WriteAt(site.PrimaryFile(name), 0, RandomBytes((int)(4 * MiB), name.GetHashCode()));
        }

        site.Clock.Advance(TimeSpan.FromMinutes(1));
        var runStart = site.Clock.Now;
        var hosts = new[] { site.Engine, site.Reopen(), site.Reopen(), site.Reopen() };
        var synced = new ConcurrentBag<(int Host, string Volume)>();
        using var start = new Barrier(hosts.Length);

        await Task.WhenAll(hosts.Select((engine, host) => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            foreach (var name in names)
            {
                if (engine.Replication.SyncUnlessBusy(name, false, runStart, site.Quiet, CancellationToken.None) is not null)
                {
                    synced.Add((host, name));
                }
            }
        }, TaskCreationOptions.LongRunning)));

        // Each volume exactly once: one round each (generation 2 after the creation's 1), so no two at a time either.
        Assert.Equal(names, synced.Select(s => s.Volume).OrderBy(n => n, StringComparer.Ordinal));
        Assert.All(names, name => Assert.Equal(2, site.Record(name).SyncGeneration));
        Assert.True(synced.Select(s => s.Host).Distinct().Count() > 1, "One host did all the work.");
        foreach (var name in names)
        {
            AssertSameBytes(site.PrimaryFile(name), site.ReplicaFile(name));
        }

        Assert.Equal(0, site.RowCount("volume_leases"));
    }
}
