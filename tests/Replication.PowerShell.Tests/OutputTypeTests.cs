using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using Replication.Engine.Model;

namespace Replication.PowerShell.Tests;

/// <summary>What each cmdlet writes is what its [OutputType] says, one typed object per item, ready for the next cmdlet.</summary>
public sealed class OutputTypeTests
{
    /// <summary>
    /// Serves db01 from a second runspace of this host with Start-VolumeExport -Wait (a background service would need a
    /// pwsh, which this host is not), runs {0} once the export is up, stops it ($stopped: what Stop-VolumeExport -PassThru wrote; $started: what
    /// Start-VolumeExport wrote), then runs {1}. Waiting for the export ends with an error when the server ended without
    /// serving, or after a minute.
    /// </summary>
    private const string ForegroundExport =
        "$server = [powershell]::Create([runspace]::DefaultRunspace.InitialSessionState); " +
        "$running = $server.AddScript('Set-ReplicationStateStore -Path $args[0]; Start-VolumeExport -Name db01 -Port 0 -Wait').AddArgument((Get-ReplicationStateStore).Path).BeginInvoke(); " +
        "$deadline = [DateTime]::UtcNow.AddMinutes(1); " +
        "while (-not (Get-VolumeExport -Name db01 -ErrorAction Ignore)) {{ " +
        "if ($running.IsCompleted) {{ throw \"Start-VolumeExport -Wait ended without serving db01: $($server.Streams.Error)\" }}; " +
        "if ([DateTime]::UtcNow -gt $deadline) {{ throw 'Start-VolumeExport -Wait did not serve db01 within a minute.' }}; " +
        "Start-Sleep -Milliseconds 50 }}; " +
        "{0}; $stopped = Stop-VolumeExport -Name db01 -Force -PassThru; $started = $server.EndInvoke($running); $server.Dispose(); {1}";

    /// <summary>db01's type keeps recovery points, and two rounds that each change a block make two.</summary>
    private const string TwoPoints =
        "Set-VolumeType -Name replicated -ExtraSpec @{ 'replication:recovery_points' = '5' } | Out-Null; " +
        "foreach ($i in 1..2) { $d = [IO.File]::OpenWrite((Get-VolumeConnection -Name db01).Path); $d.Write([byte[]](@($i) * 64), 0, 64); $d.Dispose(); Sync-VolumeReplica -Name db01 | Out-Null }; ";

