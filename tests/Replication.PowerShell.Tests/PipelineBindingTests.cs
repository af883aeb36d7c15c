using System.Linq;
using Replication.Engine.Model;

namespace Replication.PowerShell.Tests;

/// <summary>Objects from the module and from elsewhere (a CSV, a hashtable) bind to the next cmdlet by property name.</summary>
public sealed class PipelineBindingTests
{
    [Fact]
    public void Rows_from_a_CSV_create_volumes_by_property_name()
    {
        using var host = new CmdletHost();
        host.AddStory();

        var result = host.Script(@"
            'Name,SizeBytes,VolumeType', 'db01,67108864,replicated', 'web01,67108864,plain' | ConvertFrom-Csv | New-Volume");

        result.AssertNoErrors();
        var volumes = result.Objects.Cast<Volume>().ToList();
        Assert.Equal(new[] { "db01", "web01" }, volumes.Select(v => v.Name).ToArray());
        Assert.All(volumes, v => Assert.Equal(64L << 20, v.SizeBytes));
        Assert.Equal(ReplicationStatus.Active.ToCinder(), volumes[0].ReplicationStatus);
        Assert.Equal(ReplicationStatus.Disabled.ToCinder(), volumes[1].ReplicationStatus);
    }

    [Fact]
    public void Objects_with_Name_and_ExtraSpec_create_volume_types()
    {
        using var host = new CmdletHost();
        host.AddStory();

        var result = host.Script(@"
            [pscustomobject]@{ Name = 'gold'; ExtraSpec = @{ 'capabilities:thin_provisioning_support' = '<is> True' }; Description = 'Gold tier' } | New-ReplicatedVolumeType");

        result.AssertNoErrors();
        var type = Assert.IsType<VolumeType>(Assert.Single(result.Objects));
        Assert.Equal("gold", type.Name);
        Assert.Equal("Gold tier", type.Description);
        Assert.Equal("<is> True", type.ExtraSpecs["capabilities:replication"]);
        Assert.Equal("<is> True", type.ExtraSpecs["capabilities:thin_provisioning_support"]);
    }

    [Fact]
    public void Get_VolumeType_pipes_into_Remove_VolumeType()
    {
        using var host = new CmdletHost();
        host.AddStory();

        host.Script("Get-VolumeType plain | Remove-VolumeType").AssertNoErrors();

        Assert.Equal(new object[] { "replicated" }, host.Script("(Get-VolumeType).Name").Objects);
    }

    [Fact]
    public void Get_StorageBackend_pipes_into_Remove_StorageBackend()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.Script("New-StorageBackend -Name spare -Path $args[0] | Out-Null", System.IO.Path.Combine(host.Root, "spare")).AssertNoErrors();

        host.Script("Get-StorageBackend spare | Remove-StorageBackend").AssertNoErrors();

        Assert.Equal(new object[] { "dc1", "dc2" }, host.Script("(Get-StorageBackend).Name | Sort-Object").Objects);
    }

    [Fact]
    public void Get_VolumeReplica_filtered_by_status_pipes_into_Enable_Replication()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");
        host.NewVolume("db02");
        host.NewVolume("db03");
        host.Script("Disable-Replication db01, db03 -Force").AssertNoErrors();

        var result = host.Script("Get-VolumeReplica -Status active-stopped | Enable-Replication -Force -PassThru");

        result.AssertNoErrors();
        Assert.Equal(new[] { "db01", "db03" }, result.Objects.Cast<SyncResult>().Select(r => r.VolumeName).ToArray());
        Assert.All(result.Objects.Cast<SyncResult>(), r => Assert.Equal(ReplicationStatus.Active.ToCinder(), r.Status));
    }

    [Fact]
    public void A_test_volume_is_cloned_from_each_volume_piped_in_by_SourceReplica()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");
        CmdletHost.WriteBytes(host.ConnectionPath("db01"), 0, CmdletHost.RandomBytes(4096, 3));
        host.Script("Sync-VolumeReplica db01 | Out-Null").AssertNoErrors();

