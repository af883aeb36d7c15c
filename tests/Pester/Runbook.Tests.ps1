# What a runbook author relies on: groups in a generic pipeline, results from Enable-/Disable-Replication, the figures
# Measure-VolumeReplica gives (as Measure-VMReplication does), pending bytes, event filters and the driver's data.

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

Describe 'Figures a runbook reads' {
    BeforeAll {
        $site = New-ReplicationStory
        New-Volume -Name db01 -SizeBytes 8MB -VolumeType replicated | Out-Null
        New-Volume -Name db02 -SizeBytes 8MB -VolumeType replicated | Out-Null
        $path = (Get-VolumeConnection db01).Path
        $start = [DateTime]::UtcNow
        Write-VolumeBytes -Path $path -Offset 0 -Bytes (Get-RandomBytes -Count 256KB)
        Sync-VolumeReplica db01 | Out-Null
        Write-VolumeBytes -Path $path -Offset 2MB -Bytes (Get-RandomBytes -Count 64KB -Seed 2)
        Sync-VolumeReplica db01 | Out-Null
        $beforeFailure = [DateTime]::UtcNow
        Remove-Item (Get-ReplicaFile db01)   # the replica's copy is lost: the next round fails and leaves it in error
        Write-VolumeBytes -Path $path -Offset 3MB -Bytes (Get-RandomBytes -Count 64KB -Seed 3)
        Sync-VolumeReplica db01 -ErrorAction SilentlyContinue | Out-Null
        Enable-Replication db01 -Force | Out-Null   # recopies everything: 256 KiB + 64 KiB + 64 KiB
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'Measure-VolumeReplica gives successful and failed rounds, their average and largest size and their time' {
        $summary = Get-Volume db01 | Measure-VolumeReplica -Since $start
        $summary.SuccessfulRounds | Should -Be 3 -Because 'two syncs and the re-enable''s round'
        $summary.FailedRounds | Should -Be 1
        $summary.LargestRoundBytes | Should -Be 384KB
        $summary.AverageRoundBytes | Should -Be ([long][math]::Floor((256KB + 64KB + 384KB) / 3))
        $summary.AverageRoundSeconds | Should -BeGreaterOrEqual 0
        $summary.LongestRoundSeconds | Should -BeGreaterOrEqual $summary.AverageRoundSeconds
        (Measure-VolumeReplica -Since ([DateTime]::UtcNow.AddMinutes(1))).SuccessfulRounds | Should -Be 0
        (Measure-VolumeReplica | Format-List | Out-String -Width 100) | Should -Match 'Rounds\s*:\s*3 succeeded, 1 failed'
    }

    It 'Get-ReplicationEvent filters by operation, status, actor and end time' {
        $failed = @(Get-ReplicationEvent -Operation SyncReplicaFailed)
        $failed.Count | Should -Be 1
        $failed[0].ObjectName | Should -Be 'db01'
        $failed[0].RoundBytesWritten | Should -BeNullOrEmpty
        $failed[0].RoundSeconds | Should -BeGreaterOrEqual 0
        @(Get-ReplicationEvent -Status error).Id | Should -Be @($failed[0].Id)
        $early = @(Get-ReplicationEvent -Operation 'Sync*' -Until $beforeFailure)
        $early.Count | Should -BeGreaterOrEqual 2
        $early | ForEach-Object { $_.Operation | Should -Be 'SyncReplica'; $_.Time | Should -BeLessThan ([DateTimeOffset]$beforeFailure) }
        @(Get-ReplicationEvent -Actor "*($PID)").Count | Should -Be @(Get-ReplicationEvent).Count
        @(Get-ReplicationEvent -Actor 'nobody@*').Count | Should -Be 0
        @(Get-ReplicationEvent db0* -Operation CreateVolume -Newest 1).ObjectName | Should -Be @('db02')
    }

    It 'shows the driver''s replication data and, for an exported volume, the bytes still to copy' {
        (Get-VolumeReplica db01).ReplicationDriverData | Should -Not -BeNullOrEmpty
        (Get-VolumeReplica db01 | Format-List | Out-String -Width 100) | Should -Match 'ReplicationDriverData'
        (Get-VolumeReplica db01).PendingBytes | Should -BeNullOrEmpty -Because 'nothing counts the writes of a volume that is not exported'

        $export = Start-VolumeExport -Name db01 -Port 0 -Confirm:$false
        try {
            (Invoke-QemuIo -Url $export.Url -Command 'write -P 0x51 1M 64k', 'write -P 0x52 5M 128k').ExitCode | Should -Be 0
            (Get-VolumeReplica db01).PendingBytes | Should -Be 192KB
            (Get-VolumeReplica | Where-Object VolumeName -eq db01).PendingBytes | Should -Be 192KB
            (Measure-VolumeReplica).PendingBytes | Should -Be 192KB
            Sync-VolumeReplica db01 | Out-Null
            (Get-VolumeReplica db01).PendingBytes | Should -Be 0
        }
        finally { Stop-VolumeExport -Name db01 -Force }
    }
}
