using System;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using Samples.ChunkFolder;

namespace Replication.Drivers.Conformance.Tests;

/// <summary>What the sample driver leaves on disk: private files and folders, chunks only where data was written, no link followed.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class ChunkFolderFileTests : IDisposable
{
    private readonly ScratchFolder _scratch = new();
    private readonly ChunkFolderDriver _driver = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void FilesAre0600AndFolders0700()
    {
        var (backend, location) = BackendWithWrittenCopy();
        _driver.SetFence(backend, location, true);
        _driver.Sidecars(backend).Replace("journal-1", new byte[] { 1 });
        using (_driver.Sidecars(backend).Open("bitmap-1", SidecarAccess.OpenOrCreate))
        {
        }

        var root = backend.Settings["Folder"];
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(root));
        var entries = Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(entries, e => Path.GetFileName(e) == "fenced");
        foreach (var entry in entries)
        {
            var expected = Directory.Exists(entry)
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                : UnixFileMode.UserRead | UnixFileMode.UserWrite;
            Assert.True(File.GetUnixFileMode(entry) == expected, $"{entry} is {File.GetUnixFileMode(entry)}");
        }
    }

    [Fact]
    public void OnlyWrittenChunksTakeAFile()
    {
        var (backend, location) = BackendWithWrittenCopy();
        var chunks = Directory.GetFiles(Path.Combine(backend.Settings["Folder"], "copies", location), "chunk-*").Select(Path.GetFileName);
        // 64 KiB chunks; the write at 200 KiB lands in chunk 3 only.
        Assert.Equal(new[] { "chunk-00000003" }, chunks);
    }

    [Fact]
    public void ABackendFolderThatIsALinkIsRefused()
    {
        var target = Directory.CreateDirectory(Path.Combine(_scratch.Path, "elsewhere")).FullName;
        var settings = _scratch.ChunkFolderSettings();
        Directory.CreateSymbolicLink(settings["Folder"], target);
        var backend = new BackendConfiguration("b", _driver.ValidateSettings(settings), "store");

        var refused = Assert.Throws<StorageDriverException>(() => _driver.PrepareBackend(backend));

        Assert.Equal(DriverErrorIds.StorageRefused, refused.ErrorId);
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    [Fact]
    public void ALocationTheDriverDidNotMakeIsRefused()
    {
        var (backend, _) = BackendWithWrittenCopy();

        var refused = Assert.Throws<StorageDriverException>(() => _driver.Open(backend, "../../etc", DeviceAccess.Read));

        Assert.Equal(DriverErrorIds.StorageRefused, refused.ErrorId);
    }

    private (BackendConfiguration Backend, string Location) BackendWithWrittenCopy()
    {
        var backend = new BackendConfiguration("b", _driver.ValidateSettings(_scratch.ChunkFolderSettings()), "store");
        Assert.True(_driver.PrepareBackend(backend));
        var location = _driver.LocationFor(Guid.NewGuid());
        _driver.CreateCopy(backend, location, 1 << 20);
        using var device = _driver.Open(backend, location, DeviceAccess.ReadWrite);
        device.Write(200 << 10, new byte[] { 1, 2, 3 }, 0, 3);
        return (backend, location);
    }
}
