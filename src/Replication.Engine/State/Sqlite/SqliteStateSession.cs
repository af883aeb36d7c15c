using System;
using Microsoft.Data.Sqlite;
using Replication.Engine.State.Sql;

namespace Replication.Engine.State.Sqlite;

/// <summary>One SQLite transaction on a state file.</summary>
internal sealed class SqliteStateSession : SqlStateSession
{
    private readonly string _path;

    public SqliteStateSession(SqliteConnection connection, SqliteTransaction transaction)
        : base(connection, transaction)
    {
        _path = connection.DataSource;
    }

    // Name columns are declared COLLATE NOCASE, so their own order is NOCASE's and their index serves it.
    protected override string ByName(string column) => column;

    protected override string ByBytes(string column) => column + " COLLATE BINARY";

    protected override bool IsStoreFailure(Exception error, bool duringCommit) => error is SqliteException;

    protected override Exception Translate(Exception error, bool duringCommit) => SqliteStateStore.Translate((SqliteException)error, _path);
}
