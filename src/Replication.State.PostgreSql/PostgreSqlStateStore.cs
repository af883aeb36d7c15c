using System;
using System.Data;
using System.Data.Common;
using System.Linq;
using Npgsql;
using Polly;
using Polly.Retry;
using Replication.Engine.Errors;
using Replication.Engine.State;

namespace Replication.State.PostgreSql;

/// <summary>
/// State in a PostgreSQL database, shared by every host that points at it. Writing sessions take one transaction-scoped
/// advisory lock per schema first, so like SQLite's write lock the checks the engine makes inside a session still hold
/// when it writes, across hosts; reading sessions see one snapshot (repeatable read) and never wait. Connecting is
/// retried while the server is unreachable or starting; the schema is brought up to date when the store is opened.
/// </summary>
public sealed class PostgreSqlStateStore : IStateStore, IDisposable
{
    // Advisory lock class "RPst"; the second key is the schema's name, so two schemas in one database do not wait for each other.
    private const string WriteLock = "SELECT pg_advisory_xact_lock(1380996980, hashtext(current_schema()));";

    private static readonly ResiliencePipeline Connecting = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(PostgreSqlFailures.IsTransient),
            MaxRetryAttempts = 4,
            Delay = TimeSpan.FromMilliseconds(250),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
        })
        .Build();

    private readonly NpgsqlDataSource _dataSource;

    private PostgreSqlStateStore(NpgsqlDataSource dataSource, string location)
    {
        _dataSource = dataSource;
        Location = location;
    }

    public string Location { get; }

    /// <summary>Opens the database a connection string names (Npgsql's keywords) and applies pending migrations.</summary>
    public static PostgreSqlStateStore Open(string connectionString)
    {
        var location = StateAddress.PostgreSql(connectionString).Display;
        NpgsqlDataSource dataSource;
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrEmpty(builder.ApplicationName))
            {
                builder.ApplicationName = "Replication.PowerShell";
            }

            // What the string leaves out comes from libpq's variables, as for psql (Npgsql itself reads only some of them).
            builder.Host ??= Environment.GetEnvironmentVariable("PGHOST");
            builder.Database ??= Environment.GetEnvironmentVariable("PGDATABASE");
            builder.Username ??= Environment.GetEnvironmentVariable("PGUSER");
            if (!new DbConnectionStringBuilder { ConnectionString = connectionString }.ContainsKey("Port") && int.TryParse(Environment.GetEnvironmentVariable("PGPORT"), out var port))
            {
                builder.Port = port;
            }

            dataSource = NpgsqlDataSource.Create(builder);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            throw PostgreSqlFailures.Translate(ex, location);
        }

        var store = new PostgreSqlStateStore(dataSource, location);
        try
        {
            store.Migrate();
        }
        catch
        {
            store.Dispose();
            throw;
        }

        return store;
    }

    public IStateSession Begin(bool write)
    {
        try
        {
            return Connecting.Execute(() => Start(write));
        }
        catch (Exception ex) when (ex is not ReplicationException)
        {
            throw PostgreSqlFailures.Translate(ex, Location);
        }
    }

    /// <summary>
    /// As durable as any write: the server is shared across machines, so a lease it lost in a crash could let a second
    /// controller in while the first still works.
    /// </summary>
    public IStateSession BeginLeaseWrite() => Begin(write: true);

    /// <summary>Closes the pooled connections of this store.</summary>
    public void Dispose() => _dataSource.Dispose();

    private PostgreSqlStateSession Start(bool write)
    {
        NpgsqlConnection? connection = null;
        try
        {
            connection = _dataSource.OpenConnection();
            var transaction = connection.BeginTransaction(write ? IsolationLevel.ReadCommitted : IsolationLevel.RepeatableRead);
            // The transaction's first statement: a pooled connection the server dropped fails here, untranslated, so the
            // retry above takes the next one. Nothing has been read or written yet, so trying again is safe.
            using (var setup = new NpgsqlCommand(write ? $"SET LOCAL lock_timeout = '{PostgreSqlFailures.LockWaitSeconds}s'; {WriteLock}" : "SET TRANSACTION READ ONLY;", connection, transaction))
            {
                setup.ExecuteNonQuery();
            }

            return new PostgreSqlStateSession(connection, transaction, Location);
        }
        catch
        {
            connection?.Dispose();
            throw;
        }
    }

    private void Migrate()
    {
        using var session = (PostgreSqlStateSession)Begin(write: true);
        session.Run("CREATE TABLE IF NOT EXISTS schema_migrations (version bigint PRIMARY KEY, applied_at text NOT NULL);");
        var current = session.Scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations;");
        var newest = PostgreSqlSchemaMigrations.All.Max(m => m.Version);
        if (current > newest)
        {
            throw new ReplicationException(ErrorIds.StateStoreTooNew, ErrorKind.InvalidData,
                $"The state database '{Location}' has schema version {current}, newer than this module's {newest}. Use a newer Replication.PowerShell.", Location);
        }

        foreach (var (version, sql) in PostgreSqlSchemaMigrations.All.Where(m => m.Version > current))
        {
            session.Run(sql);
            session.Run("INSERT INTO schema_migrations (version, applied_at) VALUES (@v, @at);", ("v", (long)version), ("at", DbText.Time(DateTimeOffset.UtcNow)));
        }

        session.Commit();
    }
}
