using System;
using Replication.Engine.State;

namespace Replication.Engine.Tests.Support;

/// <summary>
/// Which store the engine suite runs on: REPLICATION_TEST_STATE_STORE=PostgreSql runs every EngineSite on PostgreSQL;
/// unset (or Sqlite), on SQLite files. build.ps1 runs the suite once with each, so both stores pass the same tests.
/// Tests of the stores themselves choose their stores and carry [Trait("Store", "Specific")]: the PostgreSQL run leaves
/// them out, as they ran already.
/// </summary>
public static class TestStores
{
    public const string EnvironmentVariable = "REPLICATION_TEST_STATE_STORE";

    public static StateStoreKind Kind { get; } = Environment.GetEnvironmentVariable(EnvironmentVariable) switch
    {
        null or "" or "Sqlite" => StateStoreKind.Sqlite,
        "PostgreSql" => StateStoreKind.PostgreSql,
        var other => throw new InvalidOperationException($"{EnvironmentVariable}='{other}': use Sqlite or PostgreSql."),
    };
}
