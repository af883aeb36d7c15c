using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Reflection;
using Replication.Drivers;

namespace Replication.Engine.Tests.Drivers;

/// <summary>
/// The sample ChunkFolder driver, built from its own project, under another name: it counts the bytes read from each
/// copy through its devices and fails reads on demand, and offers the sample's optional capabilities unchanged.
/// </summary>
public class CountingDriver : IStorageDriver, IChangedBlockTracking
{
    private readonly ConcurrentDictionary<string, long> _bytesRead = new(StringComparer.Ordinal);

    public CountingDriver(string name = "CountingChunks")
    {
        Inner = (IStorageDriver)Activator.CreateInstance(SampleAssembly.Value.GetType("Samples.ChunkFolder.ChunkFolderDriver", throwOnError: true)!)!;
        Info = new DriverInfo(name, Inner.Info.Version, Inner.Info.ConnectionType, Inner.Info.Settings, Inner.Info.CapabilityNames);
    }

    public IStorageDriver Inner { get; }

    public DriverInfo Info { get; }

    /// <summary>While true, every read of a copy opened to read fails with an I/O fault.</summary>
    public bool FailReads { get; set; }

    /// <summary>A copy (backend:location) whose writable devices fail every flush, as a disk that fails under the data; null for none.</summary>
    public string? FailFlushesOf { get; set; }

    /// <summary>While false, the driver offers no changed-block tracking (as a driver that lost it answers null).</summary>
    public bool Tracking { get; set; } = true;

    private static Lazy<Assembly> SampleAssembly { get; } = new(() => Assembly.LoadFrom(DriverRegistrationTests.SampleDriverPath));

    /// <summary>The bytes read from the copy at backend:location since the counts were last reset.</summary>
    public long BytesReadFrom(object copy) => _bytesRead.TryGetValue(copy.ToString()!, out var read) ? read : 0;

    public void ResetCounts() => _bytesRead.Clear();

    public IReadOnlyDictionary<string, string> ValidateSettings(IReadOnlyDictionary<string, string> settings) => Inner.ValidateSettings(settings);

    public bool PrepareBackend(BackendConfiguration backend) => Inner.PrepareBackend(backend);

    public void AbandonBackend(BackendConfiguration backend) => Inner.AbandonBackend(backend);

    public IReadOnlyDictionary<string, object?> ReportCapabilities(BackendConfiguration backend) => Inner.ReportCapabilities(backend);

    public BackendProbe Probe(BackendConfiguration backend) => Inner.Probe(backend);

    public string LocationFor(Guid copyId) => Inner.LocationFor(copyId);

    public IReadOnlyList<string> ListCopies(BackendConfiguration backend) => Inner.ListCopies(backend);

    public void CreateCopy(BackendConfiguration backend, string location, long sizeBytes) => Inner.CreateCopy(backend, location, sizeBytes);

    public void DeleteCopy(BackendConfiguration backend, string location) => Inner.DeleteCopy(backend, location);

    public void ResizeCopy(BackendConfiguration backend, string location, long sizeBytes) => Inner.ResizeCopy(backend, location, sizeBytes);

    public long? CopyLength(BackendConfiguration backend, string location) => Inner.CopyLength(backend, location);

    public IBlockDevice Open(BackendConfiguration backend, string location, DeviceAccess access) =>
        new CountingDevice(this, Inner.Open(backend, location, access), $"{backend.Name}:{location}", access);

    public void SetFence(BackendConfiguration backend, string location, bool fenced) => Inner.SetFence(backend, location, fenced);

    public bool? IsFenced(BackendConfiguration backend, string location) => Inner.IsFenced(backend, location);

    public string? ChangeStamp(BackendConfiguration backend, string location) => Inner.ChangeStamp(backend, location);

    public ConnectionInfo Connect(BackendConfiguration backend, string location) => Inner.Connect(backend, location);

    public ISidecarStore Sidecars(BackendConfiguration backend) => Inner.Sidecars(backend);

    public string MarkChanges(BackendConfiguration backend, string location) => ((IChangedBlockTracking)Inner).MarkChanges(backend, location);

    public IReadOnlyList<Extent>? ChangedSince(BackendConfiguration backend, string location, string mark) =>
        Tracking ? ((IChangedBlockTracking)Inner).ChangedSince(backend, location, mark) : null;

    private sealed class CountingDevice : IBlockDevice
    {
        private readonly CountingDriver _driver;
        private readonly IBlockDevice _inner;
        private readonly string _copy;
        private readonly DeviceAccess _access;

        public CountingDevice(CountingDriver driver, IBlockDevice inner, string copy, DeviceAccess access)
        {
            _driver = driver;
            _inner = inner;
            _copy = copy;
            _access = access;
        }

        public long Length => _inner.Length;

        public void Read(long offset, byte[] buffer, int bufferOffset, int count)
        {
            if (_driver.FailReads && _access == DeviceAccess.Read)
            {
                throw new StorageDriverException(DriverErrorIds.IoFault, "Reads fail (the test says so).");
            }

            _inner.Read(offset, buffer, bufferOffset, count);
            _driver._bytesRead.AddOrUpdate(_copy, count, (_, before) => before + count);
        }

        public void Write(long offset, byte[] buffer, int bufferOffset, int count) => _inner.Write(offset, buffer, bufferOffset, count);

        public void Flush()
        {
            if (_access != DeviceAccess.Read && _driver.FailFlushesOf == _copy)
            {
                throw new StorageDriverException(DriverErrorIds.IoFault, "Flushes fail (the test says so).");
            }

            _inner.Flush();
        }

        public void Zero(long offset, long length, bool deallocate) => _inner.Zero(offset, length, deallocate);

        public IEnumerable<Extent> AllocatedExtents(long offset, long length) => _inner.AllocatedExtents(offset, length);

        public void Dispose() => _inner.Dispose();
    }
}
