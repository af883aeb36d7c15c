using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Replication.Engine.Errors;
using Replication.Engine.Replication;
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
    public void ALeaseWhoseHolderStoppedRenewing_LapsesAndIsTakenOver()
    {
        var decisions = new RecordingObserver();
        site.Engine.Leases.Acquire(Vol, "PromoteReplica", site.Quiet, CancellationToken.None); // never released: a dead holder
        site.Clock.Advance(VolumeLeases.Lifetime + TimeSpan.FromSeconds(1));

        var taken = site.Reopen().Leases.Acquire(Vol, "SyncReplica", decisions, CancellationToken.None);

        Assert.Contains(decisions.Decisions, d => d.Contains("lapsed") && d.Contains("PromoteReplica"));
        taken.Dispose();
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
            ExpiresAt = site.Clock.Now + VolumeLeases.Lifetime,
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
