using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Loader;
using Replication.Drivers;
using Replication.Engine.Drivers.Loading;
using Replication.Engine.Errors;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.Drivers;

/// <summary>Register-StorageDriver's engine side: the sample driver, built from its own project, registered into the state.</summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class DriverRegistrationTests : IDisposable
{
    private readonly EngineSite _site = new();

    public void Dispose() => _site.Dispose();

    /// <summary>The sample driver's assembly in its own build output (the same configuration as this test's).</summary>
    public static string SampleDriverPath => BuildOutput("samples/ChunkFolderDriver", "ChunkFolderDriver.dll");

    /// <summary>A driver with its own Newtonsoft.Json 13.0.4 beside it (tests/IsolatedDriver).</summary>
    private static string IsolatedDriverPath => BuildOutput("tests/IsolatedDriver", "IsolatedDriver.dll");

    private StorageDriverCatalog Catalog => new(_site.Engine.Context);

    [Fact]
    public void ARegisteredDriverIsDescribedBesideTheBuiltInOnesAndLoadsInALoadContextOfItsOwn()
    {
        var registered = Catalog.Register(SampleDriverPath);

        Assert.Equal(("ChunkFolder", "chunkfolder", "Registered", "1.0.0.0"), (registered.Name, registered.ConnectionType, registered.Source, registered.Version));
        Assert.Equal(new[] { "Folder (required)", "ChunkSize", "AccessKey" }, registered.Settings.Select(s => s.ToString()));
        var all = Catalog.Describe();
        Assert.Equal(new[] { ("Agent", "BuiltIn"), ("LocalFile", "BuiltIn"), ("ChunkFolder", "Registered") }, all.Select(d => (d.Name, d.Source)));
        var driver = Assert.Single(StorageDriverCatalog.LoadRegistered(_site.Engine.Context.Store));
        var context = AssemblyLoadContext.GetLoadContext(driver.GetType().Assembly);
        Assert.NotSame(AssemblyLoadContext.Default, context);
        Assert.NotSame(AssemblyLoadContext.GetLoadContext(typeof(StorageDriverCatalog).Assembly), context);
        // The contract is the module's own: the driver's IStorageDriver is the engine's.
        Assert.Same(typeof(IStorageDriver).Assembly, driver.GetType().GetInterface(nameof(IStorageDriver))!.Assembly);
        Assert.Contains(_site.Engine.Events(new State.EventQuery { ObjectName = "ChunkFolder" }), e => e.Operation == "RegisterStorageDriver");
    }

    [Fact]
    public void TheRegistrationIsKeptInTheStateStore()
    {
        Catalog.Register(SampleDriverPath);

        var reopened = new StorageDriverCatalog(_site.State.Open(() => DateTimeOffset.UtcNow).Context);

        var registration = Assert.Single(reopened.Registrations());
        Assert.Equal(("ChunkFolder", Path.GetFullPath(SampleDriverPath), "1.0.0.0"), (registration.Name, registration.Path, registration.Version));
        Assert.Equal(64, registration.Sha256.Length);
        Assert.Equal("ChunkFolder", reopened.Load("chunkfolder").Info.Name);
        Assert.Equal("ChunkFolder", StorageDriverCatalog.FindRegistered(_site.Engine.Context.Store, "CHUNKFOLDER")!.Info.Name);
        Assert.Null(StorageDriverCatalog.FindRegistered(_site.Engine.Context.Store, "Other"));
    }

    [Fact]
    public void ANameAlreadyKnownIsRefusedAndAnAssemblyWithoutADriverDoesNotLoad()
    {
        Catalog.Register(SampleDriverPath);

        EngineSite.Refused(ErrorIds.DriverExists, () => Catalog.Register(SampleDriverPath));
        var noDriver = EngineSite.Refused(ErrorIds.DriverLoadFailed, () => Catalog.Register(typeof(IStorageDriver).Assembly.Location));
        Assert.Contains("no public class implementing", noDriver.Message, StringComparison.Ordinal);
        EngineSite.Refused(ErrorIds.DriverLoadFailed, () => Catalog.Register(Path.Combine(_site.Root, "missing.dll")));
        Assert.Single(Catalog.Registrations());
    }

    [Fact]
    public void AnAssemblyChangedSinceItWasRegisteredIsNotLoaded()
    {
        var copy = Path.Combine(_site.Root, "driver", "ChunkFolderDriver.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.Copy(SampleDriverPath, copy);
        Catalog.Register(copy);

        File.AppendAllText(copy, "changed");

        Assert.Empty(StorageDriverCatalog.LoadRegistered(_site.Engine.Context.Store));
        var described = Catalog.Describe().Single(d => d.Name == "ChunkFolder");
        Assert.Contains("changed since it was registered", described.Problem, StringComparison.Ordinal);
        EngineSite.Refused(ErrorIds.DriverLoadFailed, () => Catalog.Load("ChunkFolder"));
    }

    [Fact]
    public void UnregisteringForgetsTheDriverOnce()
    {
        Catalog.Register(SampleDriverPath);

        Catalog.Unregister("chunkfolder");

        Assert.Empty(Catalog.Registrations());
        EngineSite.Refused(ErrorIds.DriverNotFound, () => Catalog.Unregister("ChunkFolder"));
        EngineSite.Refused(ErrorIds.DriverNotFound, () => Catalog.Load("ChunkFolder"));
    }

    [Fact]
    public void ADriverRunsWithItsOwnVersionOfALibraryTheModuleShipsToo()
    {
        Catalog.Register(IsolatedDriverPath);

        var driver = Catalog.Load("JsonChunkFolder");
        var json = driver.ReportCapabilities(new BackendConfiguration("b", new Dictionary<string, string>(), "store"))["json_version"];

        // The driver serialised with the copy beside it (13.0.4's file version), the engine keeps its own (13.0.1), loaded apart.
        var besideDriver = System.Diagnostics.FileVersionInfo.GetVersionInfo(Path.Combine(Path.GetDirectoryName(IsolatedDriverPath)!, "Newtonsoft.Json.dll")).FileVersion;
        Assert.Equal($"\"{besideDriver}\"", json);
        var engineJson = typeof(Newtonsoft.Json.JsonConvert).Assembly;
        Assert.NotEqual(besideDriver, System.Diagnostics.FileVersionInfo.GetVersionInfo(engineJson.Location).FileVersion);
        var driverJson = AssemblyLoadContext.GetLoadContext(driver.GetType().Assembly)!.Assemblies.Single(a => a.GetName().Name == "Newtonsoft.Json");
        Assert.NotSame(engineJson, driverJson);
        Assert.Equal(Path.GetDirectoryName(IsolatedDriverPath), Path.GetDirectoryName(driverJson.Location));
    }

    [Fact]
    public void TheConformanceKitRunsOnARegisteredDriver()
    {
        Catalog.Register(SampleDriverPath);

        var results = Catalog.Test("ChunkFolder", new Dictionary<string, string> { ["Folder"] = Path.Combine(_site.Root, "kit"), ["ChunkSize"] = "65536" });

        Assert.Equal(global::Replication.Drivers.Conformance.ConformanceKit.PromiseNames, results.Select(r => r.Promise));
        Assert.All(results, r => Assert.True(r.Passed && r.Driver == "ChunkFolder", $"{r.Promise}: {r.Detail}"));
    }

    private static string BuildOutput(string project, string file)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testOutput.Parent!.Name;
        var root = testOutput.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        return Path.Combine(root, project, "bin", configuration, "netstandard2.0", file);
    }
}
