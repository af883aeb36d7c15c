using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Data.Sqlite;
using Replication.Engine.Health;
using Replication.Engine.Model;
using Replication.Engine.State;
using Replication.Engine.State.Sqlite;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.Engine;

/// <summary>A state file written by an older module is brought up to date when opened, and keeps every row.</summary>
[Trait(StoreTrait.Name, StoreTrait.Specific)]
public sealed class SchemaUpgradeTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_version_1_state_file_is_upgraded_in_place_and_keeps_every_row()
    {
        var path = temp.File("old.db");
        var volumeId = Guid.NewGuid();
        WriteVersion1File(path, volumeId);
        var rowsBefore = EngineSite.DumpDatabase(path, "schema_migrations");

        var engine = ReplicationEngine.OpenSqlite(path);

        Assert.Equal(SchemaMigrations.All.Max(m => m.Version), Versions(path).Max());
        Assert.Equal(SchemaMigrations.All.Select(m => (long)m.Version), Versions(path));
        // The tables later migrations add are new and empty; every table the old file had keeps its rows.
        var rowsAfter = EngineSite.DumpDatabase(path, "schema_migrations", "volume_leases", "dr_tests",
            "backends.frozen_at", "backends.failed_over_at", "volumes.failover_source", "volumes.fence_stamp",
            "volumes.group_name", "volumes.group_round", "replication_groups", "group_rounds", "group_promotions",
            "volumes.last_sync_raced", "volumes.verification_failure", "volumes.verification_failed_at", "volumes.damaged_blocks",
            "backends.settings", "store_identity", "events.round_bytes", "events.round_ms", "storage_drivers", "volumes.pending_change", "recovery_points", "recovery_rollbacks", "volume_snapshots", "volumes.fence_epoch");
        Assert.Equal(rowsBefore, rowsAfter);
        var volume = engine.Volumes.Get("legacy01");
        Assert.Equal(volumeId, volume.Id);
        Assert.Equal(ReplicationStatus.ActiveStopped.ToCinder(), volume.ReplicationStatus);
        Assert.Equal("dc2", engine.Replication.Get("legacy01").ReplicaBackend);
        Assert.Single(engine.Events(new EventQuery { ObjectName = "legacy01" }));
        // Version 13: a volume an older module wrote has no snapshots, and can have them.
        Assert.Empty(engine.Snapshots.List("legacy01"));
        // Version 8: the file gets an identity of its own, and its backends the defaults of their driver's settings.
        Assert.Equal(new Dictionary<string, string> { ["FileMode"] = "0600", ["FolderMode"] = "0700" }, engine.Backends.Get("dc1").Settings);
        using var session = engine.Context.Store.Begin(write: false);
        Assert.NotEqual(Guid.Empty, session.StoreIdentity());
    }

    [Fact]
    public void A_version_2_state_file_gets_leases_that_name_their_holder_and_the_next_operation_takes_one()
    {
        var path = temp.File("v2.db");
        var volumeId = Guid.NewGuid();
        WriteVersion1File(path, volumeId);
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = SchemaMigrations.All.Single(m => m.Version == 2).Sql +
                "INSERT INTO schema_migrations VALUES (2, '2026-01-01T00:00:00.0000000Z');" +
                $"INSERT INTO volume_leases VALUES ('{volumeId}', 'old-holder', 'old@host (1)', 'SyncReplica', '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:00:30.0000000Z');";
            command.ExecuteNonQuery();
        }

        var engine = ReplicationEngine.OpenSqlite(path);

        Assert.Equal(SchemaMigrations.All.Select(m => (long)m.Version), Versions(path));
        var leases = EngineSite.DumpDatabase(path, "schema_migrations").Split("== ").Single(t => t.StartsWith("volume_leases", StringComparison.Ordinal));
        Assert.Contains("host", leases);
        Assert.Contains("process_started_at", leases);
        // Taking the volume's lease writes the holder's host and process; another taker reads them to see it is held.
        using (engine.Leases.Acquire("legacy01", "SyncReplica", SilentObserver.Instance, System.Threading.CancellationToken.None))
        {
            Assert.Null(engine.Leases.TryAcquire("legacy01", "SyncReplica", SilentObserver.Instance));
        }
    }

    [Theory]
    [InlineData(StateStoreKind.Sqlite)]
    [InlineData(StateStoreKind.PostgreSql)]
    public void A_version_6_store_gets_the_verification_columns_keeps_every_row_and_then_keeps_a_failed_check(StateStoreKind kind)
    {
        var volumeId = Guid.NewGuid();
        using var state = SiteState.Create(kind, temp.Path);
        WriteVersion6(state, volumeId);
        var rowsBefore = state.Dump("schema_migrations");

        var engine = state.Open(() => DateTimeOffset.UtcNow);

        // Every row is as it was; the new columns say nothing stands against the replica and its round was a point in time.
        Assert.Equal(rowsBefore, state.Dump("schema_migrations", "volumes.last_sync_raced", "volumes.verification_failure", "volumes.verification_failed_at", "volumes.damaged_blocks",
            "backends.settings", "store_identity", "events.round_bytes", "events.round_ms", "storage_drivers", "volumes.pending_change", "recovery_points", "recovery_rollbacks", "volume_snapshots", "volumes.fence_epoch"));
        Assert.Equal((long)SchemaMigrations.All.Count, state.RowCount("schema_migrations"));
        using (var read = engine.Context.Store.Begin(write: false))
        {
            // Version 11: no change of the copies is pending on a volume an older module wrote.
            Assert.Null(read.FindVolume("legacy01")!.PendingChange);
            // Version 14: a volume an older module wrote is at fence epoch 0; the next promotion or re-enable makes it 1.
            Assert.Equal(0L, read.FindVolume("legacy01")!.FenceEpoch);
        }

        var replica = engine.Replication.Get("legacy01");
        Assert.Equal((true, (string?)null, 0L, ReplicaHealth.Warning.ToString()), (replica.CrashConsistent, replica.VerificationFailure, replica.DamagedBlocks, replica.Health));

        // The new columns hold what a failed check records, and the replica's health says so.
        var at = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        using (var session = engine.Context.Store.Begin(write: true))
        {
            var volume = session.FindVolume("legacy01")!;
            session.UpdateVolume(volume with { LastSyncRaced = true, VerificationFailure = "DR test 1 failed", VerificationFailedAt = at, DamagedBlocks = 3, FenceEpoch = 7 });
            session.Commit();
        }

        using (var read = engine.Context.Store.Begin(write: false))
        {
            Assert.Equal(7L, read.FindVolume("legacy01")!.FenceEpoch);
        }

        var marked = state.Open(() => DateTimeOffset.UtcNow).Replication.Get("legacy01");
        Assert.Equal((false, "DR test 1 failed", at, 3L, ReplicaHealth.Critical.ToString()), (marked.CrashConsistent, marked.VerificationFailure, marked.VerificationFailedAt!.Value, marked.DamagedBlocks, marked.Health));
        Assert.Contains("DR test 1 failed", marked.HealthReasons, StringComparison.Ordinal);
    }

    /// <summary>A store at schema version 6 (each store's own migrations 1 to 6) with one paused volume, its block map and an event.</summary>
    private static void WriteVersion6(SiteState state, Guid volumeId)
    {
        const string at = "'2026-01-01T00:00:00.0000000Z'";
        if (state is SqliteSiteState sqlite)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(sqlite.Path)!);
            WriteVersion1File(sqlite.Path, volumeId);
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = sqlite.Path, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = string.Concat(SchemaMigrations.All.Where(m => m.Version is > 1 and <= 6).Select(m => m.Sql + $"INSERT INTO schema_migrations VALUES ({m.Version}, {at});"));
            command.ExecuteNonQuery();
            return;
        }

        var postgres = (PostgreSqlSiteState)state;
        using var pg = new Npgsql.NpgsqlConnection(postgres.ConnectionString);
        pg.Open();
        using var create = new Npgsql.NpgsqlCommand(
            "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, applied_at text NOT NULL);" +
            string.Concat(global::Replication.State.PostgreSql.PostgreSqlSchemaMigrations.All.Where(m => m.Version <= 6).Select(m => m.Sql + $"INSERT INTO schema_migrations VALUES ({m.Version}, {at});")) +
            Version1Rows(volumeId, "decode(repeat('00', 256), 'hex')"), pg);
        create.ExecuteNonQuery();
    }

    /// <summary>The first released schema with one row in each table, as an older module would have left it.</summary>
    private static void WriteVersion1File(string path, Guid volumeId)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);" +
            SchemaMigrations.All.Single(m => m.Version == 1).Sql +
            "INSERT INTO schema_migrations VALUES (1, '2026-01-01T00:00:00.0000000Z');" +
            Version1Rows(volumeId, "zeroblob(256)");
        command.ExecuteNonQuery();
    }

    /// <summary>One row in each table of the first schema, in SQL both stores take.</summary>
    private static string Version1Rows(Guid volumeId, string zeroHashes) =>
            "INSERT INTO backends VALUES ('dc1', 'LocalFile', '/srv/dc1', 'dc2', '{}', '2026-01-01T00:00:00.0000000Z');" +
            "INSERT INTO backends VALUES ('dc2', 'LocalFile', '/srv/dc2', 'dc1', '{\"tier\":\"gold\"}', '2026-01-01T00:00:00.0000000Z');" +
            "INSERT INTO volume_types VALUES ('replicated', NULL, '2026-01-01T00:00:00.0000000Z');" +
            "INSERT INTO volume_type_extra_specs VALUES ('replicated', 'capabilities:replication', '<is> True');" +
            $"INSERT INTO volumes VALUES ('{volumeId}', 'legacy01', 1048576, 'replicated', 'Available', 'dc1', 'volume-{volumeId}.img', 'active-stopped', 'Paused', NULL, 'dc2', 'volume-{volumeId}.img', 0, 3, '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:00:01.0000000Z', NULL, '2026-01-01T00:00:00.0000000Z');" +
            $"INSERT INTO block_maps VALUES ('{volumeId}', 65536, 1048576, {zeroHashes});" +
            $"INSERT INTO events (at, actor, operation, object_type, object_name, volume_id, from_status, to_status, message) VALUES ('2026-01-01T00:00:00.0000000Z', 'old@host (1)', 'DisableReplication', 'Volume', 'legacy01', '{volumeId}', 'active', 'active-stopped', 'Paused');";

    private static long[] Versions(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM schema_migrations ORDER BY version;";
        using var reader = command.ExecuteReader();
        var versions = new System.Collections.Generic.List<long>();
        while (reader.Read())
        {
            versions.Add(reader.GetInt64(0));
        }

        return versions.ToArray();
    }
}
