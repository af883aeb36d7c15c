using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using Replication.Drivers;
using Replication.Engine.Drivers.LocalFile;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.LocalFile.DriverFixture;

namespace Replication.Engine.Tests.LocalFile;

/// <summary>LocalFileDriver through the driver contract (IStorageDriver and its optional capabilities) on real files.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class LocalFileContractTests : IDisposable
{
    private const long Size = 8 * MiB;

    private readonly TempDirectory temp = new();
    private readonly IStorageDriver driver = new LocalFileDriver();
    private readonly BackendConfiguration backend;
    private readonly string location;

    public LocalFileContractTests()
    {
        backend = new BackendConfiguration("dc1", driver.ValidateSettings(new Dictionary<string, string> { ["Path"] = Path.Combine(temp.Path, "dc1") }), Guid.NewGuid().ToString("D"));
        Assert.True(driver.PrepareBackend(backend));
        location = driver.LocationFor(Guid.NewGuid());
    }

    private string FilePath => Path.Combine(temp.Path, "dc1", location);

    public void Dispose() => temp.Dispose();

    [Fact]
    public void ValidateSettings_FillsInDefaults_AndRefusesARelativePathOrAnUnknownSetting()
    {
        Assert.Equal(new[] { "FileMode", "FolderMode", "Path" }, backend.Settings.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal("0600", backend.Settings["FileMode"]);
        Assert.Equal(DriverErrorIds.InvalidSetting, Assert.Throws<StorageDriverException>(() => driver.ValidateSettings(new Dictionary<string, string> { ["Path"] = "relative/folder" })).ErrorId);
        Assert.Equal(DriverErrorIds.InvalidSetting, Assert.Throws<StorageDriverException>(() =>
            driver.ValidateSettings(new Dictionary<string, string> { ["Path"] = temp.Path, ["Colour"] = "blue" })).ErrorId);
        Assert.Equal("file", driver.Info.ConnectionType);
    }

    [UnixFact]
    public void CreateCopy_IsIdempotent_ReadsAsZeros_AndIsListed_DeleteCopyToo()
    {
        driver.CreateCopy(backend, location, Size);
        driver.CreateCopy(backend, location, Size);
        Assert.Equal(Size, driver.CopyLength(backend, location));
        Assert.Equal(new[] { location }, driver.ListCopies(backend));
        using (var device = driver.Open(backend, location, DeviceAccess.Read))
        {
            Assert.Empty(device.AllocatedExtents(0, Size));
            var buffer = new byte[4096];
            device.Read(Size - 4096, buffer, 0, buffer.Length);
            Assert.All(buffer, b => Assert.Equal(0, b));
        }

        driver.DeleteCopy(backend, location);
        driver.DeleteCopy(backend, location);
        Assert.Null(driver.CopyLength(backend, location));
        Assert.Empty(driver.ListCopies(backend));
        Assert.Equal(DriverErrorIds.CopyMissing, Assert.Throws<StorageDriverException>(() => driver.Open(backend, location, DeviceAccess.Read)).ErrorId);
    }

    [UnixFact]
    public void Device_WritesReadBack_ExtentsShowTheData_ZeroDeallocates_AndTheStampMoves()
    {
        driver.CreateCopy(backend, location, Size);
        var stamp = driver.ChangeStamp(backend, location);
        var data = RandomBytes(new Random(7), 64 * 1024);
        using (var device = driver.Open(backend, location, DeviceAccess.ReadWrite))
        {
            Assert.Equal(Size, device.Length);
            device.Write(MiB, data, 0, data.Length);
            device.Flush();
            var back = new byte[data.Length];
            device.Read(MiB, back, 0, back.Length);
            Assert.Equal(data, back);
            var extent = Assert.Single(device.AllocatedExtents(0, Size));
            Assert.True(extent.Offset <= MiB && extent.End >= MiB + data.Length, $"the extent {extent} does not cover the data written");
            device.Zero(MiB, data.Length, deallocate: true);
            Assert.Empty(device.AllocatedExtents(0, Size));
        }

        File.SetLastWriteTimeUtc(FilePath, DateTime.UtcNow.AddMinutes(-1));
        Assert.NotEqual(stamp, driver.ChangeStamp(backend, location));
        Assert.True(IsAllZero(FilePath, MiB, data.Length));
    }

    [UnixFact]
    public void AFencedCopy_RefusesWriters_UntilUnfenced()
    {
        driver.CreateCopy(backend, location, Size);
        Assert.False(driver.IsFenced(backend, location));
        driver.SetFence(backend, location, fenced: true);
        driver.SetFence(backend, location, fenced: true);
        Assert.True(driver.IsFenced(backend, location));
        Assert.Equal(DriverErrorIds.Fenced, Assert.Throws<StorageDriverException>(() => driver.Open(backend, location, DeviceAccess.ReadWrite)).ErrorId);
        using (driver.Open(backend, location, DeviceAccess.Read))
        {
        }

        driver.SetFence(backend, location, fenced: false);
        driver.Open(backend, location, DeviceAccess.ReadWrite).Dispose();
        driver.DeleteCopy(backend, location);
        Assert.Null(driver.IsFenced(backend, location));
        driver.SetFence(backend, location, fenced: false);
        Assert.Equal(DriverErrorIds.CopyMissing, Assert.Throws<StorageDriverException>(() => driver.SetFence(backend, location, fenced: true)).ErrorId);
    }

    [UnixFact]
    public void Sidecars_AreReplacedWhole_Listed_Private_AndNeverCopies()
    {
        var sidecars = driver.Sidecars(backend);
        Assert.Null(sidecars.Read("volume-x.dirty"));
        sidecars.Replace("volume-x.dirty", new byte[] { 1, 2, 3 });
        sidecars.Replace("volume-x.dirty", new byte[] { 4, 5 });
        Assert.Equal(new byte[] { 4, 5 }, sidecars.Read("volume-x.dirty"));
        using (var stream = sidecars.Open("volume-y.export", SidecarAccess.OpenOrCreate))
        {
            stream.WriteByte(9);
        }

        Assert.Equal(new[] { "volume-x.dirty", "volume-y.export" }, sidecars.List("volume-"));
        var file = Path.Combine(temp.Path, "dc1", ".replication", "volume-x.dirty");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Empty(driver.ListCopies(backend));
        sidecars.Delete("volume-x.dirty");
        sidecars.Delete("volume-x.dirty");
        Assert.Null(sidecars.Read("volume-x.dirty"));
        Assert.Throws<StorageDriverException>(() => sidecars.Read("../escape"));
    }

    [UnixFact]
    public void Sidecars_RefuseALinkPlantedInTheirPlace()
    {
        var sidecars = driver.Sidecars(backend);
        var outside = Path.Combine(temp.Path, "outside");
        File.WriteAllText(outside, "not the module's");
        File.CreateSymbolicLink(Path.Combine(temp.Path, "dc1", ".replication", "volume-z.dirty"), outside);
        var refused = Assert.Throws<StorageDriverException>(() => sidecars.Read("volume-z.dirty"));
        Assert.Equal(DriverErrorIds.StorageRefused, refused.ErrorId);
        Assert.Equal("not the module's", File.ReadAllText(outside));
    }

    [UnixFact]
    public void CloneAndIdentity_AreOffered_AndTheConnectionIsTheFilePath()
    {
        driver.CreateCopy(backend, location, Size);
        var connection = driver.Connect(backend, location);
        Assert.Equal("file", connection.DriverVolumeType);
        Assert.Equal(FilePath, connection.Data["path"]);
        var lineage = ((IStorageIdentity)driver).Lineage(backend);
        Assert.NotNull(lineage?.Self);
        Assert.True(((ISynchronousReplication)driver).CanMirror(backend, backend));
        var clone = driver.LocationFor(Guid.NewGuid());
        // A reflink where the file system shares blocks; elsewhere nothing is left behind and the engine copies.
        if (((INativeCloning)driver).TryCloneCopy(backend, location, clone))
        {
            Assert.Equal(Size, driver.CopyLength(backend, clone));
        }
        else
        {
            Assert.Null(driver.CopyLength(backend, clone));
        }
    }
}
