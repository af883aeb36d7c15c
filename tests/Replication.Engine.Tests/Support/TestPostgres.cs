using System;
using Npgsql;

namespace Replication.Engine.Tests.Support;

/// <summary>
/// The PostgreSQL server the tests use: REPLICATION_TEST_POSTGRES holds its connection string (a superuser on a
/// throw-away server). build.ps1 -Task Test starts one and sets it; a test that needs it and finds it unset fails and
/// says how to start one, so no PostgreSQL test passes, or is skipped, without a server.
/// </summary>
public static class TestPostgres
{
    public const string EnvironmentVariable = "REPLICATION_TEST_POSTGRES";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{EnvironmentVariable} is not set: these tests need a PostgreSQL server. Run them through 'dotnet pwsh ./build.ps1 -Task Test' (it starts one), " +
                $"or start one with tests/PostgreSql/TestPostgres.psm1 (Start-TestPostgres) and set {EnvironmentVariable} to its ConnectionString.");

    /// <summary>A new, empty schema on the test server; its connection string makes it the only one on the search path.</summary>
    public static (string Schema, string ConnectionString) CreateSchema()
    {
        var schema = "t_" + Guid.NewGuid().ToString("N");
        Execute($"CREATE SCHEMA {schema};");
        return (schema, new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ToString());
    }

    public static void DropSchema(string schema) => Execute($"DROP SCHEMA IF EXISTS {schema} CASCADE;");

    public static void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