    /// <summary>Each cmdlet run once, and how many objects it must write.</summary>
    public static readonly TheoryData<string, string, int> Cases = new()
    {
        { "Start-VolumeExport", string.Format(System.Globalization.CultureInfo.InvariantCulture, ForegroundExport, "$null", "$started"), 1 },
        { "Get-VolumeExport", string.Format(System.Globalization.CultureInfo.InvariantCulture, ForegroundExport, "$listed = Get-VolumeExport", "$listed"), 1 },
        { "Stop-VolumeExport", string.Format(System.Globalization.CultureInfo.InvariantCulture, ForegroundExport, "$null", "$stopped"), 1 },
        { "New-StorageBackend", "New-StorageBackend -Name dc3 -Path $args[0]", 1 },
        { "Get-StorageBackend", "Get-StorageBackend", 2 },
        { "Remove-StorageBackend", "New-StorageBackend -Name dc3 -Path $args[0] | Out-Null; Remove-StorageBackend -Name dc3", 0 },
        { "Set-StorageBackend", "Set-StorageBackend -Name dc1 -Capability @{ tier = 'gold' } -PassThru", 1 },
        { "New-VolumeType", "New-VolumeType -Name gold -ExtraSpec @{ 'capabilities:thin_provisioning_support' = '<is> True' }", 1 },
        { "New-ReplicatedVolumeType", "New-ReplicatedVolumeType -Name replicated2", 1 },
        { "Get-VolumeType", "Get-VolumeType", 2 },
        { "Remove-VolumeType", "New-VolumeType -Name spare | Out-Null; Remove-VolumeType -Name spare", 0 },
        { "Set-VolumeType", "Set-VolumeType -Name replicated -ExtraSpec @{ 'replication:rpo_minutes' = '15' } -PassThru", 1 },
        { "New-Volume", "New-Volume -Name db02 -SizeBytes 64MB -VolumeType replicated", 1 },
        { "New-Volume", "New-Volume -Name db01-test -SourceReplica db01", 1 },
        { "New-Volume", "New-Volume -Name db01-copy -SourceVolume db01", 1 },
        { "Get-Volume", "Get-Volume", 2 },
        { "Remove-Volume", "Remove-Volume -Name web01 -Force", 0 },
        { "Resize-Volume", "Resize-Volume -Name db01 -SizeBytes 128MB -PassThru", 1 },
        { "Set-Volume", "Set-Volume -Name db01 -VolumeType plain -Force -PassThru", 1 },
        { "Move-Volume", "New-StorageBackend -Name dc3 -Path $args[0] | Out-Null; Get-Volume -Name web01 | Move-Volume -Backend dc3 -PassThru", 1 },
        { "Get-VolumeConnection", "Get-VolumeConnection -Name db01", 1 },
        { "Get-VolumeReplica", "Get-VolumeReplica", 2 },
        { "Sync-VolumeReplica", "Sync-VolumeReplica -Name db01", 1 },
        { "Invoke-ReplicaPromotion", "Invoke-ReplicaPromotion -Name db01 -Planned -Force", 1 },
        { "Enable-Replication", "Disable-Replication -Name db01 -Force; Enable-Replication -Name db01 -Force -PassThru", 1 },
        { "Disable-Replication", "Disable-Replication -Name db01 -Force -PassThru", 1 },
        { "Get-ReplicationEvent", "Get-ReplicationEvent -Newest 3", 3 },
        { "Get-ReplicationStateStore", "Get-ReplicationStateStore", 1 },
        { "Set-ReplicationStateStore", "Set-ReplicationStateStore -Path $args[1] -PassThru", 1 },
        { "Copy-ReplicationStateStore", "Copy-ReplicationStateStore -DestinationPath $args[1]", 1 },
        { "Sync-VolumeReplica", "Sync-VolumeReplica -Name db01 -SkipBusy", 1 },
        { "Repair-ReplicationState", "Remove-Item (Get-VolumeConnection -Name web01).Path; Repair-ReplicationState", 1 },
        { "Test-VolumeReplica", "Test-VolumeReplica -Name db01", 1 },
        { "Get-DRTestResult", "Test-VolumeReplica | Out-Null; Get-DRTestResult", 1 },
        { "Measure-VolumeReplica", "Measure-VolumeReplica", 1 },
        { "Test-ReplicationPartnership", "Test-ReplicationPartnership -Backend dc1", 16 },
        { "Suspend-StorageBackend", "Suspend-StorageBackend -Name dc2 -PassThru", 1 },
        { "Resume-StorageBackend", "Suspend-StorageBackend -Name dc2; Resume-StorageBackend -Name dc2 -PassThru", 1 },
        { "Invoke-BackendFailover", "Invoke-BackendFailover -Name dc1 -Planned -Force", 2 },
        { "Invoke-BackendFailback", "Invoke-BackendFailover -Name dc1 -Force | Out-Null; Invoke-BackendFailback -Name dc1 -Force", 1 },
        { "New-ReplicationGroup", "New-ReplicationGroup -Name app -VolumeName db01", 1 },
        { "New-ReplicationGroup", "Get-Volume -Name db01 | New-ReplicationGroup -Name app", 1 },
        { "Get-ReplicationGroup", "New-ReplicationGroup -Name app | Out-Null; Get-ReplicationGroup", 1 },
        { "Remove-ReplicationGroup", "New-ReplicationGroup -Name app | Out-Null; Remove-ReplicationGroup -Name app", 0 },
        { "Add-ReplicationGroupMember", "New-ReplicationGroup -Name app | Out-Null; Get-Volume -Name db01 | Add-ReplicationGroupMember -Group app -PassThru", 1 },
        { "Remove-ReplicationGroupMember", "New-ReplicationGroup -Name app -VolumeName db01 | Out-Null; Remove-ReplicationGroupMember -Group app -VolumeName db01 -PassThru", 1 },
        { "Sync-VolumeReplica", "New-ReplicationGroup -Name app -VolumeName db01 | Sync-VolumeReplica", 1 },
        { "Invoke-ReplicaPromotion", "New-ReplicationGroup -Name app -VolumeName db01 | Sync-VolumeReplica | Out-Null; Invoke-ReplicaPromotion -Group app -Force", 1 },
        { "Disable-Replication", "New-ReplicationGroup -Name app -VolumeName db01 | Sync-VolumeReplica | Out-Null; Get-ReplicationGroup app | Disable-Replication -Force -PassThru", 1 },
        { "Enable-Replication", "New-ReplicationGroup -Name app -VolumeName db01 | Sync-VolumeReplica | Out-Null; Disable-Replication -Group app -Force; Enable-Replication -Group app -Force -PassThru", 1 },
        { "Test-VolumeReplica", "New-ReplicationGroup -Name app -VolumeName db01 | Sync-VolumeReplica | Out-Null; Get-ReplicationGroup | Test-VolumeReplica", 1 },
        { "Register-StorageDriver", $"Register-StorageDriver -Path {SampleDriver.Expression}", 1 },
        { "Get-StorageDriver", $"Register-StorageDriver -Path {SampleDriver.Expression} | Out-Null; Get-StorageDriver", 3 },
        { "Unregister-StorageDriver", $"Register-StorageDriver -Path {SampleDriver.Expression} | Out-Null; Unregister-StorageDriver -Name ChunkFolder", 0 },
        { "Get-VolumeRecoveryPoint", TwoPoints + "Get-VolumeRecoveryPoint -Name db01", 2 },
        { "Get-VolumeRecoveryPoint", TwoPoints + "Get-Volume -Name db01 | Get-VolumeRecoveryPoint -Before (Get-Date).AddYears(1) -Latest", 1 },
        { "Invoke-ReplicaPromotion", TwoPoints + "Get-VolumeRecoveryPoint -Name db01 | Select-Object -Last 1 | Invoke-ReplicaPromotion -Force", 1 },
        { "Remove-VolumeRecoveryPoint", TwoPoints + "Get-VolumeRecoveryPoint -Name db01 | Where-Object { -not $_.Newest } | Remove-VolumeRecoveryPoint -Force", 0 },
        { "New-VolumeSnapshot", "Get-Volume | New-VolumeSnapshot", 2 },
        { "New-VolumeSnapshot", "New-VolumeSnapshot -Volume db01 -Name s1 -Description 'before the upgrade'", 1 },
        { "Get-VolumeSnapshot", "Get-Volume | New-VolumeSnapshot | Out-Null; Get-VolumeSnapshot", 2 },
        { "Get-VolumeSnapshot", "New-VolumeSnapshot -Volume db01 -Name s1 | Out-Null; Get-Volume -Name db01 | Get-VolumeSnapshot", 1 },
        { "Remove-VolumeSnapshot", "New-VolumeSnapshot -Volume db01 -Name s1 | Out-Null; Get-VolumeSnapshot -Name s* | Remove-VolumeSnapshot -Force", 0 },
        { "New-Volume", "New-VolumeSnapshot -Volume db01 -Name s1 | Out-Null; New-Volume -Name db01-restored -Snapshot s1", 1 },
        { "Test-StorageDriver", $"Register-StorageDriver -Path {SampleDriver.Expression} | Out-Null; Test-StorageDriver -Name ChunkFolder -Setting @{{ Folder = $args[0]; ChunkSize = 65536 }} | Where-Object Passed", SampleDriver.PromiseCount },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_objects_written_are_of_the_declared_OutputType(string cmdlet, string script, int count)
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");
        host.NewVolume("web01", "plain");
        var declared = ModuleConventionTests.TypeOf(cmdlet).GetCustomAttributes<OutputTypeAttribute>()
            .SelectMany(a => a.Type).Select(t => t.Type).Where(t => t is not null && t != typeof(void)).ToList();

        var result = host.Script(script, Path.Combine(host.Root, "dc3"), Path.Combine(host.Root, "other.db"));

        result.AssertNoErrors();
        Assert.Equal(count, result.Output.Count);
        if (count == 0)
        {
            Assert.Empty(declared);
        }

        foreach (var written in result.Objects)
        {
            Assert.True(declared.Any(t => t.IsInstanceOfType(written)),
                $"{cmdlet} wrote a {written.GetType().FullName}; its [OutputType] says {string.Join(", ", declared.Select(t => t.FullName))}");
            Assert.IsNotType<object[]>(written);
        }
    }

