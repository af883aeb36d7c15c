using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Replication.Drivers;
using Replication.Engine.Catalog;
using Replication.Engine.Drivers;
using Replication.Engine.Drivers.Loading;
using Replication.Engine.Errors;
using Replication.Engine.State;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.Drivers;

/// <summary>
/// A secret setting (the sample driver's AccessKey) given by reference: refused in clear, stored as its reference, and
/// read only when the driver asks: from the process environment by the engine, from a vault by the host's reader.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class SecretSettingTests : IDisposable
{
    private readonly EngineSite _site = new();
    private readonly string _variable = "CHUNK_TEST_KEY_" + Guid.NewGuid().ToString("N");

    public SecretSettingTests() => new StorageDriverCatalog(_site.Engine.Context).Register(DriverRegistrationTests.SampleDriverPath);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_variable, null);
        SecretReferences.VaultReader = null;
        _site.Dispose();
    }

    [Theory]
    [InlineData("env:CHUNK_KEY", true)]
    [InlineData("ENV:_key2", true)]
    [InlineData("vault:chunk-key", true)]
    [InlineData("vault:TestVault/chunk key", true)]
    [InlineData("env:1KEY", false)]
    [InlineData("env:", false)]
    [InlineData("vault:", false)]
    [InlineData("vault:/name", false)]
    [InlineData("vault:TestVault/", false)]
    [InlineData(" env:CHUNK_KEY", false)]
    [InlineData("hunter2", false)]
    [InlineData("System.Security.SecureString", false)]
    public void AReferenceIsEnvOrVaultAndNothingElse(string text, bool isReference) =>
        Assert.Equal(isReference, SecretReferences.IsReference(text));

    [Fact]
    public void ASecretGivenInClearIsRefusedWithoutEchoingItAndNothingIsStoredOrMade()
    {
        var error = EngineSite.Refused(ErrorIds.SecretInClear, () => AddBackend("chunks", "hunter2-in-clear"));

        Assert.Contains("'AccessKey'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
        Assert.Empty(_site.Engine.Backends.List());
        Assert.False(Directory.Exists(FolderOf("chunks")));
        Assert.DoesNotContain(_site.Engine.Events(new EventQuery()), e => e.Message.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public void TheConformanceKitIsNotGivenASecretInClearEither()
    {
        var error = EngineSite.Refused(ErrorIds.SecretInClear, () =>
            new StorageDriverCatalog(_site.Engine.Context).Test("ChunkFolder", new Dictionary<string, string> { ["Folder"] = FolderOf("kit"), ["AccessKey"] = "hunter2-in-clear" }));

        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(FolderOf("kit")));
    }

    [Fact]
    public void AnEnvironmentReferenceIsStoredAsItIsAndReadWhenTheDriverOpensACopy()
    {
        Environment.SetEnvironmentVariable(_variable, "first-key-value");
        var backend = AddBackend("chunks", "env:" + _variable);

        Assert.Equal("env:" + _variable, backend.Settings["AccessKey"]);
        var marker = File.ReadAllText(Path.Combine(FolderOf("chunks"), "access-key"));
        Assert.DoesNotContain("first-key-value", marker, StringComparison.Ordinal);
        var copy = CreateCopy("chunks");
        Driver.OpenDevice(copy, 65536, ErrorIds.VolumeFileFault).Dispose();

        Environment.SetEnvironmentVariable(_variable, "another-key-value");
        var wrongKey = EngineSite.Refused(ErrorIds.VolumeFileFault, () => Driver.OpenDevice(copy, 65536, ErrorIds.VolumeFileFault));
        Assert.Contains("locked with another key", wrongKey.Message, StringComparison.Ordinal);

        Environment.SetEnvironmentVariable(_variable, null);
        var unset = EngineSite.Refused(ErrorIds.SecretUnresolvable, () => Driver.OpenDevice(copy, 65536, ErrorIds.VolumeFileFault));
        Assert.Contains($"Setting 'AccessKey' of backend 'chunks' refers to secret 'env:{_variable}'", unset.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_site.Engine.Events(new EventQuery()), e => e.Message.Contains("key-value", StringComparison.Ordinal));
    }

    [Fact]
    public void AReferenceThatCannotBeReadIsRefusedBeforeTheBackendIsDefined()
    {
        var unset = EngineSite.Refused(ErrorIds.SecretUnresolvable, () => AddBackend("chunks", "env:" + _variable));
        var noVault = EngineSite.Refused(ErrorIds.SecretUnresolvable, () => AddBackend("chunks", "vault:TestVault/chunk-key"));

        Assert.Contains($"the environment variable {_variable} is not set", unset.Message, StringComparison.Ordinal);
        Assert.Contains("SecretManagement", noVault.Message, StringComparison.Ordinal);
        Assert.Empty(_site.Engine.Backends.List());
        Assert.False(Directory.Exists(FolderOf("chunks")));
    }

    [Fact]
    public void AVaultReferenceIsReadByTheHostsReaderEachTimeTheDriverAsks()
    {
        var asked = new List<string>();
        var vault = new Dictionary<string, string> { ["TestVault/chunk-key"] = "vault-key-value" };
        SecretReferences.VaultReader = (name, secret) =>
        {
            asked.Add($"{name}/{secret}");
            return vault.TryGetValue($"{name}/{secret}", out var value) ? value : throw new InvalidOperationException($"no secret '{secret}' in vault '{name}'");
        };

        AddBackend("chunks", "vault:TestVault/chunk-key");
        var copy = CreateCopy("chunks");
        Driver.OpenDevice(copy, 65536, ErrorIds.VolumeFileFault).Dispose();
        vault.Clear();
        var gone = EngineSite.Refused(ErrorIds.SecretUnresolvable, () => Driver.OpenDevice(copy, 65536, ErrorIds.VolumeFileFault));

        Assert.Equal("Setting 'AccessKey' of backend 'chunks' refers to secret 'vault:TestVault/chunk-key', which cannot be read: no secret 'chunk-key' in vault 'TestVault'.", gone.Message);
        // Defining the backend, PrepareBackend's lock, the open that worked and the one that failed: never cached, and
        // describing the backend reads no secret.
        Assert.Equal("vault:TestVault/chunk-key", _site.Engine.Backends.Get("chunks").Settings["AccessKey"]);
        Assert.Equal(Enumerable.Repeat("TestVault/chunk-key", 4), asked);
    }

    [Fact]
    public void AConfigurationWithoutAResolverRefusesToReadASecretAndOneWithoutTheSettingGivesNull()
    {
        var settings = new Dictionary<string, string> { ["AccessKey"] = "env:X" };

        var error = Assert.Throws<StorageDriverException>(() => new BackendConfiguration("b", settings, "store").ResolveSecret("accesskey"));

        Assert.Equal(DriverErrorIds.NotSupported, error.ErrorId);
        Assert.Null(new BackendConfiguration("b", new Dictionary<string, string>(), "store", SecretReferences.For("b")).ResolveSecret("AccessKey"));
    }

    private EngineDriver Driver => _site.Engine.Context.Drivers.Get("ChunkFolder");

    private string FolderOf(string backend) => Path.Combine(_site.Root, "chunk-sites", backend);

    private Model.StorageBackend AddBackend(string name, string accessKey) =>
        _site.Engine.Backends.Add(new BackendDefinition
        {
            Name = name,
            Driver = "ChunkFolder",
            Settings = new Dictionary<string, object?> { ["Folder"] = FolderOf(name), ["ChunkSize"] = "4096", ["AccessKey"] = accessKey },
        }, _site.Quiet);

    private VolumeCopy CreateCopy(string backendName)
    {
        using var session = _site.Engine.Context.Store.Begin(write: false);
        var copy = new VolumeCopy(session.FindBackend(backendName)!, Driver.LocationFor(Guid.NewGuid()));
        Driver.Contract.CreateCopy(EngineDriver.Config(copy.Backend), copy.Location, 65536);
        return copy;
    }
}
