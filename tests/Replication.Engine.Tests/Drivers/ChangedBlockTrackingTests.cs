using System;
using System.IO;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.Drivers;

/// <summary>
/// A primary whose driver tracks changed blocks (the sample ChunkFolder driver): a round reads only what changed since
/// the last recorded round's mark, and anything the tracking cannot say (lost, a failed round) costs a full read, never a missed write.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class ChangedBlockTrackingTests : IDisposable
{
    private const long Size = 32L * ChunkFolderSite.Chunk;

    private readonly CountingDriver _driver = new();
    private readonly ChunkFolderSite _site;

    public ChangedBlockTrackingTests() => _site = new ChunkFolderSite(_driver);

    public void Dispose() => _site.Dispose();

    [Fact]
    public void ARoundAfterOneChunkIsWrittenReadsOnlyThatChunk()
    {
        var primary = Seeded("v1");
        _site.Write(primary, 7L * ChunkFolderSite.Chunk, EngineSite.RandomBytes(ChunkFolderSite.Chunk, 70));
        _driver.ResetCounts();

        var round = _site.Site.Sync("v1");

        Assert.Equal(("TrackedWrites", ChunkFolderSite.Chunk, ChunkFolderSite.Chunk), (round.Mode, _driver.BytesReadFrom(primary), round.BytesRead));
        Assert.Equal(1, round.BlocksWritten);
        Assert.Equal(_site.ReadAll(primary), _site.ReadAll(_site.Replica("v1")));
    }

    [Fact]
    public void LostTrackingFallsBackToReadingEverythingAndTheNextRoundIsTrackedAgain()
    {
        var primary = Seeded("v1");
        File.Delete(Path.Combine(_site.FolderOf(primary), "changes"));
        _site.Write(primary, 3L * ChunkFolderSite.Chunk, EngineSite.RandomBytes(100, 30));
        _driver.ResetCounts();

        var fallback = _site.Site.Sync("v1");

        Assert.Equal("Incremental", fallback.Mode);
        Assert.Equal(5L * ChunkFolderSite.Chunk, _driver.BytesReadFrom(primary));
        Assert.Equal(_site.ReadAll(primary), _site.ReadAll(_site.Replica("v1")));

        _site.Write(primary, 20L * ChunkFolderSite.Chunk, EngineSite.RandomBytes(100, 31));
        _driver.ResetCounts();
        var tracked = _site.Site.Sync("v1");

        Assert.Equal(("TrackedWrites", ChunkFolderSite.Chunk), (tracked.Mode, _driver.BytesReadFrom(primary)));
        Assert.Equal(_site.ReadAll(primary), _site.ReadAll(_site.Replica("v1")));
    }

    [Fact]
    public void ADriverThatAnswersNullIsReadWholeAndSyncedCorrectly()
    {
        var primary = Seeded("v1");
        _driver.Tracking = false;
        _site.Write(primary, 1L * ChunkFolderSite.Chunk, EngineSite.RandomBytes(ChunkFolderSite.Chunk, 11));
        _driver.ResetCounts();

        var round = _site.Site.Sync("v1");

        Assert.Equal(("Incremental", 5L * ChunkFolderSite.Chunk), (round.Mode, _driver.BytesReadFrom(primary)));
        Assert.Equal(_site.ReadAll(primary), _site.ReadAll(_site.Replica("v1")));
    }

    [Fact]
    public void ARoundThatFailsAfterMarkingLeavesTheOldMarkSoTheNextRoundStillSeesTheWrite()
    {
        var primary = Seeded("v1");
        _site.Write(primary, 9L * ChunkFolderSite.Chunk, EngineSite.RandomBytes(ChunkFolderSite.Chunk, 90));
        _driver.FailReads = true;

        EngineSite.Refused(ErrorIds.PrimaryUnreadable, () => _site.Site.Sync("v1"));

        _driver.FailReads = false;
        _driver.ResetCounts();
        var round = _site.Site.Sync("v1");

        Assert.Equal(("TrackedWrites", ChunkFolderSite.Chunk), (round.Mode, _driver.BytesReadFrom(primary)));
        Assert.Equal(_site.ReadAll(primary), _site.ReadAll(_site.Replica("v1")));
    }

    [Fact]
    public void AFullRoundReadsEverythingWhateverTheTrackingSays()
    {
        var primary = Seeded("v1");
        _site.Write(primary, 2L * ChunkFolderSite.Chunk, EngineSite.RandomBytes(10, 2));
        _driver.ResetCounts();

        var round = _site.Site.Sync("v1", forceRead: true);

        // Chunk 2 held data already: the primary has four chunks of data, and every one of them was read.
        Assert.Equal(("FullCompare", 4L * ChunkFolderSite.Chunk), (round.Mode, _driver.BytesReadFrom(primary)));
        Assert.Equal(_site.ReadAll(primary), _site.ReadAll(_site.Replica("v1")));
    }

    /// <summary>A volume with data in four chunks (0, 2, 5, 12), synced once, so its replica holds a recorded round with a mark.</summary>
    private VolumeCopy Seeded(string name)
    {
        _site.Site.CreateVolume(name, Size);
        var primary = _site.Primary(name);
        foreach (var chunk in new[] { 0, 2, 5, 12 })
        {
            _site.Write(primary, (long)chunk * ChunkFolderSite.Chunk, EngineSite.RandomBytes(ChunkFolderSite.Chunk, chunk));
        }

        _site.Site.Sync(name);
        Assert.Equal(_site.ReadAll(primary), _site.ReadAll(_site.Replica(name)));
        return primary;
    }
}