    [Fact]
    public void Every_cmdlet_has_an_OutputType_case()
    {
        var covered = Cases.Select(row => (string)row[0]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.All(CmdletHost.CmdletTypes.Select(CmdletHost.CmdletName), name => Assert.Contains(name, covered));
    }

    [Fact]
    public void Get_Volume_with_a_wildcard_pipes_into_Get_VolumeReplica_by_property_name()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");
        host.NewVolume("db02");
        host.NewVolume("web01", "plain");

        var result = host.Script("Get-Volume db* | Get-VolumeReplica");

        result.AssertNoErrors();
        Assert.Equal(new[] { "db01", "db02" }, result.Objects.Cast<VolumeReplica>().Select(r => r.VolumeName).OrderBy(n => n).ToArray());
    }

    [Fact]
    public void Get_Volume_by_type_pipes_into_Sync_VolumeReplica()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");
        host.NewVolume("db02");
        host.NewVolume("web01", "plain");
        CmdletHost.WriteBytes(host.ConnectionPath("db02"), 4096, CmdletHost.RandomBytes(4096, 9));

        var result = host.Script("Get-Volume -VolumeType replicated | Sync-VolumeReplica");

        result.AssertNoErrors();
        var synced = result.Objects.Cast<SyncResult>().OrderBy(r => r.VolumeName).ToList();
        Assert.Equal(new[] { "db01", "db02" }, synced.Select(r => r.VolumeName).ToArray());
        Assert.Equal(0, synced[0].BlocksWritten);
        Assert.Equal(1, synced[1].BlocksWritten);
    }

    [Fact]
    public void Get_VolumeReplica_pipes_into_promotion_and_the_result_pipes_into_Enable_Replication()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");

        var result = host.Script("Get-VolumeReplica db01 | Invoke-ReplicaPromotion -Planned -Force | Enable-Replication -Force -PassThru");

        result.AssertNoErrors();
        var round = Assert.IsType<SyncResult>(Assert.Single(result.Objects));
        Assert.Equal(ReplicationStatus.Active.ToCinder(), round.Status);
        Assert.Equal("dc2", round.PrimaryBackend);
        Assert.Equal("dc1", round.ReplicaBackend);
    }

    [Fact]
    public void Get_Volume_pipes_into_Get_VolumeConnection_Remove_Volume_and_Get_ReplicationEvent()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");

        var connection = Assert.IsType<VolumeConnection>(Assert.Single(host.Script("Get-Volume db01 | Get-VolumeConnection").Objects));
        Assert.True(File.Exists(connection.Path));
        var events = host.Script("Get-Volume db01 | Get-ReplicationEvent");
        events.AssertNoErrors();
        Assert.NotEmpty(events.Objects);
        Assert.All(events.Objects.Cast<ReplicationEvent>(), e => Assert.Equal("db01", e.ObjectName));

        host.Script("Get-Volume db01 | Remove-Volume -Force").AssertNoErrors();
        Assert.False(File.Exists(connection.Path));
        Assert.Empty(host.Script("Get-Volume").Output);
    }

    [Fact]
    public void Each_output_type_has_a_default_view()
    {
        using var host = new CmdletHost();
        var outputTypes = CmdletHost.CmdletTypes
            .SelectMany(t => t.GetCustomAttributes<OutputTypeAttribute>()).SelectMany(a => a.Type).Select(t => t.Type)
            .Where(t => t is not null && t != typeof(void)).Distinct().ToList();
        Assert.NotEmpty(outputTypes);

        foreach (var type in outputTypes)
        {
            var views = host.Script("Get-FormatData -TypeName $args[0]", type!.FullName);
            views.AssertNoErrors();
            Assert.True(views.Output.Count > 0, $"No format view for {type.FullName}");
        }
    }
}
