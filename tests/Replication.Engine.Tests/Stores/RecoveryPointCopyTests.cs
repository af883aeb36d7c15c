using System.Collections.Generic;
using System.Linq;
using System.Runtime.Versioning;
using System.Threading;
using Replication.Engine.Replication;
using Replication.Engine.State;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Stores;

/// <summary>A copy of the state carries the recovery points and an unfinished rollback's intent, SQLite to PostgreSQL and back.</summary>
[UnsupportedOSPlatform("windows")]
[Trait(StoreTrait.Name, StoreTrait.Specific)]
public sealed class RecoveryPointCopyTests
{
    private static readonly string[] NotState = { "schema_migrations.applied_at", "sqlite_sequence" };

    [UnixFact]
    public void SqliteToPostgreSqlAndBack_CarriesEveryPointAndRollbackIntent_AndThePointsReadOnTheCopy()
    {
        using var original = new EngineSite(StateStoreKind.Sqlite);
        original.AddPairedBackends();
        original.AddReplicatedType("points", new Dictionary<string, string> { ["replication:recovery_points"] = "10" });
        original.CreateVolume("db01", 4 * MiB, "points");
        for (var i = 0; i < 3; i++)
        {
            WriteAt(original.PrimaryFile("db01"), i * 4L * Block, RandomBytes(2 * Block, 40 + i));
            original.Sync("db01");
        }

        var points = original.Engine.RecoveryPoints.List("db01");
        var oldest = points.Min(p => p.Round);
        using (var session = original.Engine.Context.Store.Begin(write: true))
        {
            // What a process killed after recording a rollback's intent leaves.
            session.PutRecoveryRollback(original.Record("db01").Id, oldest, original.Clock.Now);
            session.Commit();
        }

        using var shared = new EngineSite(StateStoreKind.PostgreSql);
        using var back = new EngineSite(StateStoreKind.Sqlite);
        var before = original.SnapshotDatabase(NotState);

        var there = original.Engine.StateCopy.CopyTo(shared.State.Address, original.Quiet);
        var home = shared.Engine.StateCopy.CopyTo(back.State.Address, shared.Quiet);

        Assert.Equal(before, shared.SnapshotDatabase(NotState));
        Assert.Equal(before, back.SnapshotDatabase(NotState));
        Assert.Equal(there.Fingerprint, home.Fingerprint);
        Assert.Equal(points.Count, there.RecoveryPoints);
        Assert.True(points.Count >= 3);
        Assert.Equal(points.Select(p => (p.Round, p.DataTimestamp, p.BytesHeld)), shared.Engine.RecoveryPoints.List("db01").Select(p => (p.Round, p.DataTimestamp, p.BytesHeld)));
        using (var read = shared.Engine.Context.Store.Begin(write: false))
        {
            Assert.Equal(oldest, read.FindRecoveryRollback(shared.Record("db01").Id));
        }

        Assert.True(shared.Engine.RecoveryPoints.Verify("db01", points[1].Round, shared.Quiet, CancellationToken.None).Passed);
    }
}
