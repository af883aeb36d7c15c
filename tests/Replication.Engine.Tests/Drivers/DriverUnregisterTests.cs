using System;
using System.Collections.Generic;
using System.IO;
using Replication.Engine.Catalog;
using Replication.Engine.Drivers.Loading;
using Replication.Engine.Errors;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.Drivers;

/// <summary>Unregister-StorageDriver's engine side: a driver a backend uses stays registered.</summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class DriverUnregisterTests : IDisposable
{
    private readonly EngineSite _site = new();

    public void Dispose() => _site.Dispose();

    private StorageDriverCatalog Catalog => new(_site.Engine.Context);

    [Fact]
    public void ADriverABackendUsesIsNotUnregisteredUntilTheBackendIsRemoved()
    {
        Catalog.Register(DriverRegistrationTests.SampleDriverPath);
        _site.Engine.Backends.Add(new BackendDefinition { Name = "chunks", Driver = "ChunkFolder", Settings = new Dictionary<string, object?> { ["Folder"] = Path.Combine(_site.Root, "chunks") } }, _site.Quiet);

        var refused = EngineSite.Refused(ErrorIds.DriverInUse, () => Catalog.Unregister("chunkfolder"));

        Assert.Contains("chunks", refused.Message, StringComparison.Ordinal);
        Assert.Single(Catalog.Registrations());
        _site.Engine.Backends.Remove("chunks");
        Catalog.Unregister("ChunkFolder");
        Assert.Empty(Catalog.Registrations());
    }
}
