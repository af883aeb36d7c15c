using System.Linq;
using Replication.Engine.Drivers.Loading;
using Replication.Engine.Errors;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.Drivers;

/// <summary>
/// The Agent driver ships in the module's drivers folder and loads on first use: it is listed and found by name before
/// any backend used it, and where it cannot load (Windows PowerShell, or here, where this test's output has no drivers
/// folder) it is listed with the reason instead of failing the listing.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class BundledDriverTests : System.IDisposable
{
    private readonly EngineSite _site = new();

    public void Dispose() => _site.Dispose();

    [Fact]
    public void TheAgentDriverIsListedWithWhyItCannotLoadHereAndTheListingGoesOn()
    {
        var all = new StorageDriverCatalog(_site.Engine.Context).Describe();

        Assert.Equal(new[] { ("Agent", "BuiltIn"), ("LocalFile", "BuiltIn") }, all.Select(d => (d.Name, d.Source)));
        var agent = all[0];
        Assert.Contains("Replication.Drivers.Agent.dll", agent.Problem, System.StringComparison.Ordinal);
        Assert.Contains("missing", agent.Problem, System.StringComparison.Ordinal);
        Assert.Null(all[1].Problem);
    }

    [Fact]
    public void TheAgentDriverIsAKnownNameAndAskingForItWhereItCannotLoadSaysSo()
    {
        Assert.Contains("Agent", _site.Engine.Context.Drivers.Names);
        Assert.Equal(ErrorIds.DriverLoadFailed, Assert.Throws<ReplicationException>(() => _site.Engine.Context.Drivers.Get("agent")).ErrorId);
    }

    [Fact]
    public void TestingTheAgentDriverLoadsTheShippedOneNotARegistration()
    {
        var catalog = new StorageDriverCatalog(_site.Engine.Context);

        var error = Assert.Throws<ReplicationException>(() => catalog.Test("Agent", new System.Collections.Generic.Dictionary<string, string>()));

        // Here its file is missing, which says it was looked for where the module ships it (not "not registered").
        Assert.Equal(ErrorIds.DriverLoadFailed, error.ErrorId);
    }
}
