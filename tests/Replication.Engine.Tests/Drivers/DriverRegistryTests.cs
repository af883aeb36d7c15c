using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Replication.Drivers;
using Replication.Engine.Catalog;
using Replication.Engine.Errors;
using Replication.Engine.State.Sqlite;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.Drivers;

/// <summary>Drivers added at run time, and backends configured by their driver's settings (no folder, no path rule).</summary>
public sealed class DriverRegistryTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void ADriverAddedAtRunTime_IsFoundByName_AndCannotBeReplaced()
    {
        var registry = new DriverRegistry(Array.Empty<IStorageDriver>());
        var pool = new PoolDriver();

        registry.Add(pool);
        registry.Add(pool);

        Assert.Same(pool, registry.Get("pool").Contract);
        Assert.Equal(new[] { "Agent", "Pool" }, registry.Names);
        Assert.Equal("pool-volume", registry.Drivers.Single().ConnectionType);
        Assert.Equal(ErrorIds.DriverExists, Assert.Throws<ReplicationException>(() => registry.Add(new PoolDriver())).ErrorId);
        Assert.Equal(ErrorIds.UnknownDriver, Assert.Throws<ReplicationException>(() => registry.Get("LocalFile")).ErrorId);
        Assert.Equal(ErrorIds.InvalidName, Assert.Throws<ReplicationException>(() => registry.Add(new PoolDriver("bad name"))).ErrorId);
    }

    [Fact]
    public void ABackendOfAnAddedDriver_KeepsTheSettingsItsDriverValidated_AndNeedsNoPath()
    {
        var registry = new DriverRegistry(Array.Empty<IStorageDriver>());
        var pool = new PoolDriver();
        registry.Add(pool);
        var store = SqliteStateStore.Open(Path.Combine(temp.Path, "state.db"));
        var engine = new ReplicationEngine(new EngineContext(store, registry));

        var gold = engine.Backends.Add(new BackendDefinition { Name = "gold", Driver = "pool", Settings = new Dictionary<string, object?> { ["pool"] = "P1" } }, new RecordingObserver());
        var silver = engine.Backends.Add(new BackendDefinition { Name = "silver", Driver = "pool", Settings = new Dictionary<string, object?> { ["Pool"] = "P2" } }, new RecordingObserver());

        Assert.Equal("Pool", gold.Driver);
        Assert.Equal("", gold.Path);
        Assert.Equal("P1", gold.Settings["Pool"]);
        Assert.Equal("P2", engine.Backends.Get("silver").Settings["Pool"]);
        Assert.Equal("pool-volume", engine.Backends.Get("gold").Capabilities["storage_protocol"]);
        var unknown = Assert.Throws<ReplicationException>(() => engine.Backends.Add(new BackendDefinition { Name = "bronze", Driver = "pool", Settings = new Dictionary<string, object?> { ["Pool"] = "P3", ["Colour"] = "red" } }, new RecordingObserver()));
        Assert.Equal(ErrorIds.InvalidSetting, unknown.ErrorId);
        // -Path is LocalFile's shorthand: a driver without a Path setting refuses it as any other unknown setting.
        var path = Assert.Throws<ReplicationException>(() => engine.Backends.Add(new BackendDefinition { Name = "bronze", Driver = "pool", Path = temp.Path, Settings = new Dictionary<string, object?> { ["Pool"] = "P3" } }, new RecordingObserver()));
        Assert.Equal(ErrorIds.InvalidSetting, path.ErrorId);
        Assert.Equal(new[] { "gold", "silver" }, engine.Backends.List().Select(b => b.Name));
        Assert.Equal(new[] { "gold", "silver" }, pool.Prepared);
    }

    /// <summary>A driver of settings only: storage in named pools, nothing stored anywhere.</summary>
    private sealed class PoolDriver : IStorageDriver
    {
        public PoolDriver(string name = "Pool") =>
            Info = new DriverInfo(name, new Version(1, 0), "pool-volume", new[] { new DriverSetting("Pool", "The pool.", required: true) }, new[] { "storage_protocol" });

        public List<string> Prepared { get; } = new();

        public DriverInfo Info { get; }

        public IReadOnlyDictionary<string, string> ValidateSettings(IReadOnlyDictionary<string, string> settings)
        {
            if (settings.Keys.Any(key => !string.Equals(key, "Pool", StringComparison.OrdinalIgnoreCase)) || !settings.Any())
            {
                throw new StorageDriverException(DriverErrorIds.InvalidSetting, "The Pool driver takes one setting, Pool.");
            }

            return new Dictionary<string, string> { ["Pool"] = settings.Single().Value };
        }

        public bool PrepareBackend(BackendConfiguration backend)
        {
            Prepared.Add(backend.Name);
            return false;
        }

        public void AbandonBackend(BackendConfiguration backend) => Prepared.Remove(backend.Name);

        public IReadOnlyDictionary<string, object?> ReportCapabilities(BackendConfiguration backend) => new Dictionary<string, object?> { ["storage_protocol"] = Info.ConnectionType };

        public BackendProbe Probe(BackendConfiguration backend) => new() { Location = backend.Settings["Pool"], Unreachable = "not probed" };

        public string LocationFor(Guid copyId) => $"vol-{copyId:D}";

        public IReadOnlyList<string> ListCopies(BackendConfiguration backend) => Array.Empty<string>();

        public void CreateCopy(BackendConfiguration backend, string location, long sizeBytes) => throw NotHere();

        public void DeleteCopy(BackendConfiguration backend, string location) => throw NotHere();

        public void ResizeCopy(BackendConfiguration backend, string location, long sizeBytes) => throw NotHere();

        public long? CopyLength(BackendConfiguration backend, string location) => null;

        public IBlockDevice Open(BackendConfiguration backend, string location, DeviceAccess access) => throw NotHere();

        public void SetFence(BackendConfiguration backend, string location, bool fenced) => throw NotHere();

        public bool? IsFenced(BackendConfiguration backend, string location) => null;

        public string? ChangeStamp(BackendConfiguration backend, string location) => null;

        public ConnectionInfo Connect(BackendConfiguration backend, string location) => new(Info.ConnectionType, new Dictionary<string, string> { ["volume"] = location });

        public ISidecarStore Sidecars(BackendConfiguration backend) => throw NotHere();

        private static StorageDriverException NotHere() => new(DriverErrorIds.NotSupported, "The Pool driver stores no copies.");
    }
}