        var result = host.Script("[pscustomobject]@{ Name = 'db01-test'; SourceReplica = 'db01' } | New-Volume");

        result.AssertNoErrors();
        var clone = Assert.IsType<Volume>(Assert.Single(result.Objects));
        Assert.Equal("db01", clone.SourceReplica);
        Assert.Equal(CmdletHost.Hash(host.ConnectionPath("db01")), CmdletHost.Hash(host.ConnectionPath("db01-test")));
        Assert.Equal(ReplicationStatus.Active.ToCinder(), ((VolumeReplica)host.Script("Get-VolumeReplica db01").Objects.Single()).Status);
    }

    [Fact]
    public void Volumes_piped_into_New_ReplicationGroup_become_its_members_in_one_group()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("app01");
        host.NewVolume("app02");
        host.NewVolume("other");

        var result = host.Script("Get-Volume app* | New-ReplicationGroup -Name app");

        result.AssertNoErrors();
        var group = Assert.IsType<ReplicationGroup>(Assert.Single(result.Objects));
        Assert.Equal(new[] { "app01", "app02" }, group.Members.ToArray());
        Assert.Equal(new object[] { "app01=app", "app02=app", "other=" }, host.Script("Get-Volume | Sort-Object Name | ForEach-Object { \"$($_.Name)=$($_.GroupName)\" }").Objects.ToArray());
    }

    [Fact]
    public void A_group_piped_from_Get_ReplicationGroup_acts_on_the_group()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("app01");
        host.NewVolume("app02");
        host.Script("New-ReplicationGroup -Name app -VolumeName app01, app02 | Out-Null").AssertNoErrors();

        var synced = host.Script("Get-ReplicationGroup app | Sync-VolumeReplica");
        var paused = host.Script("Get-ReplicationGroup app | Disable-Replication -Force -PassThru");
        var tested = host.Script("Get-ReplicationGroup app | Test-VolumeReplica");

        synced.AssertNoErrors();
        Assert.Equal(new[] { "app01", "app02" }, synced.Objects.Cast<SyncResult>().Select(r => r.VolumeName).ToArray());
        paused.AssertNoErrors();
        Assert.All(paused.Objects.Cast<VolumeReplica>(), r => Assert.Equal(ReplicationStatus.ActiveStopped.ToCinder(), r.Status));
        tested.AssertNoErrors();
        Assert.All(tested.Objects.Cast<DrTestResult>(), r => Assert.Equal(DrTestOutcome.Passed.ToString(), r.Outcome));
    }

    [Fact]
    public void Members_piped_as_replica_rows_sync_their_group_once()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("app01");
        host.NewVolume("app02");
        host.Script("New-ReplicationGroup -Name app -VolumeName app01, app02 | Out-Null").AssertNoErrors();

        var result = host.Script("Get-VolumeReplica app0* | Sync-VolumeReplica");

        result.AssertNoErrors();
        Assert.Equal(new[] { "app01", "app02" }, result.Objects.Cast<SyncResult>().Select(r => r.VolumeName).OrderBy(n => n).ToArray());
        var group = Assert.IsType<ReplicationGroup>(Assert.Single(host.Script("Get-ReplicationGroup app").Objects));
        Assert.Equal(1, group.LastRound);
    }

    [Fact]
    public void Rows_with_a_Group_column_act_on_that_group()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("app01");
        host.Script("New-ReplicationGroup -Name app -VolumeName app01 | Out-Null").AssertNoErrors();

        var result = host.Script("'Group', 'app' | ConvertFrom-Csv | Sync-VolumeReplica");

        result.AssertNoErrors();
        Assert.Equal("app01", Assert.IsType<SyncResult>(Assert.Single(result.Objects)).VolumeName);
    }
}
