using System;
using Replication.Engine.State;

namespace Replication.Engine.Tests.Support;

/// <summary>
/// Which store the engine suite runs on: REPLICATION_TEST_STATE_STORE=PostgreSql runs every EngineSite on PostgreSQL;
/// unset (or Sqlite), on SQLite files. build.ps1 runs the whole suite on SQLite, then once more on PostgreSQL only the
/// tests marked [Trait("Store", "Each")] (filter Store=Each): those that open a site on the suite's store. A test that
/// asks for the suite's store without the mark fails (<see cref="StoreTrait.DemandEach"/>), so none drops out of the
/// PostgreSQL run unnoticed. Tests of the stores themselves choose their stores and carry [Trait("Store", "Specific")].
/// </summary>
public static class TestStores
{
    public const string EnvironmentVariable = "REPLICATION_TEST_STATE_STORE";

    private static readonly StateStoreKind SuiteStore = Environment.GetEnvironmentVariable(EnvironmentVariable) switch
    {
        null or "" or "Sqlite" => StateStoreKind.Sqlite,
        "PostgreSql" => StateStoreKind.PostgreSql,
        var other => throw new InvalidOperationException($"{EnvironmentVariable}='{other}': use Sqlite or PostgreSql."),
    };

    /// <summary>The suite's store, for a test marked [Trait("Store", "Each")].</summary>
    public static StateStoreKind Kind
    {
        get
        {
            StoreTrait.DemandEach();
            return SuiteStore;
        }
    }
}
