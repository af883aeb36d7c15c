using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Newtonsoft.Json.Linq;
using Replication.Engine.Drivers.LocalFile;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Export;

/// <summary>
/// NBD_CMD_BLOCK_STATUS with the base:allocation context, to QEMU's own client: what it is told is data and what holes
/// are the volume file's extents, so copying a sparse volume skips its holes instead of reading zeros.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class NbdBlockStatusTests : IDisposable
{
    private const long Size = 32 * MiB;

    private readonly ExportedSite _site = new();
    private readonly TempDirectory _scratch = new();

    public void Dispose()
    {
        _site.Dispose();
        _scratch.Dispose();
    }

    [UnixFact]
    public void QemuImgMap_ShowsTheVolumeFilesExtentsAsData_AndTheRestAsZeroHoles()
    {
        var url = SparseVolume();

        var map = JArray.Parse(QemuImg.Run("map", "--output=json", "-f", "raw", url));

        var data = Merged(map.Where(e => (bool)e["data"]!).Select(e => ((long)e["start"]!, (long)e["length"]!)));
        Assert.Equal(FileExtents(), data);
        Assert.All(map.Where(e => !(bool)e["data"]!), e => Assert.True((bool)e["zero"]!, e.ToString()));
        Assert.Equal(Size, map.Sum(e => (long)e["length"]!));
    }

    [UnixFact]
    public void QemuImgConvert_OfASparseVolume_CopiesItsBytes_FetchingOnlyItsData_IntoASparseFile()
    {
        SparseVolume();
        var copy = _scratch.File("copy.raw");
        using var proxy = new CountingProxy(_site.Endpoint);

        QemuImg.Run("convert", "-f", "raw", "-O", "raw", $"nbd://127.0.0.1:{proxy.Port}/db01", copy);

        var primary = _site.Site.PrimaryFile("db01");
        Assert.Equal(File.ReadAllBytes(primary), File.ReadAllBytes(copy));
        var data = FileExtents().Sum(e => e.Length);
        // What came over the network is the data plus frames (a few KiB), not the 32 MiB the volume reads as.
        Assert.InRange(proxy.BytesFromServer, data, data + (256 * KiB));
        // The holes stay holes (qemu-img may allocate a block or so beyond the data, never the 27 MiB of holes).
        using (var copied = File.OpenRead(copy))
        {
            Assert.InRange(SparseFile.AllocatedBytes(copied), data, data + (64 * KiB));
        }
    }

    /// <summary>A 32 MiB volume with data in four places (one of them the last block), the rest holes; exported.</summary>
    private string SparseVolume()
    {
        _site.Site.CreateVolume("db01", Size);
        var file = _site.Site.PrimaryFile("db01");
        var random = new Random(13);
        foreach (var (offset, length) in new[] { (1 * MiB, 1 * MiB), (5 * MiB, 64 * KiB), (20 * MiB, 4 * MiB), (Size - (4 * KiB), 4 * KiB) })
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            WriteAt(file, offset, bytes);
        }

        return _site.Export("db01");
    }

    private List<(long Offset, long Length)> FileExtents()
    {
        using var file = new FileStream(_site.Site.PrimaryFile("db01"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        return Merged(SparseFile.DataExtents(file).Select(e => (e.Offset, e.Length)));
    }

    private static List<(long Offset, long Length)> Merged(IEnumerable<(long Offset, long Length)> extents)
    {
        var merged = new List<(long Offset, long Length)>();
        foreach (var (offset, length) in extents.OrderBy(e => e.Offset))
        {
            if (merged.Count > 0 && merged[^1].Offset + merged[^1].Length == offset)
            {
                merged[^1] = (merged[^1].Offset, merged[^1].Length + length);
            }
            else
            {
                merged.Add((offset, length));
            }
        }

        return merged;
    }
}
