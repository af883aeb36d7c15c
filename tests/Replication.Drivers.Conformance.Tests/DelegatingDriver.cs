using System;
using System.Collections.Generic;
using Samples.ChunkFolder;

namespace Replication.Drivers.Conformance.Tests;

/// <summary>The sample driver, for broken drivers to override one member of and break one promise.</summary>
public abstract class DelegatingDriver : IStorageDriver
{
    protected IStorageDriver Inner { get; } = new ChunkFolderDriver();

    public DriverInfo Info => Inner.Info;

    public virtual IReadOnlyDictionary<string, string> ValidateSettings(IReadOnlyDictionary<string, string> settings) => Inner.ValidateSettings(settings);

    public bool PrepareBackend(BackendConfiguration backend) => Inner.PrepareBackend(backend);

    public void AbandonBackend(BackendConfiguration backend) => Inner.AbandonBackend(backend);

    public IReadOnlyDictionary<string, object?> ReportCapabilities(BackendConfiguration backend) => Inner.ReportCapabilities(backend);

    public BackendProbe Probe(BackendConfiguration backend) => Inner.Probe(backend);

    public string LocationFor(Guid copyId) => Inner.LocationFor(copyId);

    public virtual IReadOnlyList<string> ListCopies(BackendConfiguration backend) => Inner.ListCopies(backend);

    public void CreateCopy(BackendConfiguration backend, string location, long sizeBytes) => Inner.CreateCopy(backend, location, sizeBytes);

    public void DeleteCopy(BackendConfiguration backend, string location) => Inner.DeleteCopy(backend, location);

    public void ResizeCopy(BackendConfiguration backend, string location, long sizeBytes) => Inner.ResizeCopy(backend, location, sizeBytes);

    public long? CopyLength(BackendConfiguration backend, string location) => Inner.CopyLength(backend, location);

    public virtual IBlockDevice Open(BackendConfiguration backend, string location, DeviceAccess access) => Inner.Open(backend, location, access);

    public virtual void SetFence(BackendConfiguration backend, string location, bool fenced) => Inner.SetFence(backend, location, fenced);

    public virtual bool? IsFenced(BackendConfiguration backend, string location) => Inner.IsFenced(backend, location);

    public virtual string? ChangeStamp(BackendConfiguration backend, string location) => Inner.ChangeStamp(backend, location);

    public ConnectionInfo Connect(BackendConfiguration backend, string location) => Inner.Connect(backend, location);

    public virtual ISidecarStore Sidecars(BackendConfiguration backend) => Inner.Sidecars(backend);
}
