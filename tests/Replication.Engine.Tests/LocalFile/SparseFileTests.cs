using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;
using Replication.Engine.Files.Native;
using Replication.Engine.Drivers.LocalFile;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.LocalFile;

// Written against Linux and macOS file systems with 4 KiB blocks; NTFS allocates sparse files in 64 KiB units.
[UnsupportedOSPlatform("windows")]
public sealed class SparseFileTests : IDisposable
{
    private const long MiB = 1024 * 1024;
    private const long Block = 4096;

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [UnixFact]
    public void DataExtents_CoverEveryWrittenByteAndSkipTheHoles()
    {
        (long Offset, long Length)[] written = { (0, 4096), (10 * MiB + 123, 1000L), (40 * MiB, 100 * 1024L), (63 * MiB + 5, 70_000L) };
        using var file = TestFiles.CreateSparse(temp.File("volume"), 64 * MiB);
        foreach (var (offset, length) in written)
        {
            Write(file, offset, Pattern(length, 0x5A));
        }

        var extents = SparseFile.DataExtents(file).ToList();

        AssertWellFormed(extents, file.Length);
        foreach (var (offset, length) in written)
        {
            Assert.True(Covered(extents, offset, offset + length), $"[{offset}, {offset + length}) is not covered by {string.Join(", ", extents)}");
        }

        // Nothing outside the written ranges, beyond rounding them out to whole blocks.
        foreach (var extent in extents)
        {
            Assert.Contains(written, range => extent.Offset >= RoundDown(range.Offset) && extent.End <= RoundUp(range.Offset + range.Length));
        }

        Assert.True(extents.Sum(extent => extent.Length) < MiB, string.Join(", ", extents));
    }

    [UnixFact]
    public void DataExtents_OfAFileWithoutData_AreEmpty()
    {
        using var sparse = TestFiles.CreateSparse(temp.File("sparse"), 64 * MiB);
        using var empty = TestFiles.CreateSparse(temp.File("empty"), 0);

        Assert.Empty(SparseFile.DataExtents(sparse));
        Assert.Empty(SparseFile.DataExtents(empty));
    }

    [UnixFact]
    public void DataExtents_EndAtTheFileLength_WhenDataIsAtTheVeryEnd()
    {
        var length = 64 * MiB + 100;
        using var file = TestFiles.CreateSparse(temp.File("volume"), length);
        Write(file, length - 50, Pattern(50, 1));

        var extents = SparseFile.DataExtents(file).ToList();

        var extent = Assert.Single(extents);
        Assert.Equal(length, extent.End);
        Assert.InRange(extent.Offset, RoundDown(length - 50), length - 50);
    }

    [UnixFact]
    public void DataExtents_OfAFullyWrittenFile_AreOneExtentOverTheWholeFile()
    {
        var length = 3 * MiB + 5;
        using var file = TestFiles.CreateSparse(temp.File("volume"), 0);
        Write(file, 0, Pattern(length, 7));

        var extent = Assert.Single(SparseFile.DataExtents(file));

        Assert.Equal(new FileExtent(0, length), extent);
        Assert.Equal(length, TestFiles.AllocatedBytes(temp.File("volume")));
    }

    [UnixFact]
    public void DataExtents_StopAtTheLengthTheFileHadWhenTheWalkStarted()
    {
        using var file = TestFiles.CreateSparse(temp.File("volume"), MiB);
        Write(file, 0, Pattern(4096, 1));
        Write(file, MiB / 2, Pattern(MiB / 2, 2));
        using var extents = SparseFile.DataExtents(file).GetEnumerator();
        Assert.True(extents.MoveNext());

        Write(file, MiB, Pattern(MiB, 3)); // the last data region now runs on to 2 MiB

        Assert.True(extents.MoveNext());
        Assert.Equal(new FileExtent(MiB / 2, MiB / 2), extents.Current);
        Assert.False(extents.MoveNext());
    }

