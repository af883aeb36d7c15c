using System.Collections;
using System.Linq;
using System.Management.Automation;
using Replication.Engine.Model;
using Replication.Engine.State;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Tests;

/// <summary>A session on a shared PostgreSQL store: choosing it, what a session shows of it, failures, and copies.</summary>
public sealed class StateStoreTests
{
    [Fact]
    public void A_session_on_PostgreSQL_works_shows_no_password_and_rebinds_from_its_own_output()
    {
        using var host = new CmdletHost();
        using var schema = new PostgresSchema();

        var set = host.Script("Set-ReplicationStateStore -ConnectionString ($args[0] + ';Password=not-shown') -PassThru", schema.ConnectionString);
        host.AddStory();
        host.NewVolume("db01");
        var rebound = host.Script("Set-ReplicationStateStore -Path $args[0]; Get-Volume; $args[1] | Set-ReplicationStateStore -PassThru; (Get-Volume).Name", host.StatePath, set.Objects.Single());

        set.AssertNoErrors();
        var info = Assert.IsType<StateStoreInfo>(set.Objects.Single());
        Assert.Equal((StateStoreKind.PostgreSql.ToString(), "Session", (bool?)null, (string?)null), (info.Kind, info.Source, info.Exists, info.Path));
        Assert.DoesNotContain("not-shown", info.Location);
        Assert.Contains(schema.Name, info.ConnectionString);
        rebound.AssertNoErrors();
        Assert.Equal(new object[] { "db01" }, rebound.Objects.OfType<string>());
        Assert.Equal(StateStoreKind.PostgreSql.ToString(), rebound.Objects.OfType<StateStoreInfo>().Single().Kind);
    }

    [Fact]
    public void An_unreachable_server_is_a_terminating_connection_error_and_the_session_keeps_its_store()
    {
        using var host = new CmdletHost();
        host.AddStory();

        var result = host.Command("Set-ReplicationStateStore", new Hashtable { ["ConnectionString"] = "Host=127.0.0.1;Port=1;Database=nowhere;Timeout=2" });

        Assert.NotNull(result.Terminating);
        Assert.Equal("StateStoreConnectionFailed,Replication.PowerShell.Commands.SetReplicationStateStoreCommand", result.Terminating!.ErrorRecord.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, result.Terminating.ErrorRecord.CategoryInfo.Category);
        Assert.Contains("Nothing of this change was applied", result.Terminating.Message);
        Assert.Equal(host.StatePath, ((StateStoreInfo)host.Script("Get-ReplicationStateStore").Objects.Single()).Path);
        Assert.Equal(2, host.Script("Get-StorageBackend").Output.Count);
    }

    [Fact]
    public void Copy_moves_a_state_file_into_PostgreSQL_and_refuses_a_second_copy_into_the_same_database()
    {
        using var host = new CmdletHost();
        using var schema = new PostgresSchema();
        host.AddStory();
        host.NewVolume("db01");
        const string replicas = "Get-VolumeReplica | ForEach-Object { '{0} {1} {2} {3} {4} {5}' -f $_.VolumeName, $_.PrimaryBackend, $_.Status, $_.SyncGeneration, $_.LastSyncTime.Ticks, $_.ExtendedStatus }";
        var before = host.Script(replicas).Objects.Single();

        var copy = host.Command("Copy-ReplicationStateStore", new Hashtable { ["DestinationConnectionString"] = schema.ConnectionString });
        var again = host.Command("Copy-ReplicationStateStore", new Hashtable { ["DestinationConnectionString"] = schema.ConnectionString });
        var there = host.Script("Set-ReplicationStateStore -ConnectionString $args[0]; " + replicas, schema.ConnectionString);

        copy.AssertNoErrors();
        var result = Assert.IsType<StateCopyResult>(copy.Objects.Single());
        Assert.Equal((2, 2, 1), (result.Backends, result.VolumeTypes, result.Volumes));
        Assert.Equal("StateStoreNotEmpty,Replication.PowerShell.Commands.CopyReplicationStateStoreCommand", again.Terminating?.ErrorRecord.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceExists, again.Terminating!.ErrorRecord.CategoryInfo.Category);
        there.AssertNoErrors();
        Assert.Equal(before, there.Objects.Single());
    }
}
