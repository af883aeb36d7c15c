using System;
using System.IO;
using System.Linq;
using Replication.Engine.Model;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Export;

/// <summary>
/// Write tracking: a round of an exported volume reads only the blocks written through the export (the bytes it
/// read are counted), and the replica still equals the primary; a file changed behind the export's back is read whole.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class TrackedSyncTests : IDisposable
{
    private const long Size = 64 * MiB;

    private readonly ExportedSite _site = new();

    public void Dispose() => _site.Dispose();

    /// <summary>A 64 MiB volume with 32 MiB of data, synced, then exported and synced once more so its bitmap covers every write from then on.</summary>
    private string ExportedWithData()
    {
        _site.Site.CreateVolume("db01", Size);
        WriteAt(_site.Site.PrimaryFile("db01"), 0, RandomBytes(32 * (int)MiB, seed: 1));
        _site.Site.Sync("db01");
        var url = _site.Export("db01");
        var first = _site.Site.Sync("db01");
        Assert.NotEqual(SyncMode.TrackedWrites.ToString(), first.Mode);
        return url;
    }

    [UnixFact]
    public void ARoundAfterWritesThroughTheExport_ReadsOnlyTheWrittenBlocks()
    {
        var url = ExportedWithData();
        // Three writes: one block, two blocks across a boundary, and 4 KiB inside a block already written to.
        QemuIo.Run(url, "write -P 0x71 1M 64k", $"write -P 0x72 {(40 * MiB) - (32 * KiB)} 64k", $"write -P 0x73 {MiB + (4 * KiB)} 4k");

        var round = _site.Site.Sync("db01");

        Assert.Equal(SyncMode.TrackedWrites.ToString(), round.Mode);
        Assert.Equal(3 * Block, round.BytesRead);
        Assert.Equal(3, round.BlocksWritten);
        AssertSameBytes(_site.Site.PrimaryFile("db01"), _site.Site.ReplicaFile("db01"));
    }

    [UnixFact]
    public void ARoundWithNoWriteSinceTheLast_ReadsNothing()
    {
        var url = ExportedWithData();
        QemuIo.Run(url, "write -P 0x71 1M 64k");
        _site.Site.Sync("db01");

        var round = _site.Site.Sync("db01");

        Assert.Equal(SyncMode.Unchanged.ToString(), round.Mode);
        Assert.Equal(0, round.BytesRead);
    }

    [UnixFact]
    public void AfterTheExportStops_TheTrackedBlocksAreStillAllARoundReads()
    {
        var url = ExportedWithData();
        QemuIo.Run(url, "write -P 0x71 2M 128k");
        _site.Site.Engine.Exports.Stop("db01", _site.Site.Quiet);

        var round = _site.Site.Sync("db01");

        Assert.Equal(SyncMode.TrackedWrites.ToString(), round.Mode);
        Assert.Equal(2 * Block, round.BytesRead);
        AssertSameBytes(_site.Site.PrimaryFile("db01"), _site.Site.ReplicaFile("db01"));
    }

    [UnixFact]
    public void AFileWrittenWhileNotExported_IsReadWhole_SoNoWriteIsMissed()
    {
        var url = ExportedWithData();
        QemuIo.Run(url, "write -P 0x71 2M 64k");
        _site.Site.Engine.Exports.Stop("db01", _site.Site.Quiet);
        // A hypervisor opens the file directly while the export is stopped: the bitmap cannot know.
        WriteAt(_site.Site.PrimaryFile("db01"), 50 * MiB, RandomBytes(4096, seed: 2));
        _site.Export("db01");

        var round = _site.Site.Sync("db01");

        Assert.NotEqual(SyncMode.TrackedWrites.ToString(), round.Mode);
        Assert.True(round.BytesRead > 32 * MiB, $"the round read {round.BytesRead} bytes, not the whole volume's data");
        AssertSameBytes(_site.Site.PrimaryFile("db01"), _site.Site.ReplicaFile("db01"));
    }

    [UnixFact]
    public void TheExportReportsTheDirtyBytes_UntilARoundCopiesThem()
    {
        var url = ExportedWithData();
        QemuIo.Run(url, "write -P 0x71 1M 192k");

        Assert.Equal(3 * Block, _site.Site.Engine.Exports.List().Single().DirtyBytes);
        _site.Site.Sync("db01");
        Assert.Equal(0, _site.Site.Engine.Exports.List().Single().DirtyBytes);
    }
}
