using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;

namespace Replication.PowerShell.Tests;

/// <summary>-WhatIf on every state-changing cmdlet: it reports, and changes neither state, nor files, nor the session.</summary>
public sealed class WhatIfTests
{
    /// <summary>Each state-changing cmdlet, in every form that could change something.</summary>
    public static readonly TheoryData<string, string> Cases = new()
    {
        { "New-StorageBackend", "New-StorageBackend -Name dc3 -Driver LocalFile -Path $args[0] -WhatIf" },
        { "New-StorageBackend", "New-StorageBackend -Name dc3 -Path $args[0] -ReplicationPartner spare -Capability @{ tier = 'gold' } -WhatIf" },
        { "Remove-StorageBackend", "Remove-StorageBackend -Name spare -WhatIf" },
        { "Set-StorageBackend", "Set-StorageBackend -Name dc1 -Capability @{ tier = 'gold' } -WhatIf" },
        { "Set-StorageBackend", "Set-StorageBackend -Name spare -ReplicationPartner '' -WhatIf" },
        { "New-VolumeType", "New-VolumeType -Name gold -ExtraSpec @{ 'capabilities:tier' = '<in> gold' } -WhatIf" },
        { "New-ReplicatedVolumeType", "New-ReplicatedVolumeType -Name replicated2 -ExtraSpec @{ volume_backend_name = 'dc2' } -WhatIf" },
        { "Remove-VolumeType", "Remove-VolumeType -Name unused -WhatIf" },
        { "Set-VolumeType", "Set-VolumeType -Name replicated -ExtraSpec @{ 'replication:rpo_minutes' = '5' } -Description gold -WhatIf" },
        { "New-Volume", "New-Volume -Name db09 -SizeBytes 64MB -VolumeType replicated -WhatIf" },
        { "New-Volume", "New-Volume -Name db01-test -SourceReplica db01 -WhatIf" },
        { "New-Volume", "New-Volume -Name db01-copy -SourceVolume db01 -WhatIf" },
        { "Remove-Volume", "Remove-Volume -Name db01 -WhatIf" },
        { "Remove-Volume", "Remove-Volume -Name db01 -Force -WhatIf" },
        { "Remove-Volume", "Get-Volume | Remove-Volume -Force -WhatIf" },
        { "Resize-Volume", "Resize-Volume -Name db01 -SizeBytes 128MB -WhatIf" },
        { "Set-Volume", "Set-Volume -Name db01 -VolumeType plain -Force -WhatIf" },
        { "Resize-Volume", "Get-Volume | Resize-Volume -SizeBytes 1GB -WhatIf" },
        { "Set-Volume", "Set-Volume -Name db01 -VolumeType unused -Migrate -Force -WhatIf" },
        { "Move-Volume", "Move-Volume -Name db01 -Backend spare -WhatIf" },
        { "Move-Volume", "Get-Volume | Move-Volume -Backend spare -WhatIf" },
        { "Sync-VolumeReplica", "Sync-VolumeReplica -Name db01 -WhatIf" },
        { "Sync-VolumeReplica", "Sync-VolumeReplica -Name db01 -Full -WhatIf" },
        { "Invoke-ReplicaPromotion", "Invoke-ReplicaPromotion -Name db01 -WhatIf" },
        { "Invoke-ReplicaPromotion", "Invoke-ReplicaPromotion -Name db01 -Planned -Force -WhatIf" },
        { "Enable-Replication", "Enable-Replication -Name paused01 -WhatIf" },
        { "Enable-Replication", "Enable-Replication -Name promoted01 -Force -WhatIf" },
        { "Disable-Replication", "Disable-Replication -Name db01 -WhatIf" },
        { "Set-ReplicationStateStore", "Set-ReplicationStateStore -Path $args[1] -WhatIf" },
        { "Set-ReplicationStateStore", "Set-ReplicationStateStore -Default -WhatIf" },
        // Port 1 on the loopback: were the server contacted, the command would fail.
        { "Set-ReplicationStateStore", "Set-ReplicationStateStore -ConnectionString 'Host=127.0.0.1;Port=1;Database=nowhere' -WhatIf" },
        { "Copy-ReplicationStateStore", "Copy-ReplicationStateStore -DestinationPath $args[1] -WhatIf" },
        { "Copy-ReplicationStateStore", "Copy-ReplicationStateStore -DestinationConnectionString 'Host=127.0.0.1;Port=1;Database=nowhere' -WhatIf" },
        { "Sync-VolumeReplica", "Sync-VolumeReplica -Name db01 -SkipBusy -WhatIf" },
        { "Repair-ReplicationState", "Repair-ReplicationState -RemoveOrphanFiles -WhatIf" },
        { "Test-VolumeReplica", "Test-VolumeReplica -Name db01 -WhatIf" },
        // The one change Get-DRTestResult makes is its report; a volume without tests keeps the output empty.
        { "Get-DRTestResult", "Get-DRTestResult -Name nosuch -ReportPath $args[1] -WhatIf" },
        { "Test-ReplicationPartnership", "Test-ReplicationPartnership -Backend dc1 -WhatIf" },
        { "Suspend-StorageBackend", "Suspend-StorageBackend -Name dc1 -WhatIf" },
        { "Resume-StorageBackend", "Resume-StorageBackend -Name dc1 -WhatIf" },
        { "Invoke-BackendFailover", "Invoke-BackendFailover -Name dc1 -Planned -Force -WhatIf" },
        { "Invoke-BackendFailback", "Invoke-BackendFailback -Name dc1 -Force -WhatIf" },
        { "New-ReplicationGroup", "New-ReplicationGroup -Name other -VolumeName loose01 -WhatIf" },
        { "Remove-ReplicationGroup", "Remove-ReplicationGroup -Name app -WhatIf" },
        { "Add-ReplicationGroupMember", "Add-ReplicationGroupMember -Group app -VolumeName loose01 -WhatIf" },
        { "Remove-ReplicationGroupMember", "Remove-ReplicationGroupMember -Group app -VolumeName app01 -WhatIf" },
        { "Remove-VolumeRecoveryPoint", "Remove-VolumeRecoveryPoint -Name db01 -Round 1 -WhatIf" },
        { "New-VolumeSnapshot", "New-VolumeSnapshot -Volume db01 -Name db01-s2 -WhatIf" },
        { "New-VolumeSnapshot", "Get-Volume | New-VolumeSnapshot -WhatIf" },
        { "Remove-VolumeSnapshot", "Remove-VolumeSnapshot -Name db01-s1 -Force -WhatIf" },
        { "New-Volume", "New-Volume -Name db01-restored -Snapshot db01-s1 -WhatIf" },
        { "Sync-VolumeReplica", "Sync-VolumeReplica -Group app -WhatIf" },
        { "Invoke-ReplicaPromotion", "Invoke-ReplicaPromotion -Group app -Planned -Force -WhatIf" },
        { "Disable-Replication", "Disable-Replication -Group app -WhatIf" },
        { "Enable-Replication", "Enable-Replication -Group paused -Force -WhatIf" },
        { "Test-VolumeReplica", "Test-VolumeReplica -Group app -WhatIf" },
        { "Start-VolumeExport", "Start-VolumeExport -Name db01 -Port 0 -WhatIf" },
        { "Stop-VolumeExport", "Stop-VolumeExport -Name db01 -WhatIf" },
        { "Register-StorageDriver", $"Register-StorageDriver -Path {SampleDriver.Expression} -WhatIf" },
        { "Unregister-StorageDriver", "Unregister-StorageDriver -Name ChunkFolder -WhatIf" },
        // The kit would make the settings' folder (dc3, which the test checks is never made).
        { "Test-StorageDriver", "Test-StorageDriver -Name ChunkFolder -Setting @{ Folder = $args[0] } -WhatIf" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void WhatIf_changes_nothing(string cmdlet, string script)
    {
        Assert.StartsWith(cmdlet, script.Replace("Get-Volume | ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        using var host = new CmdletHost();
        Prepare(host);
        var otherState = Path.Combine(host.Root, "other", "state.db");
        var before = host.Snapshot();

        var result = host.Script(script, Path.Combine(host.Root, "dc3"), otherState);

        result.AssertNoErrors();
        Assert.Empty(result.Output);
        Assert.Equal(before, host.Snapshot());
        Assert.False(Directory.Exists(Path.Combine(host.Root, "dc3")), "-WhatIf created the backend folder");
        Assert.False(File.Exists(otherState), "-WhatIf created a state file");
    }

    [Fact]
    public void Every_cmdlet_that_supports_ShouldProcess_has_a_WhatIf_case()
    {
        var covered = Cases.Select(row => (string)row[0]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var shouldProcess = CmdletHost.CmdletTypes
            .Where(t => t.GetCustomAttribute<CmdletAttribute>()!.SupportsShouldProcess)
            .Select(CmdletHost.CmdletName)
            .ToList();

        Assert.NotEmpty(shouldProcess);
        Assert.All(shouldProcess, name => Assert.Contains(name, covered));
    }

    [Fact]
    public void WhatIfPreference_in_the_session_is_honoured_even_with_Force()
    {
        using var host = new CmdletHost();
        Prepare(host);
        var before = host.Snapshot();

        var result = host.Script("$WhatIfPreference = $true; Remove-Volume -Name db01 -Force; Invoke-ReplicaPromotion -Name db01 -Force; Enable-Replication -Name paused01 -Force");

        result.AssertNoErrors();
        Assert.Empty(result.Output);
        Assert.Equal(before, host.Snapshot());
    }

    /// <summary>
    /// A volume with writes the replica has not seen (db01), a paused one, a promoted one, a group with unsynced writes
    /// (app), a paused group, a volume in no group, an unused backend and an unused type: every -WhatIf above would
    /// change something real if it ran.
    /// </summary>
    private static void Prepare(CmdletHost host)
    {
        host.AddStory();
        host.Script(@"
            New-StorageBackend -Name spare -Path $args[0] | Out-Null
            New-VolumeType -Name unused | Out-Null
            foreach ($name in 'db01', 'paused01', 'promoted01', 'app01', 'app02', 'batch01', 'loose01') { New-Volume -Name $name -SizeBytes 64MB -VolumeType replicated | Out-Null }
            Disable-Replication -Name paused01 -Force
            Invoke-ReplicaPromotion -Name promoted01 -Force | Out-Null
            New-ReplicationGroup -Name app -VolumeName app01, app02 | Sync-VolumeReplica | Out-Null
            New-ReplicationGroup -Name paused -VolumeName batch01 | Sync-VolumeReplica | Out-Null
            Disable-Replication -Group paused -Force
            New-VolumeSnapshot -Volume db01 -Name db01-s1 | Out-Null", Path.Combine(host.Root, "spare")).AssertNoErrors();
        CmdletHost.WriteBytes(host.ConnectionPath("db01"), 1 << 20, CmdletHost.RandomBytes(8192, 5));
        CmdletHost.WriteBytes(host.ConnectionPath("app01"), 0, CmdletHost.RandomBytes(8192, 7));
        CmdletHost.WriteBytes(host.ConnectionPath("paused01"), 0, CmdletHost.RandomBytes(4096, 6));
    }
}
