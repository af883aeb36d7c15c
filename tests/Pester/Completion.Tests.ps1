# Tab completion as a user gets it at the prompt: TabExpansion2 on a partly typed command line.

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Enable-DefaultStateGuard
    $site = New-ReplicationStory
    New-Volume -Name db01 -SizeBytes 16MB -VolumeType replicated | Out-Null
    New-Volume -Name db02 -SizeBytes 16MB -VolumeType replicated | Out-Null
    New-Volume -Name web01 -SizeBytes 16MB -VolumeType plain | Out-Null

    function Complete([string] $Line) {
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText)
    }
}

AfterAll {
    Remove-ReplicationTestSite $site
    Remove-DefaultStateGuard
}

Describe 'Tab completion' {
    It 'completes volume names for <Line>' -ForEach @(
        @{ Line = 'Get-Volume -Name d' }
        @{ Line = 'Sync-VolumeReplica d' }
        @{ Line = 'Invoke-ReplicaPromotion -Name d' }
        @{ Line = 'New-Volume -Name t -SourceReplica d' }
    ) {
        Complete $Line | Should -Be @('db01', 'db02')
    }

    It 'completes every volume name from an empty word' {
        Complete 'Remove-Volume ' | Should -Be @('db01', 'db02', 'web01')
    }

    It 'completes backend names' {
        Complete 'Get-StorageBackend d' | Should -Be @('dc1', 'dc2')
        Complete 'New-StorageBackend -Name dc3 -Path /tmp/x -ReplicationPartner dc' | Should -Be @('dc1', 'dc2')
    }

    It 'completes volume type names' {
        Complete 'New-Volume -Name x -SizeBytes 1GB -VolumeType r' | Should -Be @('replicated')
        Complete 'Get-VolumeType p' | Should -Be @('plain')
    }

    It 'completes driver names' {
        Complete 'New-StorageBackend -Name x -Path /tmp/x -Driver L' | Should -Be @('LocalFile')
    }

    It 'completes replication statuses in Cinder''s spelling, and -Status takes them' {
        Complete 'Get-VolumeReplica -Status active' | Should -Be @('active', 'active-stopped')
        Disable-Replication db02 -Force
        (Get-VolumeReplica -Status active-stopped).VolumeName | Should -Be 'db02'
        (Get-VolumeReplica -Status Active-Stopped).VolumeName | Should -Be 'db02'
        (Get-VolumeReplica -Status ActiveStopped).VolumeName | Should -Be 'db02'
        { Get-VolumeReplica -Status paused -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidReplicationStatus,*'
    }

    It 'completes nothing, without an error, when the state file cannot be read' {
        $broken = Join-Path $site.Root 'not-a-database.db'
        Set-Content -Path $broken -Value 'this is not SQLite'
        Set-ReplicationStateStore -Path $site.State
        $env:REPLICATION_POWERSHELL_STATE, $saved = $broken, $env:REPLICATION_POWERSHELL_STATE
        try {
            Set-ReplicationStateStore -Default
            Complete 'Get-Volume -Name d' | Should -BeNullOrEmpty
        }
        finally {
            $env:REPLICATION_POWERSHELL_STATE = $saved
            Set-ReplicationStateStore -Path $site.State
        }
    }
}
