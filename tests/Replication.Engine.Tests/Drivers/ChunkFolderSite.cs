using System;
using System.Collections.Generic;
using System.IO;
using Replication.Drivers;
using Replication.Engine.Catalog;
using Replication.Engine.Drivers;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.Drivers;

/// <summary>An engine site whose backends dc1 and dc2 are on a driver added at run time (the sample's, wrapped to count), in 64 KiB chunks.</summary>
public sealed class ChunkFolderSite : IDisposable
{
    public const int Chunk = 64 * 1024;

    public ChunkFolderSite(IStorageDriver driver)
    {
        Driver = driver;
        Site.Engine.Context.Drivers.Add(driver);
        foreach (var (name, partner) in new[] { ("dc1", "dc2"), ("dc2", "dc1") })
        {
            Site.Engine.Backends.Add(new BackendDefinition
            {
                Name = name,
                Driver = driver.Info.Name,
                Settings = new Dictionary<string, object?> { ["Folder"] = Site.FolderOf(name), ["ChunkSize"] = Chunk.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                ReplicationPartner = partner,
            }, Site.Quiet);
        }

        Site.AddReplicatedType();
    }

    public EngineSite Site { get; } = new();

    public IStorageDriver Driver { get; }

    public void Dispose() => Site.Dispose();

    public VolumeCopy Primary(string volume) => CopyOf(volume, Site.Record(volume).Backend);

    public VolumeCopy Replica(string volume) => CopyOf(volume, Site.Record(volume).ReplicaBackend!);

    /// <summary>The copy's folder, where the sample keeps its chunk files and its changed-block tracking.</summary>
    public string FolderOf(VolumeCopy copy) => Path.Combine(Site.FolderOf(copy.Backend.Name), "copies", copy.Location);

    public void Write(VolumeCopy copy, long offset, byte[] data)
    {
        using var device = Driver.Open(EngineDriver.Config(copy.Backend), copy.Location, DeviceAccess.ReadWrite);
        device.Write(offset, data, 0, data.Length);
        device.Flush();
    }

    public byte[] ReadAll(VolumeCopy copy)
    {
        using var device = Driver.Open(EngineDriver.Config(copy.Backend), copy.Location, DeviceAccess.Read);
        var bytes = new byte[device.Length];
        device.Read(0, bytes, 0, bytes.Length);
        return bytes;
    }

    private VolumeCopy CopyOf(string volume, string backend) => new(Site.BackendRecord(backend), Driver.LocationFor(Site.Record(volume).Id));
}
