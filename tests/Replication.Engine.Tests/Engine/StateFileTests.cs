using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Text;
using Microsoft.Data.Sqlite;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.State;
using Replication.Engine.State.Sqlite;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>The SQLite state file itself: who may read it, what a foreign file gives, what survives a reopen.</summary>
[UnsupportedOSPlatform("windows")]
[Trait(StoreTrait.Name, StoreTrait.Specific)]
public sealed class StateFileTests
{
    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [UnixFact]
    public void NewStateFile_IsReadableByItsOwnerOnly_AndSoAreItsWalFiles()
    {
        using var site = new EngineSite(StateStoreKind.Sqlite).WithPairAndReplicatedType();
        site.CreateVolume("db01", MiB);
        // SQLite keeps the write-ahead log and its index while a connection is open: hold one, so both exist to be checked.
        using var heldOpen = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = site.StatePath, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        heldOpen.Open();
        using (var read = heldOpen.CreateCommand())
        {
            read.CommandText = "SELECT COUNT(*) FROM volumes;";
            Assert.Equal(1L, read.ExecuteScalar());
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(site.StatePath));
        foreach (var companion in new[] { "-wal", "-shm" }.Select(suffix => site.StatePath + suffix))
        {
            Assert.True(File.Exists(companion), $"{companion} does not exist while a connection is open: is the state file in WAL mode?");
            Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(companion) & GroupOrOthers);
        }
    }

    [UnixFact]
    public void AFileThatIsNotSQLite_IsStateStoreCorrupt_AndIsLeftAsItWas()
    {
        using var temp = new TempDirectory();
        var path = temp.File("state.db");
        var content = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("This is a shopping list, not a database.\n", 200)));
        File.WriteAllBytes(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var error = Refused(ErrorIds.StateStoreCorrupt, () => ReplicationEngine.OpenSqlite(path));

        Assert.Contains(path, error.Message);
        Assert.Equal(content, File.ReadAllBytes(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(path));
    }

    [UnixFact]
    public void Reopening_KeepsEveryRow_AndChangesNone()
    {
        using var site = new EngineSite(StateStoreKind.Sqlite).WithPairAndReplicatedType();
        site.AddBackend("lone", declared: new Dictionary<string, object?> { ["tier"] = "gold", ["iops"] = 5000, ["zones"] = new List<object?> { "a", "b" } });
        site.AddPlainType("described", new Dictionary<string, string> { ["capabilities:iops"] = ">= 1000" });
        site.CreateVolume("db01", 4 * MiB);
        WriteAt(site.PrimaryFile("db01"), 0, RandomBytes(Block, 1));
        site.Sync("db01");
        site.Promote("db01", planned: true);
        site.CreateVolume("db02", MiB);
        site.Disable("db02");
        var before = site.SnapshotDatabase();

        var reopened = site.Reopen();

        Assert.Equal(before, site.SnapshotDatabase());
        Assert.Equal(new[] { "dc1", "dc2", "lone" }, reopened.Backends.List().Select(b => b.Name));
        Assert.Equal(5000L, Convert.ToInt64(reopened.Backends.Get("lone").DeclaredCapabilities["iops"]));
        Assert.Equal(">= 1000", reopened.VolumeTypes.Get("described").ExtraSpecs["capabilities:iops"]);
        var db01 = reopened.Replication.Get("db01");
        Assert.Equal(("dc2", "dc1", true), (db01.PrimaryBackend, db01.ReplicaBackend, db01.ReplicaFenced));
        Assert.Equal(ReplicationStatus.ActiveStopped.ToCinder(), reopened.Replication.Get("db02").Status);
        Assert.Equal(site.Engine.Events(new EventQuery()).Count, reopened.Events(new EventQuery()).Count);
        Assert.Equal(before, site.SnapshotDatabase());
    }

    [UnixFact]
    public void SchemaVersion_IsRecordedInSchemaMigrations()
    {
        using var site = new EngineSite(StateStoreKind.Sqlite);

        var versions = Query(site.StatePath, "SELECT version FROM schema_migrations ORDER BY version;").Select(Convert.ToInt32).ToList();

        Assert.Equal(SchemaMigrations.All.Select(m => m.Version).OrderBy(v => v), versions);
        Assert.Equal(1, versions[0]);
        Assert.Equal(versions.OrderBy(v => v).Distinct(), versions);
    }

    [UnixFact]
    public void AStateFileFromANewerModule_IsRefused_AndLeftAsItWas()
    {
        using var site = new EngineSite(StateStoreKind.Sqlite).WithPairAndReplicatedType();
        var newer = SchemaMigrations.All.Max(m => m.Version) + 1;
        Query(site.StatePath, $"INSERT INTO schema_migrations (version, applied_at) VALUES ({newer}, '2031-01-01T00:00:00.0000000Z');");
        var before = site.SnapshotDatabase();

        var error = Refused(ErrorIds.StateStoreTooNew, () => site.Reopen());

        Assert.Contains(newer.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
        Assert.Equal(before, site.SnapshotDatabase());
    }

    [UnixFact]
    public void OpeningAMissingFile_CreatesItsFolderAndTheSchema()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "a", "b", "state.db");

        var engine = ReplicationEngine.OpenSqlite(path);

        Assert.True(File.Exists(path));
        Assert.Empty(engine.Backends.List());
        Assert.Contains("== volumes", DumpDatabase(path));
    }

    private static List<object> Query(string path, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<object>();
        while (reader.Read())
        {
            values.Add(reader.GetValue(0));
        }

        return values;
    }
}
