using System;
using System.IO;
using System.Linq;
using Microsoft.Data.Sqlite;
using Replication.Engine.Model;
using Replication.Engine.State;
using Replication.Engine.State.Sqlite;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.Engine;

/// <summary>A state file written by an older module is brought up to date when opened, and keeps every row.</summary>
[Trait("Store", "Specific")]
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
            "volumes.group_name", "volumes.group_round", "replication_groups", "group_rounds", "group_promotions", "events.round_bytes", "events.round_ms");
        Assert.Equal(rowsBefore, rowsAfter);
        var volume = engine.Volumes.Get("legacy01");
        Assert.Equal(volumeId, volume.Id);
        Assert.Equal(ReplicationStatus.ActiveStopped.ToCinder(), volume.ReplicationStatus);
        Assert.Equal("dc2", engine.Replication.Get("legacy01").ReplicaBackend);
        Assert.Single(engine.Events(new EventQuery { ObjectName = "legacy01" }));
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
            "INSERT INTO backends VALUES ('dc1', 'LocalFile', '/srv/dc1', 'dc2', '{}', '2026-01-01T00:00:00.0000000Z');" +
            "INSERT INTO backends VALUES ('dc2', 'LocalFile', '/srv/dc2', 'dc1', '{\"tier\":\"gold\"}', '2026-01-01T00:00:00.0000000Z');" +
            "INSERT INTO volume_types VALUES ('replicated', NULL, '2026-01-01T00:00:00.0000000Z');" +
            "INSERT INTO volume_type_extra_specs VALUES ('replicated', 'capabilities:replication', '<is> True');" +
            $"INSERT INTO volumes VALUES ('{volumeId}', 'legacy01', 1048576, 'replicated', 'Available', 'dc1', 'volume-{volumeId}.img', 'active-stopped', 'Paused', NULL, 'dc2', 'volume-{volumeId}.img', 0, 3, '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:00:01.0000000Z', NULL, '2026-01-01T00:00:00.0000000Z');" +
            $"INSERT INTO block_maps VALUES ('{volumeId}', 65536, 1048576, zeroblob(256));" +
            $"INSERT INTO events (at, actor, operation, object_type, object_name, volume_id, from_status, to_status, message) VALUES ('2026-01-01T00:00:00.0000000Z', 'old@host (1)', 'DisableReplication', 'Volume', 'legacy01', '{volumeId}', 'active', 'active-stopped', 'Paused');";
        command.ExecuteNonQuery();
    }

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
