# What a runbook author relies on: groups in a generic pipeline, results from Enable-/Disable-Replication.

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Enable-DefaultStateGuard
}

AfterAll {
    Remove-DefaultStateGuard
}

Describe 'Replication groups in a generic pipeline' {
    BeforeEach {
        $site = New-ReplicationStory
        foreach ($name in 'db01', 'app01', 'app02') {
            New-Volume -Name $name -SizeBytes 8MB -VolumeType replicated | Out-Null
            Write-VolumeBytes -Path (Get-VolumeConnection $name).Path -Offset 0 -Bytes (Get-RandomBytes -Count 128KB -Seed $name.Length)
        }
        New-ReplicationGroup -Name app -VolumeName app01, app02 | Out-Null
    }
    AfterEach { Remove-ReplicationTestSite $site }

    It 'Get-Volume | Sync-VolumeReplica syncs every volume, the group in one round, with no error even under -ErrorAction Stop' {
        $results = @(Get-Volume | Sync-VolumeReplica -ErrorAction Stop -Verbose 4>&1)
        $rounds = @($results | Where-Object { $_ -is [Replication.Engine.Model.SyncResult] })
        @($rounds.VolumeName | Sort-Object) | Should -Be @('app01', 'app02', 'db01')
        (Get-ReplicationGroup app).LastRound | Should -Be 1
        (Get-ReplicationGroup app).Consistent | Should -BeTrue
        @($results | Where-Object { "$_" -match "'app02' was handled with its replication group 'app'" }).Count | Should -Be 1
    }

    It 'Get-VolumeReplica | Disable-Replication, then | Enable-Replication, move the group once and the single volume alone' {
        Get-Volume | Sync-VolumeReplica | Out-Null
        Get-VolumeReplica | Disable-Replication -Force -ErrorAction Stop
        @(Get-VolumeReplica -Status active-stopped).Count | Should -Be 3
        $enabled = @(Get-VolumeReplica | Enable-Replication -Force -PassThru -ErrorAction Stop)
        @($enabled.VolumeName | Sort-Object) | Should -Be @('app01', 'app02', 'db01')
        (Get-ReplicationGroup app).LastRound | Should -Be 2
    }
}

Describe 'Enable-Replication and Disable-Replication results' {
    BeforeAll {
        $site = New-ReplicationStory
        New-Volume -Name db01 -SizeBytes 8MB -VolumeType replicated | Out-Null
        $path = (Get-VolumeConnection db01).Path
        Write-VolumeBytes -Path $path -Offset 0 -Bytes (Get-RandomBytes -Count 256KB)
        Sync-VolumeReplica db01 | Out-Null
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'Disable-Replication asks before it pauses protection' {
        (Get-Command Disable-Replication).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact | Should -Be 'High'
        $pwsh = Get-PwshCommand
        $script = "Import-Module '$env:REPLICATION_MODULE_PATH'; Set-ReplicationStateStore -Path '$($site.State)'; Disable-Replication db01"
        $output = & $pwsh.File @($pwsh.Prefix) -NoProfile -NonInteractive -Command $script 2>&1 | Out-String
        $output | Should -Match 'NonInteractive'
        (Get-VolumeReplica db01).Status | Should -Be 'active'
    }

    It '-PassThru writes the paused replica, and Enable-Replication -PassThru the round that resumed it, with the bytes it copied' {
        $paused = Disable-Replication db01 -Force -PassThru
        $paused | Should -BeOfType ([Replication.Engine.Model.VolumeReplica])
        $paused.Status | Should -Be 'active-stopped'
        Write-VolumeBytes -Path $path -Offset 1MB -Bytes (Get-RandomBytes -Count 192KB -Seed 7)

        $round = Enable-Replication db01 -Force -PassThru

        $round | Should -BeOfType ([Replication.Engine.Model.SyncResult])
        $round.Status | Should -Be 'active'
        $round.BytesWritten | Should -Be 192KB
        Disable-Replication db01 -Force | Should -BeNullOrEmpty -Because 'without -PassThru the Enable- and Disable- cmdlets write nothing'
    }
}
