using System;
using System.Collections.Generic;
using System.Diagnostics;
using Newtonsoft.Json;
using Replication.Drivers;
using Samples.ChunkFolder;

namespace IsolatedDriver;

/// <summary>The sample driver under another name, reporting which Newtonsoft.Json it runs with (its own, 13.0.4).</summary>
public sealed class JsonChunkFolderDriver : IStorageDriver
{
    private readonly IStorageDriver _inner = new ChunkFolderDriver();

    public DriverInfo Info => new("JsonChunkFolder", new Version(1, 0), _inner.Info.ConnectionType, _inner.Info.Settings, new[] { "json_version" });

    public IReadOnlyDictionary<string, string> ValidateSettings(IReadOnlyDictionary<string, string> settings) => _inner.ValidateSettings(settings);

    public bool PrepareBackend(BackendConfiguration backend) => _inner.PrepareBackend(backend);

    public void AbandonBackend(BackendConfiguration backend) => _inner.AbandonBackend(backend);

    public IReadOnlyDictionary<string, object?> ReportCapabilities(BackendConfiguration backend) => new Dictionary<string, object?>
    {
        ["json_version"] = JsonConvert.SerializeObject(FileVersionInfo.GetVersionInfo(typeof(JsonConvert).Assembly.Location).FileVersion),
    };

    public BackendProbe Probe(BackendConfiguration backend) => _inner.Probe(backend);

    public string LocationFor(Guid copyId) => _inner.LocationFor(copyId);

    public IReadOnlyList<string> ListCopies(BackendConfiguration backend) => _inner.ListCopies(backend);

    public void CreateCopy(BackendConfiguration backend, string location, long sizeBytes) => _inner.CreateCopy(backend, location, sizeBytes);

    public void DeleteCopy(BackendConfiguration backend, string location) => _inner.DeleteCopy(backend, location);

    public void ResizeCopy(BackendConfiguration backend, string location, long sizeBytes) => _inner.ResizeCopy(backend, location, sizeBytes);

    public long? CopyLength(BackendConfiguration backend, string location) => _inner.CopyLength(backend, location);

    public IBlockDevice Open(BackendConfiguration backend, string location, DeviceAccess access) => _inner.Open(backend, location, access);

    public void SetFence(BackendConfiguration backend, string location, bool fenced) => _inner.SetFence(backend, location, fenced);

    public bool? IsFenced(BackendConfiguration backend, string location) => _inner.IsFenced(backend, location);

    public string? ChangeStamp(BackendConfiguration backend, string location) => _inner.ChangeStamp(backend, location);

    public ConnectionInfo Connect(BackendConfiguration backend, string location) => _inner.Connect(backend, location);

    public ISidecarStore Sidecars(BackendConfiguration backend) => _inner.Sidecars(backend);
}
