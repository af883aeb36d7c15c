using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Threading;
using Replication.Engine.Drivers;
using Replication.Engine.Drivers.LocalFile;
using Replication.Engine.Errors;
using Replication.Engine.State;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.LocalFile.DriverFixture;

namespace Replication.Engine.Tests.LocalFile;

/// <summary>LocalFileDriver's volume lifecycle, fencing, layout and backend checks on real files.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class LocalFileDriverTests : IDisposable
{
    private const long Size = (64 * MiB) + (3 * 512);
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly DriverFixture fx = new();

    public void Dispose() => fx.Dispose();

    [Fact]
    public void Names()
    {
        Assert.Equal("LocalFile", fx.Driver.Name);
        Assert.Equal("file", fx.Driver.ConnectionType);
        var id = Guid.Parse("0123abcd-4567-89ab-cdef-0123456789ab");
        Assert.Equal("volume-0123abcd-4567-89ab-cdef-0123456789ab.img", fx.Driver.LocationFor(id));
        Assert.Equal(fx.SourcePath, fx.Driver.ConnectionPath(fx.Source));
    }

    [UnixFact]
    public void CreateVolume_MakesASparseFileOfTheSize_WithNothingAllocated()
    {
        fx.Driver.CreateVolume(fx.Source, Size);

        Assert.Equal(Size, new FileInfo(fx.SourcePath).Length);
        Assert.Equal(0, Allocated(fx.SourcePath));
        Assert.True(IsAllZero(fx.SourcePath, Size - BlockSize, BlockSize));
    }

    [UnixFact]
    public void CreateVolume_OnAnExistingLocation_Fails_AndKeepsTheData()
    {
        fx.Driver.CreateVolume(fx.Source, Size);
        Write(fx.SourcePath, MiB, RandomBytes(new Random(1), 5000));
        var before = ContentHash(fx.SourcePath);

        Assert.Throws<ReplicationException>(() => fx.Driver.CreateVolume(fx.Source, 2 * Size));

        Assert.Equal(before, ContentHash(fx.SourcePath));
    }

    [UnixFact]
    public void DeleteVolume_RemovesAFencedVolumeAndItsJournals_AndOnlyThose()
    {
        fx.Driver.CreateVolume(fx.Target, Size);
        var other = new VolumeCopy(fx.Secondary, fx.Driver.LocationFor(Guid.NewGuid()));
        fx.Driver.CreateVolume(other, Size);
        fx.Driver.CreateVolume(fx.Source, Size);
        Directory.CreateDirectory(Path.GetDirectoryName(fx.JournalPath)!);
        File.WriteAllBytes(fx.JournalPath, new byte[] { 1 });
        File.WriteAllBytes(fx.UncommittedJournalPath, new byte[] { 2 });
        Assert.True(fx.Driver.Fence(fx.Target));

        fx.Driver.DeleteVolume(fx.Target);

        Assert.False(File.Exists(fx.TargetPath));
        Assert.False(File.Exists(fx.JournalPath));
        Assert.False(File.Exists(fx.UncommittedJournalPath));
        Assert.True(File.Exists(Path.Combine(fx.Secondary.Path, other.Location)));
        Assert.True(File.Exists(fx.SourcePath), "deleting the replica removed the primary");

        fx.Driver.DeleteVolume(fx.Target); // already gone: fine
    }

    [UnixFact]
    public void DeleteVolume_WithTheBackendFolderMissing_IsVolumeFileFault()
    {
        var gone = fx.MakeBackend("unmounted");
        var copy = new VolumeCopy(gone, fx.Driver.LocationFor(fx.VolumeId));

        var error = Assert.Throws<ReplicationException>(() => fx.Driver.DeleteVolume(copy));

        Assert.Equal(ErrorIds.VolumeFileFault, error.ErrorId);
        Assert.False(Directory.Exists(gone.Path));
    }

    [UnixFact]
    public void FenceAndUnfence_SetTheFileMode_OwnerOnly()
    {
        fx.Driver.CreateVolume(fx.Source, Size);
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(fx.SourcePath));

        Assert.True(fx.Driver.Fence(fx.Source));
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(fx.SourcePath));
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Throws<UnauthorizedAccessException>(() => Write(fx.SourcePath, 0, new byte[] { 1 }));
        }

        fx.Driver.Unfence(fx.Source);

        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(fx.SourcePath));
        Write(fx.SourcePath, 0, new byte[] { 1 });
    }

    [UnixFact]
    public void FenceAndUnfence_KeepTheGroupsReadOfAFileModeSetting()
    {
        var shared = fx.MakeBackend("shared") with { Settings = new Dictionary<string, string> { ["FileMode"] = "0660", ["FolderMode"] = "0750" } };
        fx.Driver.PrepareBackend(shared);
        var copy = new VolumeCopy(shared, fx.Driver.LocationFor(Guid.NewGuid()));
        fx.Driver.CreateVolume(copy, Size);
        var path = Path.Combine(shared.Path, copy.Location);
        Assert.Equal(OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute, File.GetUnixFileMode(shared.Path));

        Assert.True(fx.Driver.Fence(copy));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead, File.GetUnixFileMode(path));

        fx.Driver.Unfence(copy);
        Assert.Equal(OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(path));
    }

    [UnixFact]
    public void Fence_OfAnUnreachableCopy_IsFalse()
    {
        var gone = new VolumeCopy(fx.MakeBackend("unmounted"), fx.Driver.LocationFor(fx.VolumeId));

        Assert.False(fx.Driver.Fence(gone));
        Assert.False(fx.Driver.Fence(fx.Source)); // folder there, file missing
    }

    [UnixFact]
    public void Unfence_OfAMissingFile_IsNothing_ButOfAnUnreachableFolder_IsVolumeFileFault()
    {
        fx.Driver.Unfence(fx.Source);
        Assert.False(File.Exists(fx.SourcePath));

        var gone = new VolumeCopy(fx.MakeBackend("unmounted"), fx.Driver.LocationFor(fx.VolumeId));
        var error = Assert.Throws<ReplicationException>(() => fx.Driver.Unfence(gone));
        Assert.Equal(ErrorIds.VolumeFileFault, error.ErrorId);
    }

    [UnixTheory]
    [InlineData("../x")]
    [InlineData("volume-../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("/tmp/volume-0123abcd-4567-89ab-cdef-0123456789ab.img")]
    [InlineData("../volume-0123abcd-4567-89ab-cdef-0123456789ab.img")]
    [InlineData("sub/volume-0123abcd-4567-89ab-cdef-0123456789ab.img")]
    [InlineData("volume-0123abcd-4567-89ab-cdef-0123456789ab.img/..")]
    [InlineData("volume-0123abcd-4567-89ab-cdef-0123456789ab.img\n")]
    [InlineData("volume-0123abcd-4567-89ab-cdef-0123456789ab")]
    [InlineData("")]
    public void VolumePath_RefusesAnythingButTheExactLocationForm(string location)
    {
        var copy = new VolumeCopy(fx.Primary, location);

        var error = Assert.Throws<ReplicationException>(() => LocalFileLayout.VolumePath(copy));
        Assert.Equal(ErrorIds.InvalidPath, error.ErrorId);

        Assert.Equal(ErrorIds.InvalidPath, Assert.Throws<ReplicationException>(() => fx.Driver.CreateVolume(copy, Size)).ErrorId);
        Assert.Equal(ErrorIds.InvalidPath, Assert.Throws<ReplicationException>(() => fx.Driver.DeleteVolume(copy)).ErrorId);
        Assert.Equal(new[] { ".replication" }, Directory.EnumerateFileSystemEntries(fx.Primary.Path).Select(Path.GetFileName)); // the layout only
    }

    [Fact]
    public void VolumePath_IsTheLocationInsideTheBackendFolder()
    {
        var path = LocalFileLayout.VolumePath(fx.Source);

        Assert.Equal(Path.GetFullPath(fx.Primary.Path), Path.GetDirectoryName(path));
        Assert.Equal(fx.Source.Location, Path.GetFileName(path));
    }

    [UnixFact]
    public void PrepareBackend_CreatesTheFolderAndItsJournalFolder_AndLeavesNoProbe()
    {
        var backend = fx.MakeBackend(Path.Combine("deep", "er", "backend"));

        fx.Driver.PrepareBackend(backend);

        Assert.True(Directory.Exists(backend.Path));
        Assert.Equal(new[] { ".replication" }, Directory.EnumerateFileSystemEntries(backend.Path).Select(Path.GetFileName)); // the journal folder, no probe
        fx.Driver.PrepareBackend(backend); // again: fine
    }

    [UnixFact]
    public void PrepareBackend_UnderARegularFile_IsBackendPathUnusable()
    {
        var file = Path.Combine(fx.Root, "plain-file");
        File.WriteAllText(file, "x");
        var backend = fx.MakeBackend(Path.Combine("plain-file", "backend"));

        var error = Assert.Throws<ReplicationException>(() => fx.Driver.PrepareBackend(backend));

        Assert.Equal(ErrorIds.BackendPathUnusable, error.ErrorId);
        Assert.Equal("x", File.ReadAllText(file));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void PrepareBackend_WithoutAPath_IsInvalidPath(string path)
    {
        var backend = new BackendRecord { Name = "b", Driver = LocalFileDriver.DriverName, Path = path };

        var error = Assert.Throws<ReplicationException>(() => fx.Driver.PrepareBackend(backend));

        Assert.Equal(ErrorIds.InvalidPath, error.ErrorId);
    }

    [UnixFact]
    public void ReportCapabilities_GivesCapacityAndProtocol()
    {
        var capabilities = fx.Driver.ReportCapabilities(fx.Primary);

        Assert.Equal("file", capabilities["storage_protocol"]);
        Assert.Equal(fx.Primary.Name, capabilities["volume_backend_name"]);
        Assert.Equal(true, capabilities["thin_provisioning_support"]);
        var total = Assert.IsType<double>(capabilities["total_capacity_gb"]);
        var free = Assert.IsType<double>(capabilities["free_capacity_gb"]);
        Assert.True(total > 0);
        Assert.InRange(free, 0, total);
    }

    [UnixFact]
    public void CloneVolume_CopiesBytesExactly_AndKeepsHoles()
    {
        fx.Driver.CreateVolume(fx.Source, Size);
        var random = new Random(2);
        var writes = new List<(long Offset, long Length)> { (0, 10), ((7 * MiB) + 3, 200_000), ((32L * BlockSize) - 5, 10), (Size - 700, 700) };
        foreach (var (offset, length) in writes)
        {
            Write(fx.SourcePath, offset, RandomBytes(random, (int)length));
        }

        var clone = new VolumeCopy(fx.Primary, fx.Driver.LocationFor(Guid.NewGuid()));
        var clonePath = Path.Combine(fx.Primary.Path, clone.Location);

        fx.Driver.CloneVolume(fx.Source, clone, Size, fx.Observer, CancellationToken.None);

        AssertSameContent(fx.SourcePath, clonePath);
        Assert.InRange(Allocated(clonePath), Allocated(fx.SourcePath), RoundUpTo4K(BytesOfBlocks(Size, BlocksOf(writes))));
        var cloning = fx.Observer.Reports.Where(report => report.Activity == "Cloning").ToList();
        Assert.NotEmpty(cloning);
        Assert.Equal(cloning[^1].BytesTotal, cloning[^1].BytesDone);
        Assert.Equal(BytesOfBlocks(Size, BlocksOf(writes)), cloning[^1].BytesTotal);
    }

    [UnixFact]
    public void CloneVolume_OntoAnExistingFile_FailsAndKeepsIt()
    {
        fx.Driver.CreateVolume(fx.Source, Size);
        Write(fx.SourcePath, 0, RandomBytes(new Random(3), 1000));
        fx.Driver.CreateVolume(fx.Target, Size);
        Write(fx.TargetPath, MiB, RandomBytes(new Random(4), 1000));
        var before = ContentHash(fx.TargetPath);

        Assert.Throws<ReplicationException>(() => fx.Driver.CloneVolume(fx.Source, fx.Target, Size, fx.Observer, CancellationToken.None));

        Assert.Equal(before, ContentHash(fx.TargetPath));
    }

    [UnixFact]
    public void CloneVolume_OfAMissingSource_IsVolumeFileFault_AndCreatesNothing()
    {
        var error = Assert.Throws<ReplicationException>(() => fx.Driver.CloneVolume(fx.Source, fx.Target, Size, fx.Observer, CancellationToken.None));

        Assert.Equal(ErrorIds.VolumeFileFault, error.ErrorId);
        Assert.False(File.Exists(fx.TargetPath));
    }
}
