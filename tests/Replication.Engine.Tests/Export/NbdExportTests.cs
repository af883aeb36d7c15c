using System;
using System.IO;
using System.Linq;
using System.Diagnostics;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Export;

/// <summary>A volume served over NBD to QEMU's own client, qemu-io: what it writes is in the volume file, what it reads is the file's.</summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class NbdExportTests : IDisposable
{
    private readonly ExportedSite _site = new();

    public void Dispose() => _site.Dispose();

    [UnixFact]
    public void QemuIo_WritesAPattern_ReadsItBack_AndTheVolumeFileHoldsIt()
    {
        var url = _site.CreateExported("db01", 16 * MiB);

        QemuIo.Run(url, "write -P 0xab 0 64k", "write -P 0xcd 5M 128k");
        QemuIo.Run(url, "read -P 0xab 0 64k", "read -P 0xcd 5M 128k", "read -P 0 64k 64k");

        var file = _site.Site.PrimaryFile("db01");
        Assert.All(ReadAt(file, 0, Block), b => Assert.Equal(0xab, b));
        Assert.All(ReadAt(file, 5 * MiB, 2 * Block), b => Assert.Equal(0xcd, b));
        Assert.All(ReadAt(file, Block, Block), b => Assert.Equal(0, b));
        Assert.Equal(16 * MiB, new FileInfo(file).Length);
    }

    [UnixFact]
    public void QemuIo_ReadsWhatIsInTheFile()
    {
        _site.Site.CreateVolume("db01", 8 * MiB);
        WriteAt(_site.Site.PrimaryFile("db01"), 3 * MiB, Enumerable.Repeat((byte)0x5a, 4096).ToArray());

        var url = _site.Export("db01");

        QemuIo.Run(url, "read -P 0x5a 3M 4k", "read -P 0 0 3M");
    }

    [UnixFact]
    public void FuaWrites_Flush_AndDiscard_AreServed_AndADiscardedRangeReadsAsZeros()
    {
        var url = _site.CreateExported("db01", 8 * MiB);

        QemuIo.Run(url, "write -f -P 0x11 0 1M", "flush", "discard 0 512k", "read -P 0 0 512k", "read -P 0x11 512k 512k");

        var file = _site.Site.PrimaryFile("db01");
        Assert.All(ReadAt(file, 0, 512 * (int)KiB), b => Assert.Equal(0, b));
        Assert.All(ReadAt(file, 512 * KiB, 512 * (int)KiB), b => Assert.Equal(0x11, b));
    }

    [UnixFact]
    public void SeveralClientsAtOnce_EachWritesItsOwnRegion_AndEveryWriteIsInTheFile()
    {
        var url = _site.CreateExported("db01", 32 * MiB);
        // One client stays attached the whole time, so the qemu-io clients are served beside it.
        using var attached = RawNbdClient.Attached(_site.Endpoint, "db01", out var size);
        Assert.Equal(32UL * MiB, size);

        var clients = Enumerable.Range(1, 4)
            .Select(i => QemuIo.Start(url, $"write -P 0x{i:x2} {i * 4}M 1M", $"write -P 0x{i + 16:x2} {(i * 4) + 1}M 1M", $"read -P 0x{i:x2} {i * 4}M 1M"))
            .ToList();
        foreach (var client in clients)
        {
            QemuIo.Finish(client);
        }

        attached.Send(RawNbdClient.Request(RawNbdClient.CmdRead, 7, 4 * (ulong)MiB, 4096));
        Assert.Equal(0u, attached.ReadReply(7, 4096, out var data));
        Assert.All(data, b => Assert.Equal(0x01, b));
        var file = _site.Site.PrimaryFile("db01");
        for (var i = 1; i <= 4; i++)
        {
            Assert.All(ReadAt(file, i * 4 * MiB, (int)MiB), b => Assert.Equal((byte)i, b));
            Assert.All(ReadAt(file, ((i * 4) + 1) * MiB, (int)MiB), b => Assert.Equal((byte)(i + 16), b));
        }
    }

    [UnixFact]
    public void RequestsKeptInFlight_ByQemuImgBench_AreAllServed()
    {
        var url = _site.CreateExported("db01", 64 * MiB);

        var bench = Process.Start(new ProcessStartInfo("qemu-img", $"bench -f raw -w --pattern=92 -c 32 -d 4 -s 1M -o {16 * MiB} {url}") { RedirectStandardOutput = true, RedirectStandardError = true })!;
        QemuIo.Finish(bench);

        Assert.All(ReadAt(_site.Site.PrimaryFile("db01"), 16 * MiB, 32 * (int)MiB), b => Assert.Equal(92, b));
    }

    [UnixFact]
    public void AnUnknownExportName_IsRefused_AndTheClientFails()
    {
        _site.CreateExported("db01", 8 * MiB);

        var (exitCode, output) = QemuIo.Try($"nbd://127.0.0.1:{_site.Endpoint.Port}/nosuch", "read 0 4k");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("nosuch", output, StringComparison.Ordinal);
    }

    [UnixFact]
    public void AStoppedExport_ServesNoMore_AndTheVolumeConnectionNoLongerOffersIt()
    {
        var url = _site.CreateExported("db01", 8 * MiB);
        Assert.Equal(url, _site.Site.Engine.Volumes.Connection("db01").NbdUrl);

        _site.Site.Engine.Exports.Stop("db01", _site.Site.Quiet);

        Assert.NotEqual(0, QemuIo.Try(url, "read 0 4k").ExitCode);
        Assert.Null(_site.Site.Engine.Volumes.Connection("db01").NbdUrl);
        Assert.Empty(_site.Site.Engine.Exports.List());
    }
}
