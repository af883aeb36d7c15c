# Move-Volume as an admin uses it (issue 17): a replicated volume moved to another pair serves the same bytes after an
# unplanned promotion, nothing of it is left on the old pair; a backend emptied by a pipeline is removed; the guards
# refuse a move of a promoted volume, naming the command that re-protects it; -WhatIf changes nothing.

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Enable-DefaultStateGuard
}

AfterAll {
    Remove-DefaultStateGuard
}

Describe 'Move-Volume' {
    BeforeEach {
        $site = New-ReplicationTestSite
        New-PairedBackends -Site $site
        New-StorageBackend -Name dc3 -Path (Join-Path $site.Root 'dc3') -ReplicationPartner dc4 | Out-Null
        New-StorageBackend -Name dc4 -Path (Join-Path $site.Root 'dc4') -ReplicationPartner dc3 | Out-Null
        New-ReplicatedVolumeType -Name replicated | Out-Null
        New-VolumeType -Name plain | Out-Null
        New-Volume -Name db01 -SizeBytes 16MB -VolumeType replicated | Out-Null
        $path = (Get-VolumeConnection db01).Path
        foreach ($offset in 0, 3MB, 9MB) { Write-VolumeBytes -Path $path -Offset $offset -Bytes (Get-RandomBytes -Count 192KB) }
        Sync-VolumeReplica db01 | Out-Null
        $hash = Get-FileSha256 $path
        $oldPrimary = Get-BackendVolumeFile -BackendName dc1 -VolumeName db01
        $oldReplica = Get-BackendVolumeFile -BackendName dc2 -VolumeName db01
    }
    AfterEach { Remove-ReplicationTestSite $site }

    It 'moves db01 to dc3 with its replica on dc4; an unplanned promotion then serves the same bytes, and nothing is left on dc1 or dc2' {
        $moved = Move-Volume db01 -Backend dc3 -PassThru

        $moved.Backend | Should -Be 'dc3'
        (Get-VolumeReplica db01).ReplicaBackend | Should -Be 'dc4'
        (Get-VolumeReplica db01).Status | Should -Be 'active'
        Get-FileSha256 (Get-VolumeConnection db01).Path | Should -Be $hash
        Test-Path $oldPrimary | Should -BeFalse
        Test-Path $oldReplica | Should -BeFalse
        (Get-ReplicationEvent -Name db01 -Newest 1).Operation | Should -Be 'MigrateVolume'

        Invoke-ReplicaPromotion db01 -Force | Out-Null

        (Get-VolumeConnection db01).Backend | Should -Be 'dc4'
        Get-FileSha256 (Get-VolumeConnection db01).Path | Should -Be $hash
    }

    It 'empties dc1 and dc2 through a pipeline, after which both are removed' {
        New-Volume -Name web01 -SizeBytes 4MB -VolumeType plain | Out-Null
        Remove-StorageBackend dc1 -ErrorAction SilentlyContinue -ErrorVariable refused
        "$($refused[0])" | Should -Match 'Move-Volume'

        $moved = Get-Volume -Backend dc1 | Move-Volume -Backend dc3 -PassThru

        $moved.Name | Sort-Object | Should -Be 'db01', 'web01'
        Get-Volume -Backend dc1 | Should -BeNullOrEmpty
        Remove-StorageBackend dc1, dc2
        Get-FileSha256 (Get-VolumeConnection db01).Path | Should -Be $hash
        (Get-Volume web01).ReplicationStatus | Should -Be 'disabled'
    }

    It 'refuses a promoted volume with MigrateNotAllowed naming Enable-Replication; -WhatIf changes nothing' {
        Invoke-ReplicaPromotion db01 -Force | Out-Null
        # The refused move takes and gives back the volume's lease, which writes the state file: the files and rows are compared.
        $before = @(Get-SiteFingerprint $site | Where-Object { $_ -notmatch '^/state\.db' }) + @(Get-Volume db01 | ConvertTo-Json -Compress)

        Move-Volume db01 -Backend dc3 -ErrorAction SilentlyContinue -ErrorVariable refused
        Get-Volume db01 | Move-Volume -Backend dc3 -WhatIf

        $refused[0].FullyQualifiedErrorId | Should -Be 'MigrateNotAllowed,Replication.PowerShell.Commands.MoveVolumeCommand'
        "$($refused[0])" | Should -Match 'Enable-Replication reverses replication'
        @(Get-SiteFingerprint $site | Where-Object { $_ -notmatch '^/state\.db' }) + @(Get-Volume db01 | ConvertTo-Json -Compress) | Should -Be $before
    }
}
