using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Replication.Engine.Drivers.Loading;
using Replication.Engine.Errors;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.Drivers;

/// <summary>
/// Register-StorageDriver -ModuleName's engine side: what a module's manifest declares (PrivateData.ReplicationStorageDriver),
/// read from what the host hands over, and the declared assembly registered as -Path registers it.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class DriverModuleTests : IDisposable
{
    private readonly EngineSite _site = new();

    public DriverModuleTests()
    {
        ModuleBase = Path.Combine(_site.Root, "modules", "ChunkFolderStorage", "1.0.0");
        Directory.CreateDirectory(ModuleBase);
        File.Copy(DriverRegistrationTests.SampleDriverPath, Path.Combine(ModuleBase, "ChunkFolderDriver.dll"));
    }

    public void Dispose() => _site.Dispose();

    private string ModuleBase { get; }

    private StorageDriverCatalog Catalog => new(_site.Engine.Context);

    [Fact]
    public void AManifestDeclaresTheDriversAssemblyInsideTheModulesFolder()
    {
        var module = DriverModules.Read("ChunkFolderStorage", new Version(1, 0, 0), ModuleBase, Declaring("ChunkFolderDriver.dll"))!;

        Assert.Equal(("ChunkFolderStorage", "1.0.0", Path.Combine(ModuleBase, "ChunkFolderDriver.dll"), null), (module.ModuleName, module.ModuleVersion, module.AssemblyPath, module.Problem));
        Assert.Null(DriverModules.Read("Other", null, ModuleBase, new Hashtable { ["PSData"] = new Hashtable() }));
        Assert.Null(DriverModules.Read("Other", null, ModuleBase, null));
    }

    [Theory]
    [InlineData("../ChunkFolderDriver.dll", "is not inside the module's folder")]
    [InlineData("/etc/passwd", "is not inside the module's folder")]
    [InlineData("Missing.dll", "is not there")]
    [InlineData("", "must be a hashtable with Assembly")]
    public void ADeclarationOutsideTheModuleOrOfNothingIsAProblem(string assembly, string problem)
    {
        var module = DriverModules.Read("ChunkFolderStorage", new Version(1, 0), ModuleBase, Declaring(assembly))!;

        Assert.Contains(problem, module.Problem, StringComparison.Ordinal);
        EngineSite.Refused(ErrorIds.DriverLoadFailed, () => Catalog.RegisterModule("ChunkFolderStorage", new[] { module }));
        Assert.Empty(Catalog.Registrations());
    }

    [Fact]
    public void TheNewestVersionIsRegisteredByItsAssemblysPathAndShownAsRegistered()
    {
        var older = DriverModules.Read("ChunkFolderStorage", new Version(0, 9), ModuleBase, Declaring("Missing.dll"))!;
        var newest = DriverModules.Read("ChunkFolderStorage", new Version(1, 0, 0), ModuleBase, Declaring("ChunkFolderDriver.dll"))!;

        var registered = Catalog.RegisterModule("chunkfolderstorage", new[] { older, newest });

        Assert.Equal(("ChunkFolder", newest.AssemblyPath), (registered.Name, registered.Path));
        Assert.Equal(new[] { (string?)null, "ChunkFolder" }, Catalog.WithRegistrations(new[] { older, newest }).Select(m => m.RegisteredAs));
        EngineSite.Refused(ErrorIds.DriverModuleNotFound, () => Catalog.RegisterModule("OtherModule", new[] { older, newest }));
    }

    private static Hashtable Declaring(string assembly) => new()
    {
        ["PSData"] = new Hashtable { ["Tags"] = "x" },
        ["replicationstoragedriver"] = assembly.Length == 0 ? new Hashtable() : new Dictionary<string, object> { ["ASSEMBLY"] = assembly },
    };
}
