using System;
using Npgsql;

namespace Replication.PowerShell.Tests;

/// <summary>
/// A schema of its own on the test PostgreSQL server (REPLICATION_TEST_POSTGRES, which build.ps1 sets after starting
/// the server), dropped on dispose. Without the variable the test fails and says how to start a server.
/// </summary>
public sealed class PostgresSchema : IDisposable
{
    public PostgresSchema()
    {
        Name = "c_" + Guid.NewGuid().ToString("N");
        Admin($"CREATE SCHEMA {Name};");
        ConnectionString = new NpgsqlConnectionStringBuilder(ServerConnectionString) { SearchPath = Name }.ToString();
    }

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("REPLICATION_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("REPLICATION_TEST_POSTGRES is not set: run the tests through 'dotnet pwsh ./build.ps1 -Task Test' (it starts a PostgreSQL server), or start one with tests/PostgreSql/TestPostgres.psm1.");

    public string Name { get; }

    public string ConnectionString { get; }

    public void Dispose() => Admin($"DROP SCHEMA IF EXISTS {Name} CASCADE;");

    private static void Admin(string sql)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ServerConnectionString) { Pooling = false }.ToString());
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
