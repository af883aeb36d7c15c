using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Replication.Engine.Errors;
using Replication.Engine.State;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>One operation per volume at a time, across engines on one state file (as across processes).</summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class VolumeLeaseTests : IDisposable
{
    private const string Vol = "db01";
    private readonly EngineSite site = new EngineSite().WithPairAndReplicatedType();

    public VolumeLeaseTests() => site.CreateVolume(Vol, 16 * MiB);

    public void Dispose() => site.Dispose();

    [Fact]
    public void AHeldVolume_RefusesASecondOperation_WithWhoHoldsIt_ThenAcceptsItOnceReleased()
    {
        var other = site.Reopen();
        other.Leases.WaitLimit = TimeSpan.FromMilliseconds(300);
        var lease = site.Engine.Leases.Acquire(Vol, "SyncReplica", site.Quiet, CancellationToken.None);

        var busy = Assert.Throws<ReplicationException>(() => other.Replication.Sync(Vol, false, site.Quiet, CancellationToken.None));

        Assert.Equal(ErrorIds.VolumeBusy, busy.ErrorId);
        Assert.Contains("SyncReplica by", busy.Message);
        Assert.Contains(site.Engine.Context.Actor, busy.Message);
        lease.Dispose();
        Assert.Equal(2, other.Replication.Sync(Vol, false, site.Quiet, CancellationToken.None).SyncGeneration);
    }

    [Fact]
    public void An_operation_that_waits_for_a_lease_says_once_what_it_waits_for()
    {
        var other = site.Reopen();
        other.Leases.WaitLimit = TimeSpan.FromMilliseconds(400);
        var observer = new RecordingObserver();
        using (site.Engine.Leases.Acquire(Vol, "SyncReplica", site.Quiet, CancellationToken.None))
        {
            Assert.Throws<ReplicationException>(() => other.Replication.Sync(Vol, false, observer, CancellationToken.None));
        }

        var waiting = Assert.Single(observer.Decisions, d => d.Contains("is busy", StringComparison.Ordinal));
        Assert.Equal($"Volume '{Vol}' is busy (SyncReplica by {site.Engine.Context.Actor}); waiting up to 400 ms for it to finish.", waiting);
    }

    [Fact]
    public void An_operation_waits_15_seconds_by_default_for_a_held_volume()
    {
        var other = site.Reopen();
        using var cancel = new CancellationTokenSource();
        var observer = new RecordingObserver { OnDecision = d => { if (d.Contains("is busy", StringComparison.Ordinal)) { cancel.Cancel(); } } };
        using (site.Engine.Leases.Acquire(Vol, "SyncReplica", site.Quiet, CancellationToken.None))
        {
            // Cancelled as soon as it says how long it waits, rather than waiting it out.
            Assert.ThrowsAny<OperationCanceledException>(() => other.Replication.Sync(Vol, false, observer, cancel.Token));
        }

        var waiting = Assert.Single(observer.Decisions, d => d.Contains("is busy", StringComparison.Ordinal));
        Assert.Equal($"Volume '{Vol}' is busy (SyncReplica by {site.Engine.Context.Actor}); waiting up to 15 s for it to finish.", waiting);
    }

    [Fact]
    public void ALeaseWhoseHolderStoppedRenewing_Holds30Seconds_ThenLapsesAndIsTakenOver()
    {
        site.Engine.Leases.RenewEvery = Timeout.InfiniteTimeSpan; // a holder that stopped renewing: a hung process, or another host's dead one
        site.Engine.Leases.Acquire(Vol, "PromoteReplica", site.Quiet, CancellationToken.None);
        var other = site.Reopen();

        site.Clock.Advance(TimeSpan.FromSeconds(29));
        Refused(ErrorIds.VolumeBusy, () => other.Leases.Acquire(Vol, "SyncReplica", site.Quiet, CancellationToken.None, wait: TimeSpan.Zero));

        site.Clock.Advance(TimeSpan.FromSeconds(1)); // 30 s after it was taken, as the help says
        var decisions = new RecordingObserver();
        other.Leases.Acquire(Vol, "SyncReplica", decisions, CancellationToken.None, wait: TimeSpan.Zero).Dispose();

        Assert.Contains(decisions.Decisions, d => d.Contains("lapsed") && d.Contains("PromoteReplica"));
    }

    [Fact]
    public void AHolderThatRenews_KeepsItsLeasePastItsLifetime_WhileAnotherEngineIsRefused()
    {
        site.Engine.Leases.RenewEvery = TimeSpan.FromMilliseconds(20);
        var other = site.Reopen();
        using (site.Engine.Leases.Acquire(Vol, "SyncReplica", site.Quiet, CancellationToken.None))
        {
            var holder = Lease().Holder;

            // 20 s at a time to 60 s, twice the 30 s an unrenewed lease lasts: after each step the holder's timer renews
            // its lease to 30 s past the clock, and the other engine is still refused.
            for (var step = 0; step < 3; step++)
            {
                site.Clock.Advance(TimeSpan.FromSeconds(20));
                var renewedTo = site.Clock.Now + TimeSpan.FromSeconds(30);
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
                while (Lease().ExpiresAt < renewedTo)
                {
                    Assert.True(DateTime.UtcNow < deadline, $"The lease was not renewed to {renewedTo:u} within 30 s; it expires at {Lease().ExpiresAt:u}.");
                    Thread.Sleep(10);
                }

                Assert.Equal(holder, Lease().Holder);
                var busy = Refused(ErrorIds.VolumeBusy, () => other.Leases.Acquire(Vol, "PromoteReplica", site.Quiet, CancellationToken.None, wait: TimeSpan.Zero));
                Assert.Contains("SyncReplica by", busy.Message);
            }
        }

        other.Leases.Acquire(Vol, "PromoteReplica", site.Quiet, CancellationToken.None, wait: TimeSpan.Zero).Dispose();
    }

    private VolumeLease Lease()
    {
        using var session = site.Engine.Context.Store.Begin(write: false);
        return session.FindLease(site.Record(Vol).Id) ?? throw new InvalidOperationException($"No lease on '{Vol}'.");
    }

    [Fact]
    public void ALeaseOfAProcessOfThisMachineThatIsGone_LapsesAtOnce_ButOneOfAnotherMachineWaitsForItsExpiry()
    {
        using var finished = System.Diagnostics.Process.Start("sleep", "0.2")!;
        var started = finished.StartTime.ToUniversalTime();
        finished.WaitForExit();
        PutForeignLease(EngineContext.Host, finished.Id, started);
        var decisions = new RecordingObserver();

        site.Engine.Leases.Acquire(Vol, "SyncReplica", decisions, CancellationToken.None, wait: TimeSpan.Zero).Dispose();

        Assert.Contains(decisions.Decisions, d => d.Contains("lapsed"));
        PutForeignLease("another-host", finished.Id, started);
        var busy = Assert.Throws<ReplicationException>(() => site.Engine.Leases.Acquire(Vol, "SyncReplica", site.Quiet, CancellationToken.None, wait: TimeSpan.Zero));
        Assert.Equal(ErrorIds.VolumeBusy, busy.ErrorId);
    }

    [Fact]
    public void Operations_GiveTheirLeaseBack()
    {
        site.Sync(Vol);
        site.Disable(Vol);
        site.Enable(Vol);
        site.Promote(Vol, planned: true);

        Assert.Equal(0, site.RowCount("volume_leases"));
    }

    private void PutForeignLease(string host, int processId, DateTimeOffset processStartedAt)
    {
        using var session = site.Engine.Context.Store.Begin(write: true);
        session.PutLease(new VolumeLease
        {
            VolumeId = site.Record(Vol).Id,
            Holder = "someone-else",
            Actor = $"other@{host} ({processId})",
            Operation = "PromoteReplica",
            AcquiredAt = site.Clock.Now,
            ExpiresAt = site.Clock.Now + TimeSpan.FromSeconds(30),
            Host = host,
            ProcessId = processId,
            ProcessStartedAt = processStartedAt,
        });
        session.Commit();
    }

    [Fact]
    public async Task FourEnginesSyncingOneVolumeAtOnce_TakeTurns_AndRecordEveryRound()
    {
        var engines = new[] { site.Engine, site.Reopen(), site.Reopen(), site.Reopen() };
        WriteAt(site.PrimaryFile(Vol), 0, RandomBytes(Block, 7));

        var rounds = await Task.WhenAll(engines.Select(e => Task.Run(() => e.Replication.Sync(Vol, true, site.Quiet, CancellationToken.None))));

        Assert.Equal(new long[] { 2, 3, 4, 5 }, rounds.Select(r => r.SyncGeneration).OrderBy(g => g));
        AssertSameBytes(site.PrimaryFile(Vol), site.ReplicaFile(Vol));
        Assert.Equal(0, site.RowCount("volume_leases"));
    }
}
