using System;
using System.IO;
using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.State;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>
/// Resize-Volume on real files: both copies grow (the replica first), the block map follows with zero blocks, so a
/// promotion serves the grown size with the old data intact and zeros after it; the guards refuse a grow where it would
/// hurt the replica; a grow left half-done by a dead process is settled by the next command.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class VolumeResizeTests : IDisposable
{
    private const string Vol = "db01";

    /// <summary>Not a whole number of 64 KiB blocks: the old last block is partial and must be hashed again when it grows.</summary>
    private const long OldSize = (4 * MiB) + (8 * KiB);

    private const long NewSize = 8 * MiB;

    private readonly EngineSite site = new EngineSite().WithPairAndReplicatedType();

    public void Dispose() => site.Dispose();

    [Fact]
    public void Grow_ThenUnplannedPromotion_ServesTheGrownSize_OldDataIntact_TailZeros()
    {
        var (head, tail) = WrittenAndSynced();

        var grown = site.Engine.Volumes.Resize(Vol, NewSize, site.Quiet);

        Assert.Equal(NewSize, grown.SizeBytes);
        Assert.Equal(NewSize, new FileInfo(site.PrimaryFile(Vol)).Length);
        Assert.Equal(NewSize, new FileInfo(site.ReplicaFile(Vol)).Length);
        Assert.Equal("active", site.Replica(Vol).Status);
        Assert.Equal("ExtendVolume", site.EventsOf(Vol, newest: 1).Single().Operation);

        // Unplanned: the replica as last recorded, checked against its grown block map before it is served.
        site.Promote(Vol, planned: false);

        var served = site.Engine.Volumes.Connection(Vol);
        Assert.Equal(NewSize, served.SizeBytes);
        Assert.Equal(NewSize, new FileInfo(served.Path).Length);
        Assert.Equal(head, ReadAt(served.Path, 0, head.Length));
        Assert.Equal(tail, ReadAt(served.Path, OldSize - tail.Length, tail.Length));
        Assert.All(ReadAt(served.Path, OldSize, (int)(NewSize - OldSize)), b => Assert.Equal(0, b));
    }

    [Fact]
    public void AfterAGrow_ASyncCopiesOnlyWhatIsWrittenInTheNewTail_AndTheReplicaEqualsThePrimary()
    {
        WrittenAndSynced();
        site.Engine.Volumes.Resize(Vol, NewSize, site.Quiet);
        var written = RandomBytes(Block, seed: 9);
        WriteAt(site.PrimaryFile(Vol), 6 * MiB, written);

        var round = site.Sync(Vol, forceRead: true);

        Assert.Equal(Block, round.BytesWritten);
        AssertSameBytes(site.PrimaryFile(Vol), site.ReplicaFile(Vol));
        site.Promote(Vol, planned: false);
        Assert.Equal(written, ReadAt(site.Engine.Volumes.Connection(Vol).Path, 6 * MiB, Block));
    }

    [Fact]
    public void Shrinking_IsRefusedClearly_AndTheSameSizeChangesNothing()
    {
        WrittenAndSynced();
        var rows = site.SnapshotDatabase();
        var files = site.SnapshotFolders();

        var refused = Refused(ErrorIds.VolumeShrinkNotAllowed, () => site.Engine.Volumes.Resize(Vol, 2 * MiB, site.Quiet));

        Assert.Equal(ErrorKind.InvalidArgument, refused.Kind);
        Assert.Contains("only grows", refused.Message, StringComparison.Ordinal);
        site.Engine.Volumes.Resize(Vol, OldSize, site.Quiet);
        Assert.Equal(rows, site.SnapshotDatabase());
        Assert.Equal(files, site.SnapshotFolders());
    }

    [Fact]
    public void AGroupMember_AndAPausedOrUnreplicatedVolume_Grow()
    {
        site.AddPlainType();
        site.CreateVolume("plain01", 4 * MiB, PlainType);
        site.CreateVolume("paused01", 4 * MiB);
        site.Disable("paused01");
        site.CreateVolume("member01", 4 * MiB);
        site.Engine.Groups.Add("app", null, new[] { "member01" });

        foreach (var name in new[] { "plain01", "paused01", "member01" })
        {
            Assert.Equal(NewSize, site.Engine.Volumes.Resize(name, NewSize, site.Quiet).SizeBytes);
            Assert.Equal(NewSize, new FileInfo(site.PrimaryFile(name)).Length);
        }

        Assert.Equal("active-stopped", site.Replica("paused01").Status);
        Assert.Equal(NewSize, new FileInfo(site.ReplicaFile("member01")).Length);
    }

    [Fact]
    public void WhileThePromotedVolumeIsInactive_AGrowIsRefusedNamingEnableReplication_AndChangesNothing()
    {
        WrittenAndSynced();
        site.Promote(Vol, planned: true);
        var rows = site.SnapshotDatabase();
        var files = site.SnapshotFolders();

        var refused = Refused(ErrorIds.ExtendNotAllowed, () => site.Engine.Volumes.Resize(Vol, NewSize, site.Quiet));

        Assert.StartsWith("Rule: ", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"'{Vol}' is inactive.", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Enable-Replication", refused.Message, StringComparison.Ordinal);
        Assert.Equal(rows, site.SnapshotDatabase());
        Assert.Equal(files, site.SnapshotFolders());
    }

    [Fact]
    public void AGrowKilledAfterTheReplicaGrew_IsFinishedByTheNextSync_ToTheSizeThatWasAsked()
    {
        var (head, tail) = WrittenAndSynced();
        // What a process killed after growing the replica left: the grow recorded as asked, the replica grown alone.
        RecordGrowAsked(NewSize);
        Grow(site.ReplicaFile(Vol), NewSize);

        var round = site.Sync(Vol);

        Assert.Equal("active", round.Status);
        Assert.Equal((NewSize, (PendingChange?)null), (site.Record(Vol).SizeBytes, site.Record(Vol).PendingChange));
        Assert.Equal((NewSize, NewSize), (new FileInfo(site.PrimaryFile(Vol)).Length, new FileInfo(site.ReplicaFile(Vol)).Length));
        Assert.Contains("interrupted grow", site.EventsOf(Vol).Last(e => e.Operation == "ExtendVolume").Message, StringComparison.Ordinal);
        site.Promote(Vol, planned: false);
        var served = site.Engine.Volumes.Connection(Vol).Path;
        Assert.Equal(head, ReadAt(served, 0, head.Length));
        Assert.Equal(tail, ReadAt(served, OldSize - tail.Length, tail.Length));
    }

    [Fact]
    public void AGrowKilledBeforeAnyCopyGrew_IsFinishedByRepair_FromWhatWasAsked()
    {
        WrittenAndSynced();
        RecordGrowAsked(NewSize);

        var findings = site.Engine.Repair.Run(removeOrphanFiles: false, _ => true, site.Quiet);

        Assert.Contains(findings, f => f.Kind == "InterruptedResize" && f.Applied && f.Action.Contains(NewSize.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        Assert.Equal(NewSize, site.Record(Vol).SizeBytes);
        Assert.Equal((NewSize, NewSize), (new FileInfo(site.PrimaryFile(Vol)).Length, new FileInfo(site.ReplicaFile(Vol)).Length));
        Assert.Empty(site.Engine.Repair.Run(removeOrphanFiles: false, _ => true, site.Quiet));
    }

    [Fact]
    public void CopiesThatBothGrew_AsWhenKilledBeforeTheSizeWasRecorded_AreRecordedByTheNextResize_AndPromoteWhole()
    {
        var (head, tail) = WrittenAndSynced();
        RecordGrowAsked(NewSize);
        Grow(site.ReplicaFile(Vol), NewSize);
        Grow(site.PrimaryFile(Vol), NewSize);

        var again = site.Engine.Volumes.Resize(Vol, NewSize, site.Quiet);

        Assert.Equal(NewSize, again.SizeBytes);
        Assert.Contains("interrupted grow", site.EventsOf(Vol).Last(e => e.Operation == "ExtendVolume").Message, StringComparison.Ordinal);
        site.Promote(Vol, planned: false);
        var served = site.Engine.Volumes.Connection(Vol).Path;
        Assert.Equal(head, ReadAt(served, 0, head.Length));
        Assert.Equal(tail, ReadAt(served, OldSize - tail.Length, tail.Length));
    }

    [Fact]
    public void AReplicaLongerThanRecorded_WithNoGrowAsked_IsNotTakenForAGrow()
    {
        WrittenAndSynced();
        Grow(site.ReplicaFile(Vol), NewSize);

        var refused = Refused(ErrorIds.ReplicaUnwritable, () => site.Sync(Vol));

        Assert.Contains($"{NewSize} bytes but the volume is {OldSize}", refused.Message, StringComparison.Ordinal);
        Assert.Equal(OldSize, site.Record(Vol).SizeBytes);
        Assert.DoesNotContain(site.EventsOf(Vol), e => e.Operation.StartsWith("ExtendVolume", StringComparison.Ordinal));
    }

    /// <summary>Records a grow of db01 to <paramref name="sizeBytes"/> as asked and not finished, as Resize-Volume does before it touches a file.</summary>
    private void RecordGrowAsked(long sizeBytes)
    {
        using var session = site.Engine.Context.Store.Begin(write: true);
        var volume = session.FindVolume(Vol)!;
        session.UpdateVolume(volume with { PendingChange = new PendingChange { Operation = PendingOperation.Extend, SizeBytes = sizeBytes } });
        session.Commit();
    }

    private static void Grow(string path, long sizeBytes)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.SetLength(sizeBytes);
    }

    /// <summary>db01 with data at its start and in its partial last block, synced: the replica holds it at the recorded round.</summary>
    private (byte[] Head, byte[] Tail) WrittenAndSynced()
    {
        site.CreateVolume(Vol, OldSize);
        var head = RandomBytes(3 * Block, seed: 1);
        var tail = RandomBytes((int)(8 * KiB), seed: 2);
        WriteAt(site.PrimaryFile(Vol), 0, head);
        WriteAt(site.PrimaryFile(Vol), OldSize - tail.Length, tail);
        site.Sync(Vol);
        return (head, tail);
    }
}
