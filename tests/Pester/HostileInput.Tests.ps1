# Hostile input at the prompt: each gets a clear error with a stable ErrorId, and the state file and backend folders
# stay byte-for-byte as they were.

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Enable-DefaultStateGuard
    $site = New-ReplicationStory
    New-Volume -Name db01 -SizeBytes 16MB -VolumeType replicated | Out-Null
    Write-VolumeBytes -Path (Get-VolumeConnection db01).Path -Offset 0 -Bytes (Get-RandomBytes -Count 1MB)
    Sync-VolumeReplica db01 | Out-Null
    $elsewhere = Join-Path $site.Root 'elsewhere'
}

AfterAll {
    Remove-ReplicationTestSite $site
    Remove-DefaultStateGuard
}

Describe 'Hostile input changes nothing' {
    It '<Case> -> <ErrorId>' -ForEach @(
        @{ Case = 'backend name with a path separator'; ErrorId = 'InvalidName'; Run = { New-StorageBackend -Name '../evil' -Path $elsewhere } }
        @{ Case = 'backend name ".."'; ErrorId = 'InvalidName'; Run = { New-StorageBackend -Name '..' -Path $elsewhere } }
        @{ Case = 'backend name with a control character'; ErrorId = 'InvalidName'; Run = { New-StorageBackend -Name "dc`t3" -Path $elsewhere } }
        @{ Case = 'backend name of 65 characters'; ErrorId = 'InvalidName'; Run = { New-StorageBackend -Name ('d' * 65) -Path $elsewhere } }
        @{ Case = 'backend name with a wildcard'; ErrorId = 'InvalidName'; Run = { New-StorageBackend -Name 'dc*' -Path $elsewhere } }
        @{ Case = 'unknown driver'; ErrorId = 'UnknownDriver'; Run = { New-StorageBackend -Name dc3 -Driver 'NoSuchDriver' -Path $elsewhere } }
        @{ Case = 'a declared capability that fakes replication'; ErrorId = 'InvalidCapability'; Run = { New-StorageBackend -Name dc3 -Path $elsewhere -Capability @{ replication = $true } } }
        @{ Case = 'a declared capability that fakes free space'; ErrorId = 'InvalidCapability'; Run = { New-StorageBackend -Name dc3 -Path $elsewhere -Capability @{ free_capacity_gb = 1e9 } } }
        @{ Case = 'a capability name with SQL in it'; ErrorId = 'InvalidCapability'; Run = { New-StorageBackend -Name dc3 -Path $elsewhere -Capability @{ "tier'); DROP TABLE volumes;--" = 'x' } } }
        @{ Case = 'a backend that is its own partner'; ErrorId = 'InvalidReplicationPartner'; Run = { New-StorageBackend -Name dc3 -Path $elsewhere -ReplicationPartner dc3 } }
        @{ Case = 'a backend in another backend''s folder'; ErrorId = 'BackendPathUnusable'; Run = { New-StorageBackend -Name dc3 -Path $site.Dc1 } }
        @{ Case = 'an extra spec that can never parse'; ErrorId = 'InvalidExtraSpec'; Run = { New-VolumeType -Name t1 -ExtraSpec @{ 'capabilities:tier' = '<is> banana' } } }
        @{ Case = 'an extra spec key with SQL in it'; ErrorId = 'InvalidExtraSpec'; Run = { New-VolumeType -Name t1 -ExtraSpec @{ "x'); DROP TABLE volumes;--" = 'y' } } }
        @{ Case = 'a numeric spec without a number'; ErrorId = 'InvalidExtraSpec'; Run = { New-VolumeType -Name t1 -ExtraSpec @{ 'capabilities:free_capacity_gb' = '>= lots' } } }
        @{ Case = 'a replicated type that contradicts itself'; ErrorId = 'InvalidExtraSpec'; Run = { New-ReplicatedVolumeType -Name t1 -ExtraSpec @{ 'capabilities:replication' = '<is> False' } } }
        @{ Case = 'a description with a control character'; ErrorId = 'InvalidDescription'; Run = { New-VolumeType -Name t1 -Description "a`0b" } }
        @{ Case = 'a negative size'; ErrorId = 'InvalidSize'; Run = { New-Volume -Name db09 -SizeBytes -1 -VolumeType replicated } }
        @{ Case = 'a zero size'; ErrorId = 'InvalidSize'; Run = { New-Volume -Name db09 -SizeBytes 0 -VolumeType replicated } }
        @{ Case = 'a size that is not whole sectors'; ErrorId = 'InvalidSize'; Run = { New-Volume -Name db09 -SizeBytes 1000 -VolumeType replicated } }
        @{ Case = 'an absurd size'; ErrorId = 'InvalidSize'; Run = { New-Volume -Name db09 -SizeBytes ([long]::MaxValue - 511) -VolumeType replicated } }
        @{ Case = 'a volume name with a path'; ErrorId = 'InvalidName'; Run = { New-Volume -Name '../../etc/passwd' -SizeBytes 1MB -VolumeType replicated } }
        @{ Case = 'a volume name with a format string'; ErrorId = 'InvalidName'; Run = { New-Volume -Name '{0}{1}' -SizeBytes 1MB -VolumeType replicated } }
        @{ Case = 'an unknown volume type'; ErrorId = 'VolumeTypeNotFound'; Run = { New-Volume -Name db09 -SizeBytes 1MB -VolumeType 'nosuch' } }
        @{ Case = 'a clone from an unknown volume'; ErrorId = 'VolumeNotFound'; Run = { New-Volume -Name db09 -SourceReplica 'nosuch' } }
        @{ Case = 'a duplicate volume name'; ErrorId = 'VolumeExists'; Run = { New-Volume -Name DB01 -SizeBytes 1MB -VolumeType replicated } }
        @{ Case = 'a wildcard where a literal is needed'; ErrorId = 'WildcardNotSupported'; Run = { Remove-Volume -Name 'db*' -Force } }
        @{ Case = 'a wildcard to promote'; ErrorId = 'WildcardNotSupported'; Run = { Invoke-ReplicaPromotion -Name '*' -Force } }
        @{ Case = 'an unknown replication status'; ErrorId = 'InvalidReplicationStatus'; Run = { Get-VolumeReplica -Status 'paused' } }
        @{ Case = 'an id that is not a GUID'; ErrorId = 'CannotConvertArgumentNoMessage'; Run = { Sync-VolumeReplica -Id 'not-a-guid' } }
        @{ Case = 'an unknown volume id'; ErrorId = 'VolumeNotFound'; Run = { Remove-Volume -Id ([guid]::NewGuid()) -Force } }
        @{ Case = 'a filter by an unknown backend'; ErrorId = 'BackendNotFound'; Run = { Get-Volume -Backend "dc1' OR '1'='1" } }
        @{ Case = 'a state file where none can be'; ErrorId = 'StateStoreUnavailable'; Run = { Set-ReplicationStateStore -Path (Join-Path (Get-VolumeConnection db01).Path 'state.db') } }
    ) {
        $before = Get-SiteFingerprint $site
        $caught = $null
        $ErrorActionPreference = 'Stop'
        try { & $Run | Out-Null } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty -Because 'hostile input is refused'
        $caught.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $caught.Exception.Message | Should -Not -BeNullOrEmpty
        Get-SiteFingerprint $site | Should -Be $before
        Test-Path $elsewhere | Should -BeFalse -Because 'no folder is created for refused input'
        (Get-ReplicationStateStore).Path | Should -Be $site.State
    }

    It 'stores extra specs and descriptions that look like SQL or format strings as plain text' {
        $type = New-VolumeType -Name literal -ExtraSpec @{ 'capabilities:tier' = "gold'; DROP TABLE volumes;--"; 'capabilities:note' = '{0}{1}' } -Description "{0} '; DELETE FROM events;--"
        (Get-VolumeType literal).ExtraSpecs['capabilities:tier'] | Should -Be "gold'; DROP TABLE volumes;--"
        $type.ExtraSpecs['capabilities:note'] | Should -Be '{0}{1}'
        (Get-VolumeType literal).Description | Should -Be "{0} '; DELETE FROM events;--"
        @(Get-Volume).Count | Should -Be 1
        @(Get-ReplicationEvent).Count | Should -BeGreaterThan 3
    }
}
