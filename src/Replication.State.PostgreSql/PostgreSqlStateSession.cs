using System;
using System.IO;
using Npgsql;
using Replication.Engine.State.Sql;

namespace Replication.State.PostgreSql;

/// <summary>
/// One PostgreSQL transaction. Name columns compare without case (collation 'nocase') and sort as SQLite's NOCASE does
/// (lower-cased, byte order), so both stores list in the same order.
/// </summary>
internal sealed class PostgreSqlStateSession : SqlStateSession
{
    private readonly string _location;

    public PostgreSqlStateSession(NpgsqlConnection connection, NpgsqlTransaction transaction, string location)
        : base(connection, transaction)
    {
        _location = location;
    }

    public override void Dispose()
    {
        // On a broken connection there is nothing to roll back: the server already did when the connection dropped.
        try
        {
            base.Dispose();
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or InvalidOperationException)
        {
        }
    }

    /// <summary>SQLite's NOCASE order: lower-cased, then byte for byte (names are ASCII).</summary>
    protected override string ByName(string column) => $"lower({column}) COLLATE \"C\"";

    protected override string ByBytes(string column) => column + " COLLATE \"C\"";

    protected override bool IsStoreFailure(Exception error, bool duringCommit) =>
        error is NpgsqlException or IOException or TimeoutException || (duringCommit && error is InvalidOperationException);

    protected override Exception Translate(Exception error, bool duringCommit) => PostgreSqlFailures.Translate(error, _location, duringCommit);

    // Explicit ids leave the identity sequences behind; the next event or DR test must follow the copied ones.
    protected override void AfterImport()
    {
        foreach (var table in new[] { "events", "dr_tests" })
        {
            Run($"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table};");
        }
    }
}
