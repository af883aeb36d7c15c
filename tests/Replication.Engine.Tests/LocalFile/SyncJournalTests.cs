using System;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using Replication.Engine.Drivers.LocalFile;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.Rounds;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.LocalFile.DriverFixture;

namespace Replication.Engine.Tests.LocalFile;

/// <summary>
/// Crash semantics of the sync journal, without killing a process: journals are left in the states a crash leaves
/// (uncommitted, committed but not applied, half applied, damaged) and FinishInterruptedSync is asked to finish.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class SyncJournalTests : IDisposable
{
    private const long Size = (64 * MiB) - 1536;
    private static readonly long[] ChangedBlocks = { 3, 10, 11, 200, Size / BlockSize };
    private const long HoleBlock = 20;

    private readonly DriverFixture fx = new();
    private readonly DateTimeOffset startedAt = new(2025, 6, 1, 12, 30, 15, TimeSpan.Zero);

    public void Dispose() => fx.Dispose();

    /// <summary>
    /// Round 1 on source and replica; round 2 on the source only (changed blocks, one block punched), and a committed
    /// journal holding round 2 that has not reached the replica yet.
    /// </summary>
    private (string TargetRound1, BlockMap Round2Map) CommittedButNotApplied(long generation = 7)
    {
        fx.Driver.CreateVolume(fx.Source, Size);
        var random = new Random(42);
        Write(fx.SourcePath, 0, RandomBytes(random, (int)(2 * MiB)));          // blocks 0..31
        Write(fx.SourcePath, 200L * BlockSize, RandomBytes(random, 100));
        fx.InitialSync(Size);

        foreach (var block in ChangedBlocks)
        {
            Write(fx.SourcePath, (block * BlockSize) + 5, RandomBytes(random, BlockLength(Size, block) - 5));
        }

        Punch(fx.SourcePath, HoleBlock * BlockSize, BlockSize);
        var round2 = HashFile(fx.SourcePath, Size);
        var header = new SyncJournal.Header
        {
            VolumeId = fx.VolumeId,
            Generation = generation,
            StartedAt = startedAt,
            BlockSize = BlockSize,
            VolumeSize = Size,
        };
        using (var journal = TestFiles.JournalWriter(fx.TargetSidecars, header))
        {
            foreach (var block in ChangedBlocks)
            {
                var length = BlockLength(Size, block);
                journal.Write(block, Read(fx.SourcePath, block * BlockSize, length), 0, length);
            }

            journal.Deallocate(HoleBlock, BlockSize);
            journal.Commit(round2);
        }

        // Committed: the commit record names the staged journal, which stays until the round is recorded.
        Assert.True(File.Exists(fx.JournalPath));
        Assert.True(File.Exists(fx.UncommittedJournalPath));
        return (ContentHash(fx.TargetPath), round2);
    }

    [UnixFact]
    public void NoJournal_NothingToFinish()
    {
        fx.Driver.CreateVolume(fx.Target, Size);

        Assert.Null(fx.Driver.FinishInterruptedSync(fx.Target, fx.VolumeId));
    }

    [UnixFact]
    public void UncommittedJournal_IsDiscarded_AndTheReplicaIsUnchanged()
    {
        fx.Driver.CreateVolume(fx.Source, Size);
        Write(fx.SourcePath, MiB, RandomBytes(new Random(1), 200_000));
        var first = fx.InitialSync(Size);
        var targetBefore = ContentHash(fx.TargetPath);
        var header = new SyncJournal.Header { VolumeId = fx.VolumeId, Generation = 2, StartedAt = startedAt, BlockSize = BlockSize, VolumeSize = Size };
        using (var journal = TestFiles.JournalWriter(fx.TargetSidecars, header))
        {
            journal.Write(16, RandomBytes(new Random(2), BlockSize), 0, BlockSize);
            journal.Deallocate(17, BlockSize);
        }

        Assert.True(File.Exists(fx.UncommittedJournalPath));

        var outcome = fx.Driver.FinishInterruptedSync(fx.Target, fx.VolumeId);

        Assert.Null(outcome);
        Assert.False(File.Exists(fx.UncommittedJournalPath));
        Assert.False(File.Exists(fx.JournalPath));
        Assert.Equal(targetBefore, ContentHash(fx.TargetPath));
        Assert.True(HashFile(fx.TargetPath, Size).ContentEquals(first.NewMap!));
    }

    [UnixFact]
    public void CommittedJournal_IsApplied_AndReportsTheRoundItHolds()
    {
        var (targetRound1, round2) = CommittedButNotApplied();
        var allocatedBefore = Allocated(fx.TargetPath);
        Assert.NotEqual(ContentHash(fx.SourcePath), targetRound1);

        var outcome = fx.Driver.FinishInterruptedSync(fx.Target, fx.VolumeId);

        Assert.NotNull(outcome);
        AssertSameContent(fx.SourcePath, fx.TargetPath);
        Assert.Equal(7, outcome!.Generation);
        Assert.Equal(startedAt, outcome.StartedAt);
        Assert.Equal(startedAt.UtcTicks, outcome.StartedAt.UtcTicks);
        Assert.True(outcome.NewMap!.ContentEquals(round2));
        Assert.True(HashFile(fx.TargetPath, Size).ContentEquals(round2));
        Assert.Equal(ChangedBlocks.Length, outcome.BlocksWritten);
        Assert.Equal(BytesOfBlocks(Size, ChangedBlocks), outcome.BytesWritten);
        Assert.Equal(1, outcome.BlocksDeallocated);
        Assert.Equal(SyncMode.Incremental, outcome.Mode);
        Assert.True(IsAllZero(fx.TargetPath, HoleBlock * BlockSize, BlockSize));
        Assert.True(Allocated(fx.TargetPath) < allocatedBefore + BytesOfBlocks(Size, ChangedBlocks), "the hole entry did not deallocate");
    }

    [UnixFact]
    public void CommittedJournal_AppliedTwice_IsHarmless()
    {
        var (_, round2) = CommittedButNotApplied();

        var once = fx.Driver.FinishInterruptedSync(fx.Target, fx.VolumeId);
        var afterOnce = ContentHash(fx.TargetPath);
        var twice = fx.Driver.FinishInterruptedSync(fx.Target, fx.VolumeId);

        Assert.Equal(afterOnce, ContentHash(fx.TargetPath));
        AssertSameContent(fx.SourcePath, fx.TargetPath);
        Assert.NotNull(twice);
        Assert.Equal(once!.Generation, twice!.Generation);
        Assert.Equal(once.StartedAt, twice.StartedAt);
        Assert.True(twice.NewMap!.ContentEquals(round2));

        fx.Driver.DiscardSyncJournal(fx.Target, fx.VolumeId);
        Assert.False(File.Exists(fx.JournalPath));
        Assert.Null(fx.Driver.FinishInterruptedSync(fx.Target, fx.VolumeId));
    }

    [UnixFact]
    public void CommittedJournal_OverAHalfAppliedReplica_FinishesTheRound()
    {
        var (_, round2) = CommittedButNotApplied();
        // A crash mid-apply: some entries reached the replica, others not.
        Write(fx.TargetPath, 3L * BlockSize, Read(fx.SourcePath, 3L * BlockSize, BlockSize));
        Punch(fx.TargetPath, HoleBlock * BlockSize, BlockSize);
        Write(fx.TargetPath, 10L * BlockSize, RandomBytes(new Random(3), 1000)); // a torn block write

        var outcome = fx.Driver.FinishInterruptedSync(fx.Target, fx.VolumeId);

        AssertSameContent(fx.SourcePath, fx.TargetPath);
        Assert.True(outcome!.NewMap!.ContentEquals(round2));
    }

    [UnixFact]
    public void AJournalAnOlderVersionCommitted_WithAnUncommittedOneBeside_IsApplied_AndTheOtherDropped()
    {
        CommittedButNotApplied();
        // An older version committed by renaming the journal itself (format 2) to the committed name.
        var journal = File.ReadAllBytes(fx.UncommittedJournalPath);
        BitConverter.GetBytes(2).CopyTo(journal, 4);
        BitConverter.GetBytes(System.IO.Hashing.XxHash64.HashToUInt64(journal.AsSpan(0, journal.Length - 8))).CopyTo(journal, journal.Length - 8);
        File.WriteAllBytes(fx.JournalPath, journal);
        File.WriteAllBytes(fx.UncommittedJournalPath, new byte[] { 1, 2, 3 });

        var outcome = fx.Driver.FinishInterruptedSync(fx.Target, fx.VolumeId);

        Assert.NotNull(outcome);
        Assert.False(File.Exists(fx.UncommittedJournalPath));
        AssertSameContent(fx.SourcePath, fx.TargetPath);
    }

    [UnixTheory]
    [InlineData(0)]        // magic
    [InlineData(30)]       // header (generation)
    [InlineData(-1)]       // middle: a data entry
    [InlineData(-9)]       // last byte of the block map
    [InlineData(-8)]       // the checksum itself
    public void FlippedByte_IsSyncJournalCorrupt_AndTheReplicaIsUntouched(long position)
    {
        FlippedByteIn(position, journal: true);
        FlippedByteIn(position, journal: false);
    }

    private void FlippedByteIn(long position, bool journal)
    {
        var (targetRound1, _) = CommittedButNotApplied();
        var path = journal ? fx.UncommittedJournalPath : fx.JournalPath;
        var bytes = File.ReadAllBytes(path);
        var at = position switch
        {
            -1 => bytes.Length / 2,
            < 0 => bytes.Length + (int)position,
            _ => (int)position,
        };
        bytes[at] ^= 0x10;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<ReplicationException>(() => fx.Driver.FinishInterruptedSync(fx.Target, fx.VolumeId));

        Assert.Equal(ErrorIds.SyncJournalCorrupt, error.ErrorId);
        Assert.Equal(targetRound1, ContentHash(fx.TargetPath));
        fx.Driver.DiscardSyncJournal(fx.Target, fx.VolumeId);
    }

    [UnixTheory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(100)]
    [InlineData(-2)]       // half
    [InlineData(-1)]       // all but the last byte
    public void TruncatedJournal_IsSyncJournalCorrupt_AndTheReplicaIsUntouched(long keep)
    {
        var (targetRound1, _) = CommittedButNotApplied();
        var length = new FileInfo(fx.JournalPath).Length;
        SetLength(fx.JournalPath, keep switch
        {
            -2 => length / 2,
            -1 => length - 1,
            _ => keep,
        });

        var error = Assert.Throws<ReplicationException>(() => fx.Driver.FinishInterruptedSync(fx.Target, fx.VolumeId));

        Assert.Equal(ErrorIds.SyncJournalCorrupt, error.ErrorId);
        Assert.Equal(targetRound1, ContentHash(fx.TargetPath));
    }

    [UnixFact]
    public void CommittedJournal_ForAMissingReplica_IsReplicaUnwritable()
    {
        CommittedButNotApplied();
        File.Delete(fx.TargetPath);

        var error = Assert.Throws<ReplicationException>(() => fx.Driver.FinishInterruptedSync(fx.Target, fx.VolumeId));

        Assert.Equal(ErrorIds.ReplicaUnwritable, error.ErrorId);
        Assert.False(File.Exists(fx.TargetPath));
    }

    [Fact]
    public void Writer_RoundTripsHeaderAndMap()
    {
        RoundTrip(groupToken: null);
        RoundTrip(groupToken: Guid.NewGuid());
    }

    private void RoundTrip(Guid? groupToken)
    {
        using var temp = new TempDirectory();
        var map = BlockMap.Empty(BlockSize, Size);
        var hash = new byte[BlockMap.HashSize];
        BlockMap.Hash(new byte[] { 1, 2, 3 }, hash);
        map.Set(5, hash);
        var header = new SyncJournal.Header
        {
            VolumeId = Guid.NewGuid(),
            Generation = 12,
            StartedAt = startedAt,
            BlockSize = BlockSize,
            VolumeSize = Size,
            GroupToken = groupToken,
        };
        var sidecars = TestFiles.Sidecars(temp.Path, Guid.NewGuid());
        using (var writer = TestFiles.JournalWriter(sidecars, header))
        {
            writer.Write(5, new byte[] { 9, 1, 2, 3, 9 }, 1, 3);
            writer.Commit(map);
        }

        var (read, readMap) = TestFiles.ReadJournal(sidecars, header.VolumeId);

        Assert.Equal(header, read);
        Assert.True(readMap.ContentEquals(map));
    }

    [Fact]
    public void Writer_RefusesAMapThatDoesNotFitTheHeader()
    {
        using var temp = new TempDirectory();
        var header = new SyncJournal.Header { VolumeId = Guid.NewGuid(), Generation = 1, StartedAt = startedAt, BlockSize = BlockSize, VolumeSize = Size };
        var sidecars = TestFiles.Sidecars(temp.Path, Guid.NewGuid());
        using var writer = TestFiles.JournalWriter(sidecars, header);

        Assert.Throws<InvalidOperationException>(() => writer.Commit(BlockMap.Empty(BlockSize, Size + BlockSize)));
        Assert.Null(SyncJournal.OpenCommitted(sidecars, header.VolumeId, "journal"));
    }

    [UnixFact]
    public void AnEngineCrashBeforeRecording_IsFinishedFromTheJournalLeftBySyncReplica()
    {
        fx.Driver.CreateVolume(fx.Source, Size);
        Write(fx.SourcePath, MiB, RandomBytes(new Random(5), 200_000));
        var first = fx.InitialSync(Size);
        // The driver updates the map it is given in place, so the first round's map is kept aside for the comparison.
        var firstMap = BlockMap.FromBytes(first.NewMap!.BlockSize, first.NewMap.VolumeSize, first.NewMap.ToBytes());
        Write(fx.SourcePath, 30 * MiB, RandomBytes(new Random(6), 200_000));
        var request = fx.Request(Size, first.NewMap, first.DriverData, journaled: true);
        var round = fx.Sync(request);
        // The process dies here: the engine never recorded the round, the committed journal is still there.

        var finished = fx.Driver.FinishInterruptedSync(fx.Target, fx.VolumeId);

        Assert.NotNull(finished);
        Assert.Equal(request.Generation, finished!.Generation);
        Assert.Equal(request.StartedAt.UtcTicks, finished.StartedAt.UtcTicks);
        Assert.True(finished.NewMap!.ContentEquals(round.NewMap!));
        AssertSameContent(fx.SourcePath, fx.TargetPath);
        Assert.Equal(round.BlocksWritten, finished.BlocksWritten);
        Assert.Equal(round.BytesWritten, finished.BytesWritten);
        Assert.True(firstMap.BlockCount == finished.NewMap.BlockCount);
        Assert.Equal(ChangedCount(firstMap, finished.NewMap), finished.BlocksWritten);
    }

    private static long ChangedCount(BlockMap before, BlockMap after)
    {
        var a = before.ToBytes();
        var b = after.ToBytes();
        return Enumerable.Range(0, (int)before.BlockCount)
            .Count(block => !a.AsSpan(block * BlockMap.HashSize, BlockMap.HashSize).SequenceEqual(b.AsSpan(block * BlockMap.HashSize, BlockMap.HashSize)));
    }
}
