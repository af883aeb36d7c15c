using System;
using System.Collections.Generic;
using Replication.Drivers;
using Replication.Engine.Drivers;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.Drivers;

/// <summary>
/// A driver that takes snapshots (<see cref="INativeSnapshots"/>) and makes no native clones: a test volume is copied
/// block by block from a snapshot of the replica, which is removed afterwards.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class NativeSnapshotTests : IDisposable
{
    private readonly SnapshottingDriver _driver = new();
    private readonly ChunkFolderSite _site;

    public NativeSnapshotTests() => _site = new ChunkFolderSite(_driver);

    public void Dispose() => _site.Dispose();

    [Fact]
    public void ATestVolumeIsCopiedFromASnapshotOfTheReplicaThatIsThenRemoved()
    {
        _site.Site.CreateVolume("v1", 8L * ChunkFolderSite.Chunk);
        _site.Write(_site.Primary("v1"), ChunkFolderSite.Chunk, EngineSite.RandomBytes(2 * ChunkFolderSite.Chunk, 5));
        _site.Site.Sync("v1");
        var replica = _site.Replica("v1");

        var test = _site.Site.CreateFromReplica("t1", "v1");

        var (snapshot, of) = Assert.Single(_driver.Taken);
        Assert.Equal(replica.Location, of);
        Assert.Equal(new[] { snapshot }, _driver.Removed);
        // This driver's snapshot writes every chunk, zeros too, so the clone read all eight of them.
        Assert.Equal(8L * ChunkFolderSite.Chunk, _driver.BytesReadFrom($"{replica.Backend.Name}:{snapshot}"));
        var copy = new VolumeCopy(_site.Site.BackendRecord(test.Backend), _driver.LocationFor(test.Id));
        Assert.Equal(_site.ReadAll(replica), _site.ReadAll(copy));
        Assert.Null(_driver.CopyLength(EngineDriver.Config(replica.Backend), snapshot));
    }

    /// <summary>The counting sample with snapshots: a snapshot is a new copy of the sample holding the copy's bytes.</summary>
    private sealed class SnapshottingDriver : CountingDriver, INativeSnapshots
    {
        public SnapshottingDriver()
            : base("SnapshotChunks")
        {
        }

        public List<(string Snapshot, string Of)> Taken { get; } = new();

        public List<string> Removed { get; } = new();

        public string CreateSnapshot(BackendConfiguration backend, string location, string snapshotName)
        {
            var snapshot = LocationFor(Guid.NewGuid());
            using (var source = Inner.Open(backend, location, DeviceAccess.Read))
            {
                Inner.CreateCopy(backend, snapshot, source.Length);
                using var copy = Inner.Open(backend, snapshot, DeviceAccess.ReadWrite);
                var bytes = new byte[source.Length];
                source.Read(0, bytes, 0, bytes.Length);
                copy.Write(0, bytes, 0, bytes.Length);
            }

            Taken.Add((snapshot, location));
            return snapshot;
        }

        public void DeleteSnapshot(BackendConfiguration backend, string snapshotLocation)
        {
            Inner.DeleteCopy(backend, snapshotLocation);
            Removed.Add(snapshotLocation);
        }
    }
}
