using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Replication.Engine;
using Replication.Engine.Drivers;
using Replication.Engine.Drivers.LocalFile;
using Replication.Engine.Replication;
using Replication.Engine.State;
using Samples.ChunkFolder;

namespace Replication.Drivers.Conformance.Tests;

/// <summary>
/// The kit's crash promise by a real kill: a child process writes a primary through the driver and is killed with SIGKILL
/// mid-write. The copy must still open at its length, and the engine's next round must bring the replica to its bytes.
/// </summary>
public sealed class KilledWriterTests : IDisposable
{
    private const long Size = 4L << 20;

    private readonly ScratchFolder _scratch = new();
    private readonly Guid _storeId = Guid.NewGuid();

    public void Dispose() => _scratch.Dispose();

    public static IEnumerable<object[]> Drivers => new[] { new object[] { "LocalFile" }, new object[] { "ChunkFolder" } };

    [Theory]
    [MemberData(nameof(Drivers))]
    public void AWriterKilledMidWriteLeavesACopyThatOpensAtItsLengthAndARoundBringsTheReplicaBack(string driverName)
    {
        IStorageDriver driver = driverName == "LocalFile" ? new LocalFileDriver() : new ChunkFolderDriver();
        var primary = Backend(driver, driverName, "primary");
        var replica = Backend(driver, driverName, "replica");
        var volumeId = Guid.NewGuid();
        var location = driver.LocationFor(volumeId);
        driver.CreateCopy(Config(primary), location, Size);
        driver.CreateCopy(Config(replica), location, Size);
        var engine = new EngineDriver(driver);
        var source = new VolumeCopy(primary, location);
        var target = new VolumeCopy(replica, location);
        var first = engine.SyncReplica(Request(volumeId, source, target, previous: null, generation: 1), SilentObserver.Instance, CancellationToken.None);
        var before = ReadAll(driver, primary, location);

        var exitCode = KillMidWrite(driverName, primary, location);

        Assert.Equal(137, exitCode); // 128 + SIGKILL: it was still writing
        Assert.Equal(Size, driver.CopyLength(Config(primary), location));
        var after = ReadAll(driver, primary, location);
        Assert.False(before.SequenceEqual(after), "The killed writer changed nothing.");
        var round = engine.SyncReplica(Request(volumeId, source, target, first, generation: 2), SilentObserver.Instance, CancellationToken.None);
        // The sample records a chunk in its changed-block tracking before it writes it: the kill cannot hide a write from the round.
        Assert.Equal(driverName == "ChunkFolder" ? Engine.Model.SyncMode.TrackedWrites : Engine.Model.SyncMode.Incremental, round.Mode);
        Assert.True(round.BlocksWritten > 0);
        Assert.Equal(after, ReadAll(driver, replica, location));
    }

    /// <summary>Starts the writer on the primary, waits until it has written, lets it write on a little, then kills it; its exit code.</summary>
    private int KillMidWrite(string driverName, BackendRecord primary, string location)
    {
        var started = Path.Combine(_scratch.Path, "started");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { UseShellExecute = false };
        foreach (var argument in new[] { WriterPath, driverName, _storeId.ToString("D"), location, started }.Concat(Config(primary).Settings.Select(s => $"{s.Key}={s.Value}")))
        {
            start.ArgumentList.Add(argument);
        }

        using var writer = Process.Start(start)!;
        try
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(started) && !writer.HasExited && clock.Elapsed < TimeSpan.FromSeconds(50))
            {
                Thread.Sleep(10);
            }

            Assert.True(File.Exists(started), $"The writer did not start writing (exited: {writer.HasExited}).");
            Thread.Sleep(300);
        }
        finally
        {
            writer.Kill(); // SIGKILL on Linux and macOS: no finaliser, no flush, no Dispose runs
            writer.WaitForExit(30_000);
        }

        return writer.ExitCode;
    }

    private BackendRecord Backend(IStorageDriver driver, string driverName, string name)
    {
        var folder = Path.Combine(_scratch.Path, name);
        var settings = driver.ValidateSettings(driverName == "LocalFile"
            ? new Dictionary<string, string> { ["Path"] = folder }
            : new Dictionary<string, string> { ["Folder"] = folder, ["ChunkSize"] = "65536" });
        var record = new BackendRecord
        {
            Name = name,
            Driver = driverName,
            Path = driverName == "LocalFile" ? folder : "",
            Settings = driverName == "LocalFile" ? new Dictionary<string, string>() : settings,
            StoreId = _storeId,
        };
        driver.PrepareBackend(Config(record));
        return record;
    }

    /// <summary>The backend as the engine hands it to its driver: its settings, and LocalFile's path as its Path setting.</summary>
    private BackendConfiguration Config(BackendRecord record)
    {
        var settings = record.Settings.ToDictionary(s => s.Key, s => s.Value);
        if (record.Path.Length > 0)
        {
            settings["Path"] = record.Path;
        }

        return new BackendConfiguration(record.Name, settings, _storeId.ToString("D"));
    }

    private static ReplicaSyncRequest Request(Guid volumeId, VolumeCopy source, VolumeCopy target, ReplicaSyncOutcome? previous, long generation) => new()
    {
        VolumeId = volumeId,
        VolumeName = "killed",
        SizeBytes = Size,
        Source = source,
        Target = target,
        PreviousMap = previous?.NewMap is { } map ? new Lazy<BlockMap>(map) : null,
        PreviousDriverData = previous?.DriverData,
        Journaled = previous is not null,
        Generation = generation,
        StartedAt = DateTimeOffset.UtcNow,
    };

    private byte[] ReadAll(IStorageDriver driver, BackendRecord backend, string location)
    {
        using var device = driver.Open(Config(backend), location, DeviceAccess.Read);
        Assert.Equal(Size, device.Length);
        var bytes = new byte[device.Length];
        device.Read(0, bytes, 0, bytes.Length);
        return bytes;
    }

    /// <summary>The writer's build output, beside this test's (the same configuration).</summary>
    private static string WriterPath
    {
        get
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var root = testOutput.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(root, "KilledWriter", "bin", testOutput.Parent.Name, testOutput.Name, "KilledWriter.dll");
        }
    }
}
