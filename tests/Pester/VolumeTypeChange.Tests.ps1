# Set-VolumeType as an admin types it: an RPO target set on a type in use judges its replicas at once; a spec the
# volumes' backend does not meet is refused (or forced, with a warning); -WhatIf and a refusal change nothing.

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Enable-DefaultStateGuard
}

AfterAll {
    Remove-DefaultStateGuard
}

Describe 'Set-VolumeType' {
    BeforeEach {
        $site = New-ReplicationTestSite
        New-PairedBackends -Site $site
        New-ReplicatedVolumeType -Name replicated | Out-Null
        New-Volume -Name db01 -SizeBytes 8MB -VolumeType replicated | Sync-VolumeReplica | Out-Null
    }
    AfterEach { Remove-ReplicationTestSite $site }

    It 'sets an RPO target on a type in use, which Get-VolumeReplica then reports for its replica' {
        (Get-VolumeReplica db01).RpoTargetSeconds | Should -BeNullOrEmpty

        $type = Get-VolumeType replicated | Set-VolumeType -ExtraSpec @{ 'replication:rpo_minutes' = '15' } -PassThru

        $type.ExtraSpecs['replication:rpo_minutes'] | Should -Be '15'
        (Get-VolumeReplica db01).RpoTargetSeconds | Should -Be 900
        (Get-ReplicationEvent -Name replicated -Newest 1).Operation | Should -Be 'ChangeVolumeType'
    }

    It 'refuses a capability db01''s backend lacks with VolumeTypeSpecsNotMet, and -Force makes it with a warning naming db01' {
        $before = (Get-VolumeType replicated).ExtraSpecs.Count

        Set-VolumeType replicated -ExtraSpec @{ 'capabilities:storage_protocol' = 'iSCSI' } -ErrorAction SilentlyContinue -ErrorVariable refused

        @($refused).Count | Should -Be 1
        $refused[0].FullyQualifiedErrorId | Should -Be 'VolumeTypeSpecsNotMet,Replication.PowerShell.Commands.SetVolumeTypeCommand'
        "$($refused[0])" | Should -Match 'db01'
        (Get-VolumeType replicated).ExtraSpecs.Count | Should -Be $before

        Set-VolumeType replicated -ExtraSpec @{ 'capabilities:storage_protocol' = 'iSCSI' } -Force -WarningVariable warned -WarningAction SilentlyContinue
        "$warned" | Should -Match "volume db01 \(capabilities:storage_protocol"
        (Get-VolumeType replicated).ExtraSpecs['capabilities:storage_protocol'] | Should -Be 'iSCSI'
    }

    It '-WhatIf changes nothing, and a type in use cannot stop replicating' {
        Set-VolumeType replicated -Description 'gold' -WhatIf
        (Get-VolumeType replicated).Description | Should -BeNullOrEmpty

        { Set-VolumeType replicated -RemoveExtraSpec 'capabilities:replication' -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'VolumeTypeInUse,Replication.PowerShell.Commands.SetVolumeTypeCommand'
        (Get-VolumeType replicated).IsReplicated | Should -BeTrue
    }
}
