using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Threading;
using Replication.Engine.Drivers;
using Replication.Engine.Drivers.LocalFile;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.Rounds;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.LocalFile.DriverFixture;

namespace Replication.Engine.Tests.LocalFile;

/// <summary>LocalFileDriver.SyncReplica on real sparse files: bytes, allocation, counters and block maps.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class BlockSyncTests : IDisposable
{
    // Not a multiple of 64 KiB (the last block is partial), but a multiple of 512 like any disk.
    private const long Size = (256 * MiB) - (7 * 512);
    private const long SmallSize = (64 * MiB) - 1024;

    private readonly DriverFixture fx = new();

    public void Dispose() => fx.Dispose();

    [UnixFact]
    public void InitialSync_CopiesScatteredDataExactly_KeepsHoles_AndReadsOnlyAllocatedBlocks()
    {
        fx.Driver.CreateVolume(fx.Source, Size);
        var random = new Random(1);
        var writes = new List<(long Offset, long Length)>
        {
            (0, 100_000),                                  // the first block and more
            ((5 * MiB) + 12_345, 300 * 1024),              // unaligned start and end
            ((100L * BlockSize) - 1000, 2000),             // spans blocks 99 and 100
            ((50 * MiB) + 7, MiB + 3),
            (120 * MiB, 2 * MiB),
            ((200 * MiB) + (3 * 4096) + 17, 777 * 1024),
            ((Size / BlockSize * BlockSize) + 100, Size - (Size / BlockSize * BlockSize) - 100), // inside the partial last block, to its very end
            (Size - (3 * BlockSize) - 10, 20),             // a few bytes across a block edge near the end
        };
        foreach (var (offset, length) in writes)
        {
            Write(fx.SourcePath, offset, RandomBytes(random, (int)length));
        }

        var dataBlocks = BlocksOf(writes);
        var expectedBytes = BytesOfBlocks(Size, dataBlocks);
        Assert.Contains(Size / BlockSize, dataBlocks); // the partial last block holds data

        var outcome = fx.InitialSync(Size);

        AssertSameContent(fx.SourcePath, fx.TargetPath);
        Assert.Equal(SyncMode.FullCompare, outcome.Mode);
        Assert.Equal(expectedBytes, outcome.BytesRead);            // holes are not read
        Assert.Equal(dataBlocks.Count, outcome.BlocksWritten);
        Assert.Equal(expectedBytes, outcome.BytesWritten);
        Assert.Equal(0, outcome.BlocksDeallocated);
        Assert.NotNull(outcome.NewMap);
        Assert.True(outcome.NewMap!.ContentEquals(HashFile(fx.SourcePath, Size)), "NewMap is not the source's block map");

        var sourceAllocated = Allocated(fx.SourcePath);
        var targetAllocated = Allocated(fx.TargetPath);
        Assert.InRange(targetAllocated, sourceAllocated, RoundUpTo4K(expectedBytes));
        Assert.True(targetAllocated < 8 * MiB, $"target has {targetAllocated} bytes allocated of {Size}: holes were filled");
        Assert.Equal(Size, new FileInfo(fx.TargetPath).Length);
    }

    [UnixFact]
    public void IncrementalSync_WritesOnlyTheChangedBlocks_ThroughACommittedJournal()
    {
        const long size = (128 * MiB) - 512;
        fx.Driver.CreateVolume(fx.Source, size);
        var random = new Random(2);
        for (var i = 0; i < 120; i++)
        {
            Write(fx.SourcePath, random.NextInt64(0, size - (256 * 1024)), RandomBytes(random, random.Next(1, 256 * 1024)));
        }

        var first = fx.InitialSync(size);
        var blockCount = (size + BlockSize - 1) / BlockSize;
        var changed = new SortedSet<long> { blockCount - 1 }; // the partial last block too
        while (changed.Count < blockCount / 100)
        {
            changed.Add(random.NextInt64(0, blockCount));
        }

        foreach (var block in changed)
        {
            var length = BlockLength(size, block);
            var from = random.Next(0, length - 1);
            Write(fx.SourcePath, (block * BlockSize) + from, RandomBytes(random, random.Next(1, length - from)));
        }

        var targetAllocatedBefore = Allocated(fx.TargetPath);
        var request = fx.Request(size, first.NewMap, first.DriverData, journaled: true);
        var outcome = fx.Sync(request);

        Assert.Equal(SyncMode.Incremental, outcome.Mode);
        Assert.Equal(changed.Count, outcome.BlocksWritten);
        Assert.Equal(BytesOfBlocks(size, changed), outcome.BytesWritten);
        Assert.Equal(0, outcome.BlocksDeallocated);
        Assert.Equal(request.Generation, outcome.Generation);
        Assert.Equal(request.StartedAt, outcome.StartedAt);
        AssertSameContent(fx.SourcePath, fx.TargetPath);
        Assert.True(outcome.NewMap!.ContentEquals(HashFile(fx.SourcePath, size)), "NewMap is not the source's block map");
        Assert.True(Allocated(fx.TargetPath) <= targetAllocatedBefore + BytesOfBlocks(size, changed), "the target grew by more than the changed blocks");

        // The committed journal stays until the engine has recorded the round.
        Assert.True(File.Exists(fx.JournalPath), "the committed journal is gone before the engine recorded the round");
        var (header, map) = TestFiles.ReadJournal(fx.TargetSidecars, fx.VolumeId);
        Assert.Equal(request.Generation, header.Generation);
        Assert.Equal(fx.VolumeId, header.VolumeId);
        Assert.True(map.ContentEquals(outcome.NewMap));

        fx.Driver.DiscardSyncJournal(fx.Target, fx.VolumeId);
        Assert.False(File.Exists(fx.JournalPath));
        Assert.Null(fx.Driver.FinishInterruptedSync(fx.Target, fx.VolumeId));
    }

    [UnixFact]
    public void IncrementalSync_OfAnUnchangedSource_WritesNothing()
    {
        fx.Driver.CreateVolume(fx.Source, SmallSize);
        Write(fx.SourcePath, 3 * MiB, RandomBytes(new Random(3), (int)MiB));
        var first = fx.InitialSync(SmallSize);

        var outcome = fx.IncrementalSync(SmallSize, first, forceRead: true);

        Assert.Equal(MiB, outcome.BytesRead);
        Assert.Equal(0, outcome.BlocksWritten);
        Assert.Equal(0, outcome.BytesWritten);
        Assert.Equal(0, outcome.BlocksDeallocated);
        AssertSameContent(fx.SourcePath, fx.TargetPath);
    }

    [UnixTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void BlocksThatBecomeZeroOnTheSource_AreDeallocatedOnTheTarget(bool journaled)
    {
        fx.Driver.CreateVolume(fx.Source, SmallSize);
        var random = new Random(4);
        Write(fx.SourcePath, 0, RandomBytes(random, (int)(4 * MiB)));                       // blocks 0..63
        var lastBlockStart = SmallSize / BlockSize * BlockSize;
        Write(fx.SourcePath, lastBlockStart, RandomBytes(random, (int)(SmallSize - lastBlockStart)));
        var first = fx.InitialSync(SmallSize);
        var allocatedBefore = Allocated(fx.TargetPath);

        Punch(fx.SourcePath, 10L * BlockSize, BlockSize);                                   // a punched hole
        Write(fx.SourcePath, 20L * BlockSize, new byte[BlockSize]);                         // written zeros (allocated)
        Punch(fx.SourcePath, lastBlockStart, SmallSize - lastBlockStart);                   // the partial last block

        var outcome = fx.Sync(fx.Request(SmallSize, first.NewMap, first.DriverData, journaled));

        Assert.Equal(3, outcome.BlocksDeallocated);
        Assert.Equal(0, outcome.BlocksWritten);
        Assert.Equal(0, outcome.BytesWritten);
        Assert.True(IsAllZero(fx.TargetPath, 10L * BlockSize, BlockSize));
        Assert.True(IsAllZero(fx.TargetPath, 20L * BlockSize, BlockSize));
        Assert.True(IsAllZero(fx.TargetPath, lastBlockStart, (int)(SmallSize - lastBlockStart)));
        AssertSameContent(fx.SourcePath, fx.TargetPath);
        Assert.True(outcome.NewMap!.ContentEquals(HashFile(fx.SourcePath, SmallSize)));
        var freed = (2L * BlockSize) + RoundUpTo4K(SmallSize - lastBlockStart) - 4096; // the partial block's unaligned edge may stay
        Assert.True(Allocated(fx.TargetPath) <= allocatedBefore - freed, $"target allocation went from {allocatedBefore} to {Allocated(fx.TargetPath)}");

        // The punched hole is not read; the written zeros are (they are allocated on the source), and so is the last
        // block, whose unaligned tail a hole punch can only zero.
        Assert.Equal((63L * BlockSize) + (SmallSize - lastBlockStart), outcome.BytesRead);
    }

    [UnixFact]
    public void UnchangedSource_WithATrustedStamp_IsNotRead()
    {
        fx.Driver.CreateVolume(fx.Source, SmallSize);
        Write(fx.SourcePath, MiB, RandomBytes(new Random(5), 300_000));
        Age(fx.SourcePath, TimeSpan.FromSeconds(30));
        var first = fx.InitialSync(SmallSize);
        Assert.NotNull(first.DriverData);
        var targetBefore = ContentHash(fx.TargetPath);
        fx.Driver.DiscardSyncJournal(fx.Target, fx.VolumeId);

        var request = fx.Request(SmallSize, first.NewMap, first.DriverData, journaled: true);
        var outcome = fx.Sync(request);

        Assert.Equal(SyncMode.Unchanged, outcome.Mode);
        Assert.Equal(0, outcome.BytesRead);
        Assert.Equal(0, outcome.BlocksWritten);
        Assert.Null(outcome.NewMap);
        Assert.Equal(request.Generation, outcome.Generation);
        Assert.Equal(first.DriverData, outcome.DriverData);
        Assert.Equal(targetBefore, ContentHash(fx.TargetPath));
        Assert.False(File.Exists(fx.JournalPath));
    }

    [UnixFact]
    public void AWriteThatKeepsTheSize_ChangesTheMtime_AndForcesARead()
    {
        fx.Driver.CreateVolume(fx.Source, SmallSize);
        Write(fx.SourcePath, MiB, RandomBytes(new Random(6), 300_000));
        Age(fx.SourcePath, TimeSpan.FromSeconds(30));
        var first = fx.InitialSync(SmallSize);

        Write(fx.SourcePath, 40 * MiB, RandomBytes(new Random(7), 100));
        var outcome = fx.IncrementalSync(SmallSize, first);

        Assert.Equal(SyncMode.Incremental, outcome.Mode);
        Assert.True(outcome.BytesRead > 0);
        Assert.Equal(1, outcome.BlocksWritten);
        AssertSameContent(fx.SourcePath, fx.TargetPath);
    }

    [UnixFact]
    public void ForceRead_ReadsAnUnchangedSource_AndComparesItWithTheReplicasRealBlocks()
    {
        fx.Driver.CreateVolume(fx.Source, SmallSize);
        Write(fx.SourcePath, MiB, RandomBytes(new Random(8), 300_000));
        Age(fx.SourcePath, TimeSpan.FromSeconds(30));
        var first = fx.InitialSync(SmallSize);

        var outcome = fx.IncrementalSync(SmallSize, first, forceRead: true);

        Assert.Equal(SyncMode.FullCompare, outcome.Mode);
        Assert.False(outcome.PrimaryChangedDuringRound);
        Assert.Equal(BytesOfBlocks(SmallSize, BlocksOf(new[] { (MiB, 300_000L) })), outcome.BytesRead);
        Assert.Equal(0, outcome.BlocksWritten);
        Assert.True(outcome.NewMap!.ContentEquals(first.NewMap!));
    }

    [UnixFact]
    public void AStampTakenWithinTheQuietPeriodOfTheLastWrite_IsNotTrusted()
    {
        fx.Driver.CreateVolume(fx.Source, SmallSize);
        Write(fx.SourcePath, MiB, RandomBytes(new Random(9), 300_000)); // mtime: now
        var first = fx.InitialSync(SmallSize);

        var outcome = fx.IncrementalSync(SmallSize, first);

        Assert.NotEqual(SyncMode.Unchanged, outcome.Mode);
        Assert.True(outcome.BytesRead > 0, "a stamp whose mtime is within 2 s of its read time was trusted");
    }

    [Fact]
    public void AFileStamp_ProvesQuiet_OnlyAfterTheQuietPeriod_AndTheRoundStampRoundTrips()
    {
        var modified = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
        var second = TimeSpan.TicksPerSecond;
        var stamp = $"4096:{modified}";
        ICoarseChangeStamps files = new LocalFileDriver();

        Assert.True(files.ProvesQuiet(stamp, new DateTimeOffset(modified + (3 * second), TimeSpan.Zero)));
        Assert.False(files.ProvesQuiet(stamp, new DateTimeOffset(modified + (2 * second) - 1, TimeSpan.Zero))); // coarse timestamps: not proof
        Assert.False(files.ProvesQuiet(stamp, new DateTimeOffset(modified, TimeSpan.Zero)));
        Assert.False(files.ProvesQuiet(stamp, new DateTimeOffset(modified - second, TimeSpan.Zero)));          // clock skew
        Assert.False(files.ProvesQuiet("not a file stamp", new DateTimeOffset(modified + (100 * second), TimeSpan.Zero)));

        var parsed = RoundStamp.Parse(new RoundStamp(stamp, 77, "8192:42").ToDriverData());
        Assert.NotNull(parsed);
        Assert.Equal((stamp, 77L, "8192:42"), (parsed!.PrimaryStamp, parsed.PrimaryStampTakenTicks, parsed.ReplicaStamp));
        Assert.Null(RoundStamp.Parse(null));
        Assert.Null(RoundStamp.Parse(""));
        Assert.Null(RoundStamp.Parse("{not json"));
        // A round an older version recorded (file times the engine no longer reads itself): the next round reads.
        Assert.Null(RoundStamp.Parse("{\"Source\":{\"Size\":4096,\"ModifiedTicks\":1,\"ReadStartedTicks\":2},\"ReplicaModifiedTicks\":3}"));
    }

    [UnixFact]
    public void AWriteDuringTheRound_LeavesNoStamp_SoTheNextRoundReads()
    {
        fx.Driver.CreateVolume(fx.Source, SmallSize);
        Write(fx.SourcePath, MiB, RandomBytes(new Random(10), 300_000));
        Age(fx.SourcePath, TimeSpan.FromSeconds(30));
        var first = fx.InitialSync(SmallSize);
        var writeOnce = true;
        fx.Observer.OnProgress = progress =>
        {
            // While the primary is read (a full round hashes the replica first).
            if (writeOnce && progress.Activity == "Syncing")
            {
                writeOnce = false;
                Write(fx.SourcePath, 30 * MiB, RandomBytes(new Random(11), 100));
                Age(fx.SourcePath, TimeSpan.FromSeconds(20)); // even an old-looking mtime differs from the stamp
            }
        };

        var during = fx.IncrementalSync(SmallSize, first, forceRead: true);
        fx.Observer.OnProgress = null;

        Assert.Null(RoundStamp.Parse(during.DriverData)!.PrimaryStamp);
        Assert.True(during.PrimaryChangedDuringRound, "a round the primary was written during claimed a crash-consistent point in time");
        var next = fx.IncrementalSync(SmallSize, during);
        Assert.Equal(SyncMode.Incremental, next.Mode);
        Assert.Equal(1, next.BlocksWritten);
        AssertSameContent(fx.SourcePath, fx.TargetPath);
    }

    [UnixFact]
    public void AQuietPrimary_DoesNotHideAMissingReplica()
    {
        fx.Driver.CreateVolume(fx.Source, SmallSize);
        Write(fx.SourcePath, MiB, RandomBytes(new Random(30), 300_000));
        Age(fx.SourcePath, TimeSpan.FromSeconds(30));
        var first = fx.InitialSync(SmallSize);
        File.Delete(fx.TargetPath);

        var error = Assert.Throws<ReplicationException>(() => fx.IncrementalSync(SmallSize, first));

        Assert.Equal(ErrorIds.ReplicaUnwritable, error.ErrorId);
        Assert.False(File.Exists(fx.TargetPath));
    }

    [UnixFact]
    public void AReplicaWrittenOutsideTheModule_IsComparedAndRepaired_EvenWhenThePrimaryIsQuiet()
    {
        fx.Driver.CreateVolume(fx.Source, SmallSize);
        Write(fx.SourcePath, MiB, RandomBytes(new Random(31), 300_000));
        Age(fx.SourcePath, TimeSpan.FromSeconds(30));
        var first = fx.InitialSync(SmallSize);
        Write(fx.TargetPath, 20 * MiB, RandomBytes(new Random(32), 100));
        Write(fx.TargetPath, MiB + 4096, RandomBytes(new Random(33), 100));

        var outcome = fx.IncrementalSync(SmallSize, first);

        Assert.Equal(SyncMode.FullCompare, outcome.Mode);
        Assert.Equal(1, outcome.BlocksWritten);
        Assert.Equal(1, outcome.BlocksDeallocated);
        AssertSameContent(fx.SourcePath, fx.TargetPath);
        Assert.Equal(SyncMode.Unchanged, fx.IncrementalSync(SmallSize, outcome).Mode);
    }

    [UnixFact]
    public void UnreadableDriverData_IsNotTrusted_AndTheRoundReads()
    {
        fx.Driver.CreateVolume(fx.Source, SmallSize);
        Write(fx.SourcePath, MiB, RandomBytes(new Random(12), 300_000));
        Age(fx.SourcePath, TimeSpan.FromSeconds(30));
        var first = fx.InitialSync(SmallSize);
        Write(fx.SourcePath, 9 * MiB, RandomBytes(new Random(13), 100));

        var outcome = fx.Sync(fx.Request(SmallSize, first.NewMap, "{not json", journaled: true));

        Assert.Equal(SyncMode.Incremental, outcome.Mode);
        AssertSameContent(fx.SourcePath, fx.TargetPath);
    }

    [UnixTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void FullCompare_OntoAnOldCopy_WritesOnlyTheDifferingBlocks(bool journaled)
    {
        fx.Driver.CreateVolume(fx.Source, SmallSize);
        var random = new Random(14);
        Write(fx.SourcePath, 0, RandomBytes(random, 2 * BlockSize));
        for (var i = 0; i < 40; i++)
        {
            Write(fx.SourcePath, random.NextInt64(0, SmallSize - MiB), RandomBytes(random, random.Next(1000, 200_000)));
        }

        // The old copy, e.g. the former primary after a failover: equal once, then both sides moved on.
        fx.Driver.CloneVolume(fx.Source, fx.Target, SmallSize, fx.Observer, CancellationToken.None);
        Write(fx.SourcePath, 10 * MiB, RandomBytes(random, 70_000));          // changed on the source
        Write(fx.SourcePath, (50 * MiB) + 3, RandomBytes(random, 5));
        Write(fx.TargetPath, 20 * MiB, RandomBytes(random, 4096));            // diverged on the old copy
        Write(fx.TargetPath, 60 * MiB, RandomBytes(random, 4096));            // data only the old copy has
        Punch(fx.SourcePath, 0, 2 * BlockSize);                               // became zero on the source
        Write(fx.SourcePath, 0, new byte[10]);                                // (allocated zeros in block 0)

        var differing = DifferingBlocks(fx.SourcePath, fx.TargetPath, SmallSize);
        var toZero = differing.Where(block => IsAllZero(fx.SourcePath, block * BlockSize, BlockLength(SmallSize, block))).ToList();
        var toWrite = differing.Except(toZero).ToList();
        Assert.True(toZero.Count >= 2 && toWrite.Count >= 3, $"setup: {toZero.Count} blocks to zero, {toWrite.Count} to write");

        var outcome = fx.Sync(fx.Request(SmallSize, previousMap: null, journaled: journaled));

        Assert.Equal(SyncMode.FullCompare, outcome.Mode);
        Assert.Equal(toWrite.Count, outcome.BlocksWritten);
        Assert.Equal(BytesOfBlocks(SmallSize, toWrite), outcome.BytesWritten);
        Assert.Equal(toZero.Count, outcome.BlocksDeallocated);
        AssertSameContent(fx.SourcePath, fx.TargetPath);
        Assert.True(outcome.NewMap!.ContentEquals(HashFile(fx.SourcePath, SmallSize)));
    }

    [UnixFact]
    public void SourceTruncated_IsPrimaryUnreadable_AndTheReplicaIsUntouched()
    {
        fx.Driver.CreateVolume(fx.Source, SmallSize);
        Write(fx.SourcePath, MiB, RandomBytes(new Random(15), 300_000));
        var first = fx.InitialSync(SmallSize);
        var targetBefore = ContentHash(fx.TargetPath);
        SetLength(fx.SourcePath, SmallSize - BlockSize);

        var error = Assert.Throws<ReplicationException>(() => fx.Sync(fx.Request(SmallSize, first.NewMap, first.DriverData, journaled: true)));

        Assert.Equal(ErrorIds.PrimaryUnreadable, error.ErrorId);
        Assert.Equal(targetBefore, ContentHash(fx.TargetPath));
        Assert.False(File.Exists(fx.JournalPath));
        Assert.False(File.Exists(fx.UncommittedJournalPath));
    }

    [UnixTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void SourceResized_IsPrimaryUnreadable(bool journaled)
    {
        fx.Driver.CreateVolume(fx.Source, SmallSize);
        Write(fx.SourcePath, MiB, RandomBytes(new Random(16), 300_000));
        var first = fx.InitialSync(SmallSize);
        var targetBefore = ContentHash(fx.TargetPath);
        SetLength(fx.SourcePath, SmallSize + 512);

        var error = Assert.Throws<ReplicationException>(() => fx.Sync(fx.Request(SmallSize, journaled ? first.NewMap : null, null, journaled)));

        Assert.Equal(ErrorIds.PrimaryUnreadable, error.ErrorId);
        Assert.Equal(targetBefore, ContentHash(fx.TargetPath));
    }

    [UnixFact]
    public void MissingSource_IsPrimaryUnreadable()
    {
        fx.Driver.CreateVolume(fx.Target, SmallSize);

        var error = Assert.Throws<ReplicationException>(() => fx.Sync(fx.Request(SmallSize)));

        Assert.Equal(ErrorIds.PrimaryUnreadable, error.ErrorId);
        Assert.Equal(0, Allocated(fx.TargetPath));
    }

    [UnixFact]
    public void MissingTarget_InJournaledMode_IsReplicaUnwritable_AndTheSourceIsUntouched()
    {
        fx.Driver.CreateVolume(fx.Source, SmallSize);
        Write(fx.SourcePath, MiB, RandomBytes(new Random(17), 300_000));
        var first = fx.InitialSync(SmallSize);
        File.Delete(fx.TargetPath);
        var sourceBefore = ContentHash(fx.SourcePath);

        var error = Assert.Throws<ReplicationException>(() => fx.Sync(fx.Request(SmallSize, first.NewMap, null, journaled: true)));

        Assert.Equal(ErrorIds.ReplicaUnwritable, error.ErrorId);
        Assert.Equal(sourceBefore, ContentHash(fx.SourcePath));
        Assert.False(File.Exists(fx.TargetPath), "a consistent replica that vanished was silently recreated");
        Assert.False(File.Exists(fx.JournalPath));
    }

    [UnixFact]
    public void MissingTarget_InNonJournaledMode_IsCreated()
    {
        fx.Driver.CreateVolume(fx.Source, SmallSize);
        Write(fx.SourcePath, 5 * MiB, RandomBytes(new Random(18), 300_000));
        Assert.False(File.Exists(fx.TargetPath));

        var outcome = fx.Sync(fx.Request(SmallSize));

        AssertSameContent(fx.SourcePath, fx.TargetPath);
        Assert.True(Allocated(fx.TargetPath) <= BytesOfBlocks(SmallSize, BlocksOf(new[] { (5 * MiB, 300_000L) })));
        Assert.True(outcome.NewMap!.ContentEquals(HashFile(fx.SourcePath, SmallSize)));
    }

    [UnixFact]
    public void AConsistentReplicaOfTheWrongSize_IsReplicaUnwritable_AndLeftAsItIs()
    {
        fx.Driver.CreateVolume(fx.Source, SmallSize);
        fx.Driver.CreateVolume(fx.Target, SmallSize - BlockSize);

        var error = Assert.Throws<ReplicationException>(() => fx.Sync(fx.Request(SmallSize, BlockMap.Empty(BlockSize, SmallSize), null, journaled: true)));

        Assert.Equal(ErrorIds.ReplicaUnwritable, error.ErrorId);
        Assert.Equal(SmallSize - BlockSize, new FileInfo(fx.TargetPath).Length);
    }

    [UnixFact]
    public void AReplicaBeingRecopied_IsSetBackToTheVolumeSize_AndMadeEqual()
    {
        fx.Driver.CreateVolume(fx.Source, SmallSize);
        Write(fx.SourcePath, SmallSize - MiB, RandomBytes(new Random(40), 4096));
        fx.Driver.CreateVolume(fx.Target, SmallSize - (2 * MiB));

        fx.Sync(fx.Request(SmallSize));

        Assert.Equal(SmallSize, new FileInfo(fx.TargetPath).Length);
        AssertSameContent(fx.SourcePath, fx.TargetPath);
    }

    [UnixFact]
    public void ACancelledJournaledRound_LeavesTheReplicaAtTheLastRound_AndNoJournal()
    {
        fx.Driver.CreateVolume(fx.Source, SmallSize);
        Write(fx.SourcePath, MiB, RandomBytes(new Random(19), 300_000));
        var first = fx.InitialSync(SmallSize);
        var targetBefore = ContentHash(fx.TargetPath);
        Write(fx.SourcePath, 2 * MiB, RandomBytes(new Random(20), 300_000));

        Assert.ThrowsAny<OperationCanceledException>(() =>
            fx.Sync(fx.Request(SmallSize, first.NewMap, first.DriverData, journaled: true), new CancellationToken(canceled: true)));

        Assert.Equal(targetBefore, ContentHash(fx.TargetPath));
        Assert.False(File.Exists(fx.JournalPath));
        Assert.False(File.Exists(fx.UncommittedJournalPath));
        Assert.Null(fx.Driver.FinishInterruptedSync(fx.Target, fx.VolumeId));
    }

    [UnixFact]
    public void Progress_IsNonDecreasing_AndEndsAtTheTotal()
    {
        fx.Driver.CreateVolume(fx.Source, Size);
        var random = new Random(21);
        for (var i = 0; i < 60; i++)
        {
            Write(fx.SourcePath, random.NextInt64(0, Size - MiB), RandomBytes(random, random.Next(1, (int)MiB)));
        }

        var outcome = fx.InitialSync(Size);

        var syncing = fx.Observer.Reports.Where(report => report.Activity == "Syncing").ToList();
        Assert.NotEmpty(syncing);
        Assert.All(syncing, report => Assert.Equal(syncing[0].BytesTotal, report.BytesTotal));
        for (var i = 1; i < syncing.Count; i++)
        {
            Assert.True(syncing[i].BytesDone >= syncing[i - 1].BytesDone, $"progress went back from {syncing[i - 1].BytesDone} to {syncing[i].BytesDone}");
        }

        Assert.Equal(outcome.BytesRead, syncing[^1].BytesTotal);
        Assert.Equal(syncing[^1].BytesTotal, syncing[^1].BytesDone);
        Assert.Equal(100, syncing[^1].PercentComplete);

        foreach (var activity in fx.Observer.Reports.GroupBy(report => report.Activity))
        {
            var reports = activity.ToList();
            Assert.Equal(reports[^1].BytesTotal, reports[^1].BytesDone);
        }
    }
}
