using System;
using System.Collections.Generic;
using Replication.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.Drivers;

/// <summary>
/// A driver that offers synchronous mirroring is asked, for each backend pair, whether it can mirror there: only a pair it
/// says yes for reports the sync mode, and a type that asks for it is placed only there.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class CanMirrorTests : IDisposable
{
    private readonly MirroringDriver _driver = new();
    private readonly ChunkFolderSite _site;

    public CanMirrorTests()
    {
        _site = new ChunkFolderSite(_driver);
        _site.Site.AddReplicatedType("sync", new Dictionary<string, string> { ["replication_type"] = "<in> sync" });
    }

    public void Dispose() => _site.Dispose();

    [Fact]
    public void APairTheDriverCannotMirrorReportsOnlyTheAsyncModeAndTakesNoSyncVolume()
    {
        _driver.Answer = false;

        Assert.Equal(new[] { "async" }, Modes("dc1"));
        EngineSite.Refused(ErrorIds.NoValidBackend, () => _site.Site.CreateVolume("v1", EngineSite.MiB, "sync"));
        Assert.Contains(("dc1", "dc2"), _driver.Asked);
    }

    [Fact]
    public void APairTheDriverCanMirrorReportsTheSyncModeAndTakesASyncVolume()
    {
        _driver.Answer = true;

        Assert.Equal(new[] { "async", "sync" }, Modes("dc2"));
        Assert.Contains(("dc2", "dc1"), _driver.Asked);
        Assert.Equal("sync", _site.Site.CreateVolume("v1", EngineSite.MiB, "sync").VolumeType);
    }

    [Fact]
    public void ADriverThatCannotTellNowIsTakenAsNo()
    {
        _driver.Answer = null;

        Assert.Equal(new[] { "async" }, Modes("dc1"));
    }

    private IEnumerable<string> Modes(string backend) =>
        Assert.IsAssignableFrom<IEnumerable<string>>(_site.Site.Engine.Backends.Get(backend).Capabilities["replication_type"]);

    /// <summary>The counting sample with synchronous mirroring whose answer the test sets (null: a storage fault).</summary>
    private sealed class MirroringDriver : CountingDriver, ISynchronousReplication
    {
        public MirroringDriver()
            : base("MirroringChunks")
        {
        }

        public bool? Answer { get; set; }

        public List<(string Primary, string Replica)> Asked { get; } = new();

        public bool CanMirror(BackendConfiguration primary, BackendConfiguration replica)
        {
            Asked.Add((primary.Name, replica.Name));
            return Answer ?? throw new StorageDriverException(DriverErrorIds.BackendUnreachable, "The array cannot be asked now.");
        }
    }
}