    [UnixFact]
    public void DataExtents_SeeWritesStillInTheStreamBuffer()
    {
        using var file = TestFiles.CreateSparse(temp.File("volume"), 8 * MiB, bufferSize: 64 * 1024);
        file.Position = 5 * MiB;
        file.Write(Pattern(100, 3), 0, 100);

        var extent = Assert.Single(SparseFile.DataExtents(file));

        Assert.True(Covered(new[] { extent }, 5 * MiB, 5 * MiB + 100), extent.ToString());
    }

    [UnixFact]
    public void DataExtents_CanBeWalkedWhileTheStreamReadsAndWrites()
    {
        var content = Pattern(2 * MiB, 11);
        var path = temp.File("volume");
        using var file = TestFiles.CreateSparse(path, 16 * MiB);
        Write(file, 0, content);
        Write(file, 8 * MiB, content);
        file.Position = 1000;
        var head = new byte[500];
        ReadExactly(file, head);
        var handle = file.SafeFileHandle; // fetched before the walk: fetching it re-seeks the descriptor to Position

        using var extents = SparseFile.DataExtents(file).GetEnumerator();
        Assert.True(extents.MoveNext());

        // The walk really moved the descriptor's own offset (to the first hole), so the checks below mean something.
        Assert.Equal(new FileExtent(0, 2 * MiB), extents.Current);
        Assert.Equal(2 * MiB, DescriptorOffset(handle));
        Assert.Equal(1500, file.Position);
        var next = new byte[1000];
        ReadExactly(file, next);
        Assert.Equal(content.Skip(1000).Take(1500).ToArray(), head.Concat(next).ToArray());
        file.Write(new byte[] { 0xEE }, 0, 1);
        Assert.True(extents.MoveNext());
        Assert.Equal(new FileExtent(8 * MiB, 2 * MiB), extents.Current);
        Assert.False(extents.MoveNext());
        file.Flush();
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(0xEE, bytes[2500]);
        Assert.Equal(content[2501], bytes[2501]);
    }

    [UnixFact]
    public void PunchHole_ZeroesTheRangeKeepsTheLengthAndFreesTheSpace()
    {
        var path = temp.File("volume");
        using var file = TestFiles.CreateSparse(path, 0);
        var content = Pattern(8 * MiB, 0xAB);
        Write(file, 0, content);
        file.Position = 123;
        var before = TestFiles.AllocatedBytes(path);

        SparseFile.PunchHole(file, 1 * MiB, 2 * MiB);

        Assert.Equal(8 * MiB, file.Length);
        Assert.Equal(123, file.Position);
        Assert.Equal(before - 2 * MiB, TestFiles.AllocatedBytes(path));
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(content[MiB - 1], bytes[MiB - 1]);
        Assert.All(bytes.Skip((int)MiB).Take((int)(2 * MiB)), value => Assert.Equal(0, value));
        Assert.Equal(content[3 * MiB], bytes[3 * MiB]);
    }

    [UnixFact]
    public void PunchHole_ZeroesUnalignedEdgesAndFreesTheWholeBlocksBetween()
    {
        var path = temp.File("volume");
        using var file = TestFiles.CreateSparse(path, 0, bufferSize: 64 * 1024);
        var content = Pattern(64 * 1024, 0xCD);
        Write(file, 0, content);
        file.Position = 777;

        SparseFile.PunchHole(file, 1000, 12_000);

        Assert.Equal(777, file.Position);
        Assert.Equal(64 * 1024 - 8192, TestFiles.AllocatedBytes(path)); // blocks [4096, 12288) are freed
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(content[999], bytes[999]);
        Assert.All(bytes.Skip(1000).Take(12_000), value => Assert.Equal(0, value));
        Assert.Equal(content[13_000], bytes[13_000]);
    }

    [UnixFact]
    public void PunchHole_BeyondTheEnd_DoesNotGrowTheFile()
    {
        var path = temp.File("volume");
        using var file = TestFiles.CreateSparse(path, 0);
        var content = Pattern(10_000, 0xEF);
        Write(file, 0, content);

        SparseFile.PunchHole(file, 9_900, MiB);
        SparseFile.PunchHole(file, 20_000, MiB);

        var bytes = File.ReadAllBytes(path);
        Assert.Equal(10_000, bytes.Length);
        Assert.Equal(content[9_899], bytes[9_899]);
        Assert.All(bytes.Skip(9_900), value => Assert.Equal(0, value));
    }

