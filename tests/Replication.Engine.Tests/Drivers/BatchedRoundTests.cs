using System;
using System.Linq;
using System.Threading;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.Drivers;

/// <summary>
/// Changed rounds that wait in a batch: their journals are committed, applied and flushed together when the batch is
/// flushed, and a round that fails then fails alone, recorded on its volume, while the others are recorded.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class BatchedRoundTests : IDisposable
{
    private const long Size = 8L * ChunkFolderSite.Chunk;

    private readonly CountingDriver _driver = new();
    private readonly ChunkFolderSite _site;

    public BatchedRoundTests() => _site = new ChunkFolderSite(_driver);

    public void Dispose() => _site.Dispose();

    [Fact]
    public void ChangedRoundsWaitUntouchedInTheirBatchAndAreAppliedWhenItIsFlushed()
    {
        var names = new[] { "b1", "b2", "b3" };
        var before = names.ToDictionary(name => name, name => Changed(name));
        using var batch = _site.Site.Engine.Replication.BeginBatch();

        // A batch older than its longest wait is flushed by the next round: on a slow machine some may be recorded early.
        var ranNow = names.SelectMany(name => _site.Site.Engine.Replication.Sync(name, false, batch, SilentObserver.Instance, CancellationToken.None)).ToList();

        var waiting = names.Except(ranNow.Select(r => r.VolumeName)).ToList();
        Assert.NotEmpty(waiting);
        Assert.All(waiting, name => Assert.Equal(before[name], _site.ReadAll(_site.Replica(name))));
        var results = ranNow.Concat(batch.Flush()).ToList();
        Assert.Equal(names, results.Select(r => r.VolumeName));
        Assert.Empty(batch.TakeFailures());
        Assert.All(names, name => Assert.Equal(_site.ReadAll(_site.Primary(name)), _site.ReadAll(_site.Replica(name))));
        Assert.All(results, r => Assert.True(r.Phases!.Fsync > TimeSpan.Zero, "A batched round's share of the batch's syncs is on its phases."));
    }

    [Fact]
    public void ARoundWhoseReplicaFailsAtTheFlushFailsAloneAndTheNextRoundFinishesIt()
    {
        var names = new[] { "b1", "b2", "b3" };
        foreach (var name in names)
        {
            Changed(name);
        }

        _driver.FailFlushesOf = _site.Replica("b2").ToString();
        using (var batch = _site.Site.Engine.Replication.BeginBatch())
        {
            var results = names.SelectMany(name => _site.Site.Engine.Replication.Sync(name, false, batch, SilentObserver.Instance, CancellationToken.None)).ToList();
            results.AddRange(batch.Flush());
            var failure = Assert.Single(batch.TakeFailures());

            Assert.Equal(new[] { "b1", "b3" }, results.Select(r => r.VolumeName));
            Assert.Equal(("b2", ErrorIds.ReplicaUnwritable), (failure.VolumeName, failure.Failure.ErrorId));
        }

        Assert.Equal(("active", "error", "active"), (Status("b1"), Status("b2"), Status("b3")));
        _driver.FailFlushesOf = null;
        _site.Site.Enable("b2");
        Assert.Equal("active", Status("b2"));
        Assert.All(names, name => Assert.Equal(_site.ReadAll(_site.Primary(name)), _site.ReadAll(_site.Replica(name))));
    }

    private string Status(string name) => _site.Site.Record(name).ReplicationStatus.ToCinder();

    /// <summary>A volume synced once, then written: returns its replica's bytes before the next round.</summary>
    private byte[] Changed(string name)
    {
        _site.Site.CreateVolume(name, Size);
        var primary = _site.Primary(name);
        _site.Write(primary, 0, EngineSite.RandomBytes(ChunkFolderSite.Chunk, name.GetHashCode()));
        _site.Site.Sync(name);
        _site.Write(primary, 3L * ChunkFolderSite.Chunk, EngineSite.RandomBytes(ChunkFolderSite.Chunk / 2, name.Length + 7));
        return _site.ReadAll(_site.Replica(name));
    }
}
