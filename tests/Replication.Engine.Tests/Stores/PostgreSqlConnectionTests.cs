using System;
using System.Diagnostics;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.State;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.Stores;

/// <summary>
/// A PostgreSQL server that drops connections (pg_terminate_backend, as a restart or a network cut does) or cannot be
/// reached: a clear StateStoreConnectionFailed, nothing half-applied, and a retry where nothing has happened yet.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Specific)]
public sealed class PostgreSqlConnectionTests : IDisposable
{
    private readonly EngineSite site = new EngineSite(StateStoreKind.PostgreSql).WithPairAndReplicatedType();
    private readonly string application = "victim-" + Guid.NewGuid().ToString("N");
    private readonly IStateStore store;

    public PostgreSqlConnectionTests()
    {
        site.CreateVolume("db01", 4 * EngineSite.MiB);
        // Its own application name, so only this store's connections are cut, not those of tests running beside it.
        store = StateStores.Open(StateAddress.PostgreSql(((PostgreSqlSiteState)site.State).ConnectionString + ";Application Name=" + application));
    }

    public void Dispose()
    {
        (store as IDisposable)?.Dispose();
        site.Dispose();
    }

    [Fact]
    public void AConnectionCutInsideATransaction_FailsWithStateStoreConnectionFailed_AndAppliesNothingOfIt()
    {
        var rows = site.SnapshotDatabase();
        var volume = site.Record("db01");

        using (var session = store.Begin(write: true))
        {
            session.UpdateVolume(volume with { ReplicationStatus = ReplicationStatus.Error, ReplicationExtendedStatus = "half" });
            session.AppendEvent(site.Engine.Context.Event("Test", "Volume", "db01", "half a change"));
            CutConnections();

            var error = EngineSite.Refused(ErrorIds.StateStoreConnectionFailed, () => session.DeleteBlockMap(volume.Id));
            Assert.Equal(ErrorKind.ConnectionError, error.Kind);
            Assert.Contains("Nothing of this change was applied", error.Message);
        }

        Assert.Equal(rows, site.SnapshotDatabase());
    }

    [Fact]
    public void PooledConnectionsTheServerDropped_AreRetried_SoTheNextSessionStillOpens()
    {
        for (var i = 0; i < 3; i++)
        {
            using var warm = store.Begin(write: i % 2 == 0);
            warm.Commit();
        }

        CutConnections();

        using var session = store.Begin(write: true);
        Assert.Equal("db01", session.FindVolume("db01")?.Name);
        session.Commit();
    }

    [Fact]
    public void AServerThatCannotBeReached_IsStateStoreConnectionFailed_AfterSeveralTries()
    {
        var watch = Stopwatch.StartNew();

        var error = EngineSite.Refused(ErrorIds.StateStoreConnectionFailed, () => StateStores.Open(StateAddress.PostgreSql("Host=127.0.0.1;Port=1;Database=nowhere;Password=secret")));

        Assert.Equal(ErrorKind.ConnectionError, error.Kind);
        Assert.DoesNotContain("secret", error.Message);
        Assert.True(watch.Elapsed > TimeSpan.FromSeconds(1), $"Gave up after {watch.Elapsed.TotalMilliseconds:N0} ms: no retries with backoff.");
    }

    private void CutConnections() =>
        TestPostgres.Execute($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{application}';");
}
