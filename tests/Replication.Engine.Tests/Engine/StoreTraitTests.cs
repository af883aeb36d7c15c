using System;
using System.Threading.Tasks;
using Replication.Engine.State;
using Replication.Engine.Tests.Health;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.Engine;

/// <summary>
/// A test that opens a site on the suite's store without [Trait("Store", "Each")] fails and names itself, so no such
/// test silently stays out of build.ps1's PostgreSQL run. This class carries no trait (only its last test does).
/// </summary>
public sealed class StoreTraitTests
{
    [Fact]
    public void AnUnmarkedTest_ThatOpensASiteOnTheSuitesStore_FailsNamingItselfAndTheTrait()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new EngineSite());

        Assert.Contains($"{typeof(StoreTraitTests).FullName}.{nameof(AnUnmarkedTest_ThatOpensASiteOnTheSuitesStore_FailsNamingItselfAndTheTrait)}", error.Message);
        Assert.Contains("without [Trait(\"Store\", \"Each\")]", error.Message);
    }

    [Fact]
    public async Task AnUnmarkedAsyncTest_IsFoundPastItsFirstAwait()
    {
        await Task.Yield();

        var error = Assert.Throws<InvalidOperationException>(() => new EngineSite());

        Assert.Contains($"{typeof(StoreTraitTests).FullName}.{nameof(AnUnmarkedAsyncTest_IsFoundPastItsFirstAwait)}", error.Message);
    }

    [Fact]
    public void AHelperOfAMarkedClass_DoesNotLendItsMarkToTheTestThatCallsIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ReplicaHealthTableTests.NewSite());

        Assert.Contains(nameof(AHelperOfAMarkedClass_DoesNotLendItsMarkToTheTestThatCallsIt), error.Message);
    }

    [Fact]
    [Trait(StoreTrait.Name, StoreTrait.Each)]
    public void AMarkedTest_OpensItsSiteOnTheSuitesStore()
    {
        using var site = new EngineSite();

        Assert.Equal(TestStores.Kind, site.State is PostgreSqlSiteState ? StateStoreKind.PostgreSql : StateStoreKind.Sqlite);
    }
}
