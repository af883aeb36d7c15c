using System;
using System.IO;
using System.Linq;
using Microsoft.Data.Sqlite;
using Replication.Engine.Errors;

namespace Replication.Engine.State.Sqlite;

/// <summary>
/// State in one SQLite file: WAL journal so readers never block the writer, a busy timeout so concurrent
/// processes wait their turn instead of failing, and the schema brought up to date when the file is opened.
/// </summary>
public sealed class SqliteStateStore : IStateStore
{
    private const int BusyTimeoutSeconds = 30;

    private readonly string _connectionString;

    private SqliteStateStore(string path)
    {
        Location = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = BusyTimeoutSeconds,
        }.ToString();
    }

    public string Location { get; }

    /// <summary>
    /// Opens the state file at <paramref name="path"/> (making it, 0600, if it is missing) once it passes
    /// <see cref="StateFileGuard"/>, and applies pending migrations.
    /// </summary>
    public static SqliteStateStore Open(string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        var store = new SqliteStateStore(fullPath);
        try
        {
            if (StateFileGuard.Check(fullPath))
            {
                // Pooled connections to a file deleted since would still write to the deleted file.
                SqliteConnection.ClearPool(new SqliteConnection(store._connectionString));
            }

            using (var connection = store.OpenConnection())
            {
                Execute(connection, "PRAGMA journal_mode = WAL;");
                store.CheckIntegrity(connection);
                store.Migrate(connection);
            }

            StateFileGuard.Tighten(fullPath);
        }
        catch (SqliteException ex)
        {
            throw Translate(ex, fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ReplicationException(ErrorIds.StateStoreUnavailable, ErrorKind.ResourceUnavailable,
                $"The state file '{fullPath}' cannot be opened: {ex.Message}", fullPath, ex);
        }

        return store;
    }

    public IStateSession Begin(bool write) => Begin(write, durable: true);

    // WAL with synchronous NORMAL appends the commit without an fsync; the next durable commit's fsync covers it.
    public IStateSession BeginLeaseWrite() => Begin(write: true, durable: false);

    private IStateSession Begin(bool write, bool durable)
    {
        SqliteConnection? connection = null;
        try
        {
            connection = OpenConnection();
            if (!durable)
            {
                Execute(connection, "PRAGMA synchronous = NORMAL;");
            }
            else if (write)
            {
                StateWork.For(Location).DurableWrite();
            }

            return new SqliteStateSession(connection, connection.BeginTransaction(deferred: !write));
        }
        catch (SqliteException ex)
        {
            connection?.Dispose();
            throw Translate(ex, Location);
        }
    }

    internal static ReplicationException Translate(SqliteException ex, string path) => ex.SqliteErrorCode switch
    {
        // SQLITE_CORRUPT, SQLITE_NOTADB
        11 or 26 => new ReplicationException(ErrorIds.StateStoreCorrupt, ErrorKind.InvalidData,
            $"The state file '{path}' is damaged or is not a Replication.PowerShell state file ({ex.Message}). Restore it from a backup, or point REPLICATION_POWERSHELL_STATE at another file.", path, ex),
        // SQLITE_BUSY, SQLITE_LOCKED
        5 or 6 => new ReplicationException(ErrorIds.StateStoreBusy, ErrorKind.ResourceBusy,
            $"The state file '{path}' stayed locked by another process for {BusyTimeoutSeconds} s. Try again when the other command has finished.", path, ex),
        _ => new ReplicationException(ErrorIds.StateStoreUnavailable, ErrorKind.ResourceUnavailable,
            $"The state file '{path}' could not be used: {ex.Message}", path, ex),
    };

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // Synchronous FULL every time: a pooled connection may come back from a lease write.
        Execute(connection, $"PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {BusyTimeoutSeconds * 1000}; PRAGMA synchronous = FULL;");
        return connection;
    }

    /// <summary>
    /// Refuses a damaged file once, when the process first opens it, rather than letting commands read half of it. The
    /// quick check reads every page (a few ms per MiB), which each process pays once per state file.
    /// </summary>
    private void CheckIntegrity(SqliteConnection connection)
    {
        using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA quick_check;";
        var verdict = Convert.ToString(check.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (verdict != "ok")
        {
            throw new ReplicationException(ErrorIds.StateStoreCorrupt, ErrorKind.InvalidData,
                $"The state file '{Location}' is damaged ({verdict}). Restore it from a backup, or point REPLICATION_POWERSHELL_STATE at another file.", Location);
        }
    }

    private void Migrate(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        Execute(connection, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);", transaction);
        using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;";
        var current = Convert.ToInt32(read.ExecuteScalar());
        var newest = SchemaMigrations.All.Max(m => m.Version);
        if (current > newest)
        {
            throw new ReplicationException(ErrorIds.StateStoreTooNew, ErrorKind.InvalidData,
                $"The state file '{Location}' has schema version {current}, newer than this module's {newest}. Use a newer Replication.PowerShell.", Location);
        }

        foreach (var (version, sql) in SchemaMigrations.All.Where(m => m.Version > current))
        {
            Execute(connection, sql, transaction);
            using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_migrations (version, applied_at) VALUES ($v, $at);";
            record.Parameters.AddWithValue("$v", version);
            record.Parameters.AddWithValue("$at", DbText.Time(DateTimeOffset.UtcNow));
            record.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}