    [UnixFact]
    public void PunchHole_IsSeenByReadsThroughTheSameBufferedStream()
    {
        using var file = TestFiles.CreateSparse(temp.File("volume"), 0, bufferSize: 64 * 1024);
        Write(file, 0, Pattern(MiB, 0x11));
        file.Position = 0;
        ReadExactly(file, new byte[10]); // fills the stream's read buffer with the old bytes

        SparseFile.PunchHole(file, 0, 64 * 1024);

        var reread = new byte[64 * 1024];
        file.Position = 0;
        ReadExactly(file, reread);
        Assert.All(reread, value => Assert.Equal(0, value));
    }

    [UnixFact]
    public void PunchHole_RejectsAStreamItCannotWrite()
    {
        var path = temp.File("volume");
        File.WriteAllBytes(path, Pattern(8192, 1));
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read);

        Assert.Throws<ArgumentException>(() => SparseFile.PunchHole(file, 0, 4096));
    }

    [UnixFact]
    public void CreateNew_MakesAnAllHoleFileOfTheSize()
    {
        var path = temp.File("volume");

        using var file = TestFiles.CreateSparse(path, 256 * MiB);

        Assert.Equal(256 * MiB, file.Length);
        Assert.Equal(0, TestFiles.AllocatedBytes(path));
        Assert.True(file.CanRead && file.CanWrite);
        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var sample = new byte[4096];
        reader.Position = 200 * MiB;
        ReadExactly(reader, sample);
        Assert.All(sample, value => Assert.Equal(0, value));
    }

    [UnixFact]
    public void CreateNew_FailsOnAnExistingFileAndLeavesItAlone()
    {
        var path = temp.File("volume");
        File.WriteAllText(path, "precious");

        Assert.Throws<IOException>(() => TestFiles.CreateSparse(path, MiB));

        Assert.Equal("precious", File.ReadAllText(path));
    }

    [UnixFact]
    public void CreateNew_RejectsANegativeSizeWithoutLeavingAFile()
    {
        var path = temp.File("volume");

        Assert.Throws<ArgumentOutOfRangeException>(() => TestFiles.CreateSparse(path, -1));

        Assert.False(File.Exists(path));
    }

    private static void AssertWellFormed(IReadOnlyList<FileExtent> extents, long length)
    {
        for (var i = 0; i < extents.Count; i++)
        {
            Assert.True(extents[i].Length > 0, extents[i].ToString());
            Assert.InRange(extents[i].End, 1, length);
            if (i > 0)
            {
                Assert.True(extents[i - 1].End < extents[i].Offset, $"{extents[i - 1]} then {extents[i]}");
            }
        }
    }

    private static bool Covered(IEnumerable<FileExtent> extents, long start, long end) =>
        extents.Any(extent => extent.Offset <= start && end <= extent.End);

    private static long RoundDown(long offset) => offset - offset % Block;

    private static long RoundUp(long offset) => RoundDown(offset + Block - 1);

    private static byte[] Pattern(long length, byte seed)
    {
        var bytes = new byte[length];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(seed + i * 31 | 1);
        }

        return bytes;
    }

    private static void Write(FileStream file, long offset, byte[] bytes)
    {
        file.Position = offset;
        file.Write(bytes, 0, bytes.Length);
        file.Flush();
    }

    private static void ReadExactly(FileStream file, byte[] buffer) => file.ReadExactly(buffer);

    /// <summary>The descriptor's own offset (lseek SEEK_CUR), which FileStream does not use for its reads and writes.</summary>
    private static long DescriptorOffset(SafeFileHandle handle)
    {
        const int seekCurrent = 1;
        return NativeMethods.Unix.Seek((int)handle.DangerousGetHandle(), 0, seekCurrent);
    }
}
