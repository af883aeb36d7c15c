using System;
using System.Linq;
using Replication.Engine.DrTests;
using Replication.Engine.Errors;
using Replication.Engine.State;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.Stores;

/// <summary>
/// The two stores side by side: the same schema version for version, and copies between them that lose nothing. Dumps
/// render every row the same way in both stores, so equal dumps mean equal rows, value for value.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Specific)]
public sealed class StoreParityTests
{
    // When each schema version was applied, and SQLite's own bookkeeping of AUTOINCREMENT ids, are not state.
    private static readonly string[] NotState = { "schema_migrations.applied_at", "sqlite_sequence" };

    [Fact]
    public void BothStores_HaveTheSameTablesColumnsAndSchemaVersions()
    {
        using var sqlite = new EngineSite(StateStoreKind.Sqlite);
        using var postgres = new EngineSite(StateStoreKind.PostgreSql);

        var sqliteSchema = Headers(sqlite.SnapshotDatabase("sqlite_sequence"));
        var postgresSchema = Headers(postgres.SnapshotDatabase());

        Assert.Equal(sqliteSchema, postgresSchema);
        Assert.Contains("== volumes: id | name | size_bytes", sqliteSchema);
        Assert.Equal(sqlite.SnapshotDatabase(NotState).Split("== schema_migrations")[1].Split("==")[0],
            postgres.SnapshotDatabase(NotState).Split("== schema_migrations")[1].Split("==")[0]);
    }

    [Fact]
    public void SqliteToPostgreSqlAndBack_LosesNothing_AndBothCopiesHoldTheSameRows()
    {
        using var original = RichSite.Create(StateStoreKind.Sqlite);
        using var shared = new EngineSite(StateStoreKind.PostgreSql);
        using var back = new EngineSite(StateStoreKind.Sqlite);
        var before = original.SnapshotDatabase(NotState);

        var there = original.Engine.StateCopy.CopyTo(shared.State.Address, original.Quiet);
        var home = shared.Engine.StateCopy.CopyTo(back.State.Address, shared.Quiet);

        Assert.Equal(before, original.SnapshotDatabase(NotState));
        Assert.Equal(before, shared.SnapshotDatabase(NotState));
        Assert.Equal(before, back.SnapshotDatabase(NotState));
        Assert.Equal(there.Fingerprint, home.Fingerprint);
        Assert.Equal((5, 4, 2, 1), (there.Volumes, there.BlockMaps, there.Backends, there.Groups)); // the plain volume has no replica, so no map
        Assert.Equal(1, there.DrTests);
        // What a failed check and a raced round leave on a volume is carried too.
        Assert.Equal((1L, false), (shared.Replica("db01").DamagedBlocks, shared.Replica("Web01").CrashConsistent));
        Assert.StartsWith("DR test 1 failed", back.Replica("db01").VerificationFailure, System.StringComparison.Ordinal);
        Assert.Equal(original.EventsOf("db01").Select(e => (e.Id, e.Time, e.Message)), shared.EventsOf("db01").Select(e => (e.Id, e.Time, e.Message)));
    }

    [Fact]
    public void ACopy_IsAWorkingStore_WhoseNewEventsAndDrTestsFollowTheCopiedIds()
    {
        using var original = RichSite.Create(StateStoreKind.Sqlite);
        using var shared = new EngineSite(StateStoreKind.PostgreSql);
        original.Engine.StateCopy.CopyTo(shared.State.Address, original.Quiet);
        var lastEvent = original.Engine.Events(new EventQuery()).Max(e => e.Id);

        EngineSite.WriteAt(original.PrimaryFile("db01"), 0, EngineSite.RandomBytes(EngineSite.Block, 99));
        var round = shared.Sync("db01");
        var test = shared.Engine.DrTests.Run("db01", DrTestOptions.Default, shared.Quiet, System.Threading.CancellationToken.None);

        Assert.Equal(original.Record("db01").SyncGeneration + 1, round.SyncGeneration);
        Assert.True(shared.EventsOf("db01", newest: 1).Single().Id > lastEvent);
        Assert.Equal(2, test.TestId);
        EngineSite.AssertSameBytes(shared.PrimaryFile("db01"), shared.ReplicaFile("db01"));
    }

    [Theory]
    [InlineData(StateStoreKind.Sqlite, StateStoreKind.PostgreSql)]
    [InlineData(StateStoreKind.PostgreSql, StateStoreKind.Sqlite)]
    public void ACopyIntoAStoreThatHoldsState_IsRefused_AndChangesNothingThere(StateStoreKind from, StateStoreKind to)
    {
        using var source = RichSite.Create(from);
        using var destination = new EngineSite(to).WithPairAndReplicatedType();
        var rows = destination.SnapshotDatabase();

        var refused = EngineSite.Refused(ErrorIds.StateStoreNotEmpty, () => source.Engine.StateCopy.CopyTo(destination.State.Address, source.Quiet));

        Assert.Equal(ErrorKind.ResourceExists, refused.Kind);
        Assert.Equal(rows, destination.SnapshotDatabase());
    }

    [Fact]
    public void ACopyWhileAnOperationHoldsALease_IsRefused_AndWritesNothing()
    {
        using var source = RichSite.Create(StateStoreKind.PostgreSql);
        using var destination = new EngineSite(StateStoreKind.Sqlite);
        var empty = destination.SnapshotDatabase();

        using (source.Engine.Leases.Acquire("db01", "SyncReplica", source.Quiet, System.Threading.CancellationToken.None))
        {
            var refused = EngineSite.Refused(ErrorIds.StateStoreInUse, () => source.Engine.StateCopy.CopyTo(destination.State.Address, source.Quiet));
            Assert.Contains("SyncReplica", refused.Message);
        }

        Assert.Equal(empty, destination.SnapshotDatabase());
        Assert.Equal(5, source.Engine.StateCopy.CopyTo(destination.State.Address, source.Quiet).Volumes);
    }

    /// <summary>The "== table" lines and the column line under each: the schema a dump shows, without the rows.</summary>
    private static string Headers(string dump)
    {
        var lines = dump.Split('\n');
        return string.Join("\n", lines.Select((line, i) => (line, i)).Where(x => x.line.StartsWith("== ", StringComparison.Ordinal))
            .Select(x => x.line + ": " + lines[x.i + 1]));
    }
}
