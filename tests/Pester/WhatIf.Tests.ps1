# -WhatIf on every cmdlet that changes state leaves the state file and the backend folders byte-for-byte as they were.

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Enable-DefaultStateGuard
}

AfterAll { Remove-DefaultStateGuard }

Describe '-WhatIf changes nothing' {
    BeforeAll {
        $site = New-ReplicationStory
        New-Volume -Name db01 -SizeBytes 16MB -VolumeType replicated | Out-Null
        New-Volume -Name db02 -SizeBytes 16MB -VolumeType replicated | Out-Null
        Write-VolumeBytes -Path (Get-VolumeConnection db01).Path -Offset 1MB -Bytes (Get-RandomBytes -Count 200KB)
        Sync-VolumeReplica db01 | Out-Null
        Disable-Replication db02 -Force
        New-Volume -Name db03 -SizeBytes 16MB -VolumeType replicated | Out-Null
        Invoke-ReplicaPromotion db03 -Force | Out-Null
        Write-VolumeBytes -Path (Get-VolumeConnection db01).Path -Offset 2MB -Bytes (Get-RandomBytes -Count 100KB -Seed 2)
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It '<Command>' -ForEach @(
        @{ Command = 'New-StorageBackend'; Run = { New-StorageBackend -Name dc3 -Path (Join-Path $site.Root 'dc3') -WhatIf } }
        @{ Command = 'Remove-StorageBackend'; Run = { New-StorageBackend -Name spare -Path (Join-Path $site.Root 'spare') | Out-Null; $script:before = Get-SiteFingerprint $site; Remove-StorageBackend spare -WhatIf } }
        @{ Command = 'New-VolumeType'; Run = { New-VolumeType -Name gold -ExtraSpec @{ 'capabilities:tier' = 'gold' } -WhatIf } }
        @{ Command = 'New-ReplicatedVolumeType'; Run = { New-ReplicatedVolumeType -Name gold -WhatIf } }
        @{ Command = 'Remove-VolumeType'; Run = { Remove-VolumeType plain -WhatIf } }
        @{ Command = 'New-Volume'; Run = { New-Volume -Name db09 -SizeBytes 16MB -VolumeType replicated -WhatIf } }
        @{ Command = 'New-Volume -SourceReplica'; Run = { New-Volume -Name db01-test -SourceReplica db01 -WhatIf } }
        @{ Command = 'Remove-Volume'; Run = { Remove-Volume db01 -WhatIf } }
        @{ Command = 'Remove-Volume -Force'; Run = { Remove-Volume db01 -Force -WhatIf } }
        @{ Command = 'Sync-VolumeReplica'; Run = { Sync-VolumeReplica db01 -WhatIf } }
        @{ Command = 'Invoke-ReplicaPromotion'; Run = { Invoke-ReplicaPromotion db01 -WhatIf } }
        @{ Command = 'Invoke-ReplicaPromotion -Planned -Force'; Run = { Invoke-ReplicaPromotion db01 -Planned -Force -WhatIf } }
        @{ Command = 'Enable-Replication (resume)'; Run = { Enable-Replication db02 -WhatIf } }
        @{ Command = 'Enable-Replication (reverse)'; Run = { Enable-Replication db03 -Force -WhatIf } }
        @{ Command = 'Disable-Replication'; Run = { Disable-Replication db01 -WhatIf } }
        @{ Command = 'Test-VolumeReplica'; Run = { Test-VolumeReplica -WhatIf } }
        @{ Command = 'Test-ReplicationPartnership'; Run = { Test-ReplicationPartnership dc1 -WhatIf } }
        @{ Command = 'Suspend-StorageBackend'; Run = { Suspend-StorageBackend dc1 -WhatIf } }
        @{ Command = 'Invoke-BackendFailover'; Run = { Invoke-BackendFailover dc1 -Force -WhatIf } }
        @{ Command = 'Repair-ReplicationState'; Run = { Remove-Item (Get-ReplicaFile db02); $script:before = Get-SiteFingerprint $site; Repair-ReplicationState -RemoveOrphanFiles -WhatIf } }
    ) {
        $script:before = Get-SiteFingerprint $site
        & $Run
        Get-SiteFingerprint $site | Should -Be $script:before
    }

    It 'Set-ReplicationStateStore -WhatIf keeps the session''s state file' {
        Set-ReplicationStateStore -Path (Join-Path $site.Root 'other.db') -WhatIf
        (Get-ReplicationStateStore).Path | Should -Be $site.State
        Test-Path (Join-Path $site.Root 'other.db') | Should -BeFalse
    }
}
