using System;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>
/// The first round after creation writes the empty replica directly (no journal, each block written once). From its
/// first write until it is recorded the volume is copying, so the replica is not offered as consistent; a round a crash
/// interrupted is redone by comparing both sides, never by trusting the creation's empty map; a round that fails before
/// writing leaves the empty replica active and promotable.
/// </summary>
[UnsupportedOSPlatform("windows")]
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class FirstRoundTests : IDisposable
{
    private const string Vol = "db01";
    private const long Size = 16 * MiB;

    private readonly EngineSite site = new EngineSite().WithPairAndReplicatedType();

    public void Dispose() => site.Dispose();

    [UnixFact]
    public void The_first_round_copies_directly_as_a_copying_round_and_later_rounds_journal()
    {
        site.CreateVolume(Vol, Size);
        var primary = site.PrimaryFile(Vol);
        WriteAt(primary, 3 * Block, RandomBytes(2 * Block, 1));
        var observer = new RecordingObserver();

        var first = site.Engine.Replication.Sync(Vol, false, observer, default);

        Assert.Equal((SyncMode.Incremental.ToString(), 2L, ReplicationStatus.Active.ToCinder()), (first.Mode, first.BlocksWritten, first.Status));
        Assert.Contains(observer.Decisions, d => d.Contains("first round since creation: the replica holds only the empty copy, so changed blocks are written to it directly", StringComparison.Ordinal));
        AssertSameBytes(primary, site.ReplicaFile(Vol));
        Assert.Equal(
            new (string?, string?)[] { ("active", "copying"), ("copying", "active") },
            site.EventsOf(Vol, newest: 2).Select(e => (e.FromStatus, e.ToStatus)).ToArray());
        Assert.Equal(new[] { "store" }, Directory.EnumerateFileSystemEntries(Path.Combine(site.FolderOf("dc2"), ".replication")).Select(Path.GetFileName)); // its mark, no journal

        WriteAt(primary, 9 * Block, RandomBytes(Block, 2));
        var later = new RecordingObserver();
        var second = site.Engine.Replication.Sync(Vol, false, later, default);

        Assert.Equal((SyncMode.Incremental.ToString(), 1L, ReplicationStatus.Active.ToCinder()), (second.Mode, second.BlocksWritten, second.Status));
        Assert.Contains(later.Decisions, d => d.Contains("changed blocks go through a journal", StringComparison.Ordinal));
        Assert.Equal("active", site.EventsOf(Vol, newest: 1).Single().FromStatus);
        AssertSameBytes(primary, site.ReplicaFile(Vol));
    }

    [UnixFact]
    public void A_first_round_a_crash_interrupted_is_redone_by_comparing_so_blocks_freed_since_are_freed_on_the_replica()
    {
        site.CreateVolume(Vol, Size);
        var primary = site.PrimaryFile(Vol);
        var replica = site.ReplicaFile(Vol);
        // What a first round killed half-way leaves: the volume copying, a block of data already on the replica...
        WriteAt(replica, 5 * Block, RandomBytes(Block, 3));
        using (var session = site.Engine.Context.Store.Begin(write: true))
        {
            var volume = session.FindVolume(site.Record(Vol).Id)!;
            session.UpdateVolume(volume with { ReplicationStatus = ReplicationStatus.Copying });
            session.Commit();
        }

        // ...and the primary no longer holding that data (a hole now), with other data elsewhere.
        WriteAt(primary, 7 * Block, RandomBytes(Block, 4));

        var redone = site.Sync(Vol);

        Assert.Equal((SyncMode.FullCompare.ToString(), ReplicationStatus.Active.ToCinder()), (redone.Mode, redone.Status));
        Assert.Equal(1, redone.BlocksDeallocated);
        AssertSameBytes(primary, replica);
    }

    [UnixFact]
    public void A_first_round_whose_replica_is_gone_fails_as_a_replica_fault_and_does_not_recreate_it()
    {
        site.CreateVolume(Vol, Size);
        File.Delete(site.ReplicaFile(Vol));
        WriteAt(site.PrimaryFile(Vol), 0, RandomBytes(Block, 5));

        Assert.ThrowsAny<Errors.ReplicationException>(() => site.Sync(Vol));

        Assert.Equal(ReplicationStatus.Error.ToCinder(), site.Replica(Vol).Status);
        Assert.False(File.Exists(site.ReplicaFile(Vol)));
    }

    [UnixFact]
    public void A_first_round_that_cannot_read_the_primary_leaves_the_empty_replica_active_and_promotable()
    {
        site.CreateVolume(Vol, Size);
        var primary = site.PrimaryFile(Vol);
        WriteAt(primary, 0, RandomBytes(Block, 6));
        File.Move(primary, primary + ".away");

        Assert.ThrowsAny<Errors.ReplicationException>(() => site.Sync(Vol));

        Assert.Equal(ReplicationStatus.Active.ToCinder(), site.Replica(Vol).Status);
        Assert.DoesNotContain(site.EventsOf(Vol), e => e.ToStatus == "copying" && e.FromStatus == "active");
        var promotion = site.Promote(Vol, planned: false);
        Assert.Equal(ReplicationStatus.Inactive.ToCinder(), promotion.Status);
        Assert.Equal("dc2", promotion.PrimaryBackend);
    }
}
