using System;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using Replication.Engine.Drivers.LocalFile;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.LocalFile;

[UnsupportedOSPlatform("windows")]
public sealed class FileSystemOpsTests : IDisposable
{
    private const UnixFileMode ReadWriteForOwnerReadForAll =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [UnixFact]
    public void SetReadOnly_FencesTheFileAndLiftsTheFence()
    {
        var path = temp.File("volume");
        File.WriteAllText(path, "data");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        FileSystemOps.SetReadOnly(path, true);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(path));
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Throws<UnauthorizedAccessException>(() => File.OpenWrite(path).Dispose());
        }

        FileSystemOps.SetReadOnly(path, false);

        Assert.Equal(ReadWriteForOwnerReadForAll, File.GetUnixFileMode(path));
        File.OpenWrite(path).Dispose();
    }

    [UnixFact]
    public void SetReadOnly_OnAMissingFile_ThrowsWithTheSystemsReason()
    {
        var exception = Assert.Throws<IOException>(() => FileSystemOps.SetReadOnly(temp.File("missing"), true));

        Assert.Contains("No such file or directory", exception.Message);
        Assert.Contains(temp.File("missing"), exception.Message);
    }

    [UnixFact]
    public void RestrictToOwner_LeavesOnlyOwnerReadAndWrite()
    {
        var path = temp.File("state.db");
        File.WriteAllText(path, "state");
        File.SetUnixFileMode(path, ReadWriteForOwnerReadForAll | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);

        FileSystemOps.RestrictToOwner(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [UnixFact]
    public void ReplaceAtomically_PutsTheSourceInPlaceOfTheDestination()
    {
        var source = temp.File("config.json.tmp");
        var destination = temp.File("config.json");
        File.WriteAllText(source, "new");
        File.WriteAllText(destination, "old");

        FileSystemOps.ReplaceAtomically(source, destination);

        Assert.Equal("new", File.ReadAllText(destination));
        Assert.False(File.Exists(source));
    }

    [UnixFact]
    public void ReplaceAtomically_CreatesTheDestinationWhenItIsMissing()
    {
        var source = temp.File("a.tmp");
        Directory.CreateDirectory(temp.File("sub"));
        var destination = Path.Combine(temp.File("sub"), "a");
        File.WriteAllText(source, "content");

        FileSystemOps.ReplaceAtomically(source, destination);

        Assert.Equal("content", File.ReadAllText(destination));
    }

    [UnixFact]
    public void ReplaceAtomically_WithAMissingSource_ThrowsAndKeepsTheDestination()
    {
        var destination = temp.File("config.json");
        File.WriteAllText(destination, "old");

        var exception = Assert.Throws<IOException>(() => FileSystemOps.ReplaceAtomically(temp.File("missing"), destination));

        Assert.Contains("No such file or directory", exception.Message);
        Assert.Equal("old", File.ReadAllText(destination));
    }

    [LinuxFact]
    public void FsyncDirectory_SyncsAnExistingDirectory_AndClosesTheDescriptorItOpened()
    {
        FileSystemOps.FsyncDirectory(temp.Path);

        // With FsyncDirectory_OnAMissingDirectory_Throws: it opens the directory, and gives the descriptor back.
        Assert.Empty(DescriptorsOpenOn(temp.Path));
    }

    [UnixFact]
    public void FsyncDirectory_OnAMissingDirectory_Throws()
    {
        var exception = Assert.Throws<IOException>(() => FileSystemOps.FsyncDirectory(temp.File("missing")));

        Assert.Contains("No such file or directory", exception.Message);
    }

    /// <summary>This process's open descriptors (Linux's /proc/self/fd) that refer to <paramref name="path"/>.</summary>
    private static string[] DescriptorsOpenOn(string path) => Directory.GetFileSystemEntries("/proc/self/fd")
        .Where(descriptor =>
        {
            try
            {
                return new FileInfo(descriptor).LinkTarget == path;
            }
            catch (IOException)
            {
                return false; // closed by another thread meanwhile
            }
        })
        .ToArray();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(1000)]
    [InlineData(1024 * 1024 + 3)]
    public void IsAllZero_TellsZerosFromAnyNonZeroByte(int length)
    {
        var buffer = new byte[length];
        Assert.True(FileSystemOps.IsAllZero(buffer, 0, length));

        for (var position = 0; position < length; position += Math.Max(1, length / 37))
        {
            buffer[position] = 0x80;
            Assert.False(FileSystemOps.IsAllZero(buffer, 0, length), $"non-zero byte at {position} of {length} missed");
            buffer[position] = 0;
        }

        if (length > 0)
        {
            buffer[length - 1] = 1;
            Assert.False(FileSystemOps.IsAllZero(buffer, 0, length));
        }
    }

    [Fact]
    public void IsAllZero_LooksOnlyInsideTheRange()
    {
        var buffer = new byte[200];
        buffer[2] = 1;
        buffer[150] = 1;

        Assert.True(FileSystemOps.IsAllZero(buffer, 3, 147));
        Assert.False(FileSystemOps.IsAllZero(buffer, 3, 148));
        Assert.False(FileSystemOps.IsAllZero(buffer, 2, 100));
    }

    [Fact]
    public void IsAllZero_RejectsARangeOutsideTheBuffer()
    {
        var buffer = new byte[16];

        Assert.Throws<ArgumentOutOfRangeException>(() => FileSystemOps.IsAllZero(buffer, 10, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => FileSystemOps.IsAllZero(buffer, -1, 1));
        Assert.Throws<ArgumentNullException>(() => FileSystemOps.IsAllZero(null!, 0, 0));
    }
}
