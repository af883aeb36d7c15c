# Replica health (Get-VolumeReplica's Health, Measure-VolumeReplica) and pre-flight checks (Test-ReplicationPartnership),
# end to end on the built module, real folders and the real clock.

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Enable-DefaultStateGuard

    function Get-TableLines($Objects) {
        @(($Objects | Format-Table | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() })
    }

    function Get-TableLabelCount([string] $TypeName) {
        $table = (Get-FormatData -TypeName $TypeName).FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.TableControl] } | Select-Object -First 1
        @($table.Control.Headers).Count
    }
}

AfterAll { Remove-DefaultStateGuard }

Describe 'Replica health' {
    BeforeEach { $site = New-ReplicationStory }
    AfterEach { Remove-ReplicationTestSite $site }

    It 'is Normal with no reasons for a synced replica without a target, and "not replicated" for a plain volume' {
        New-Volume -Name db01 -SizeBytes 16MB -VolumeType replicated | Out-Null
        New-Volume -Name web01 -SizeBytes 16MB -VolumeType plain | Out-Null
        Sync-VolumeReplica db01 | Out-Null

        $db, $web = Get-VolumeReplica -Name db01, web01

        $db.Health | Should -Be 'Normal'
        $db.HealthReasons | Should -BeExactly ''
        $db.RpoTargetSeconds | Should -BeNullOrEmpty
        $web.Health | Should -Be 'Normal'
        $web.HealthReasons | Should -BeExactly 'not replicated'
    }

    It 'flips to Critical when the RPO target is exceeded' {
        New-ReplicatedVolumeType -Name fast -ExtraSpec @{ 'replication:rpo_minutes' = '0.01' } | Out-Null
        New-Volume -Name db01 -SizeBytes 16MB -VolumeType fast | Out-Null
        Write-VolumeBytes -Path (Get-VolumeConnection db01).Path -Offset 0 -Bytes (Get-RandomBytes -Count 1MB)
        Sync-VolumeReplica db01 | Out-Null

        Start-Sleep -Milliseconds 1200
        $replica = Get-VolumeReplica db01
        $summary = Measure-VolumeReplica

        $replica.RpoTargetSeconds | Should -Be 0.6
        $replica.DataAge | Should -BeGreaterThan ([timespan]::FromSeconds(0.6))
        $replica.Health | Should -Be 'Critical'
        $replica.HealthReasons | Should -Match '^data age [\d.]+ s is over the RPO target of 600 ms$'
        $summary.Health | Should -Be 'Critical'
        $summary.OverRpoTarget | Should -Be @('db01')
        $summary.Problems | Should -HaveCount 1
        $summary.Problems[0] | Should -Match '^db01 \(Critical\): data age [\d.]+ s is over the RPO target of 600 ms$'
    }

    It 'is a Warning when paused and Critical when promoted, and Measure-VolumeReplica counts every state' {
        New-Volume -Name db01 -SizeBytes 16MB -VolumeType replicated | Out-Null
        New-Volume -Name db02 -SizeBytes 16MB -VolumeType replicated | Out-Null
        New-Volume -Name web01 -SizeBytes 16MB -VolumeType plain | Out-Null
        Disable-Replication db01 -Force
        Invoke-ReplicaPromotion db02 -Force | Out-Null

        $summary = Measure-VolumeReplica

        (Get-VolumeReplica db01).Health | Should -Be 'Warning'
        (Get-VolumeReplica db02).Health | Should -Be 'Critical'
        $summary.Health | Should -Be 'Critical'
        $summary.VolumeCount | Should -Be 3
        @($summary.NormalCount, $summary.WarningCount, $summary.CriticalCount) | Should -Be @(1, 1, 1)
        @($summary.ActiveStoppedCount, $summary.InactiveCount, $summary.DisabledCount, $summary.ActiveCount) | Should -Be @(1, 1, 1, 0)
        $summary.CriticalVolumes | Should -Be @('db02')
        $summary.WarningVolumes | Should -Be @('db01')
        $summary.Problems[0] | Should -BeLike 'db02 (Critical): replication status inactive*'
        $summary.WorstDataAgeVolume | Should -Be 'db01'
    }

    It 'Measure-VolumeReplica takes wildcards, a volume type, piped replicas, piped volumes and names' {
        'db01', 'db02' | ForEach-Object { New-Volume -Name $_ -SizeBytes 16MB -VolumeType replicated | Out-Null }
        New-Volume -Name web01 -SizeBytes 16MB -VolumeType plain | Out-Null

        (Measure-VolumeReplica -Name db*).VolumeCount | Should -Be 2
        (Measure-VolumeReplica -VolumeType plain).VolumeCount | Should -Be 1
        (Get-VolumeReplica db01 | Measure-VolumeReplica).VolumeCount | Should -Be 1
        (Get-Volume web01 | Measure-VolumeReplica).DisabledCount | Should -Be 1
        ('db01', 'db02', 'db01' | Measure-VolumeReplica).VolumeCount | Should -Be 2
        (Measure-VolumeReplica).VolumeCount | Should -Be 3
    }

    It 'writes VolumeNotFound for a literal name that matches nothing and stops on a volume type that does not exist' {
        New-Volume -Name db01 -SizeBytes 16MB -VolumeType replicated | Out-Null

        $summary = Measure-VolumeReplica -Name db01, nope -ErrorVariable missing -ErrorAction SilentlyContinue

        $summary.VolumeCount | Should -Be 1
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'VolumeNotFound,*'
        { Measure-VolumeReplica -VolumeType nope -ErrorAction Stop } | Should -Throw -ErrorId 'VolumeTypeNotFound,*'
    }

    It 'shows the summary as a table of every column in 80 columns' {
        New-Volume -Name db01 -SizeBytes 16MB -VolumeType replicated | Out-Null

        $lines = Get-TableLines (Measure-VolumeReplica)

        $lines[1] | Should -Match '^[- ]+$'
        [regex]::Matches($lines[1], '-+').Count | Should -Be (Get-TableLabelCount 'Replication.Engine.Health.ReplicationHealthSummary')
        $lines[2] | Should -Match '^Normal\s+1\s+1\s+0\s+0\s+0\s'
    }
}

Describe 'Test-ReplicationPartnership' {
    BeforeEach {
        $site = New-ReplicationStory
        New-Volume -Name db01 -SizeBytes 16MB -VolumeType replicated | Out-Null
    }
    AfterEach {
        if (Test-Path $site.Dc2) { & chattr -i $site.Dc2 }
        Remove-ReplicationTestSite $site
    }

    It 'passes every check of a healthy pair, one typed result per check' {
        $results = @(Test-ReplicationPartnership -Backend dc1)

        $results | ForEach-Object { $_ | Should -BeOfType Replication.Engine.Preflight.PreflightResult }
        @($results | Where-Object { -not $_.Passed } | ForEach-Object { "$($_.Check) $($_.Backend): $($_.Detail)" }) | Should -BeNullOrEmpty
        @($results | ForEach-Object { "$($_.Check) $($_.Backend)" }) | Should -Be @(
            'Pairing dc1', 'FolderReachable dc1', 'FolderWritable dc1', 'SparseFiles dc1', 'ClockSkew dc1',
            'FolderReachable dc2', 'FolderWritable dc2', 'SparseFiles dc2', 'ClockSkew dc2', 'BlockSize dc1',
            'FreeSpace dc2', 'ProvisionedSpace dc2', 'Headroom dc2', 'FreeSpace dc1', 'ProvisionedSpace dc1', 'Headroom dc1')
        @(Get-ChildItem $site.Dc1, $site.Dc2 -Force -Filter '.preflight-*') | Should -BeNullOrEmpty
    }

    It 'binds Get-StorageBackend output by property name and checks each pair once' {
        $piped = @(Get-StorageBackend | Test-ReplicationPartnership)
        $direct = @(Test-ReplicationPartnership dc2)

        $piped.Count | Should -Be 16
        $piped[0].Backend | Should -Be 'dc1'
        $direct.Count | Should -Be 16
        $direct[0].Backend | Should -Be 'dc2'
    }

    It 'fails FolderReachable with Severity Error and advice when a folder is missing' {
        Get-ChildItem $site.Dc2 -Recurse -File | ForEach-Object { $_.IsReadOnly = $false }
        Remove-Item $site.Dc2 -Recurse -Force

        $results = @(Test-ReplicationPartnership dc1)
        $reachable = $results | Where-Object { $_.Check -eq 'FolderReachable' -and $_.Backend -eq 'dc2' }

        $reachable.Passed | Should -BeFalse
        $reachable.Severity | Should -Be 'Error'
        $reachable.Detail | Should -Match 'does not exist'
        $reachable.Advice | Should -Not -BeNullOrEmpty
        @($results | Where-Object Backend -EQ 'dc2').Count | Should -Be 1
    }

    It 'fails FolderWritable on an immutable folder (chattr +i)' {
        & chattr +i $site.Dc2
        try { $results = @(Test-ReplicationPartnership dc1) }
        finally { & chattr -i $site.Dc2 }
        $writable = $results | Where-Object { $_.Check -eq 'FolderWritable' -and $_.Backend -eq 'dc2' }

        $writable.Passed | Should -BeFalse
        $writable.Severity | Should -Be 'Error'
        $writable.Detail | Should -Match 'could not be written'
        ($results | Where-Object { $_.Check -eq 'FolderWritable' -and $_.Backend -eq 'dc1' }).Passed | Should -BeTrue
    }

    It 'fails Pairing for a partner that does not name the backend' {
        New-StorageBackend -Name dc3 -Driver LocalFile -Path (Join-Path $site.Root 'dc3') | Out-Null

        $pairing = Test-ReplicationPartnership -Backend dc1 -Partner dc3 | Where-Object Check -EQ 'Pairing'

        $pairing.Passed | Should -BeFalse
        $pairing.Detail | Should -Match "'dc1' names 'dc2' as its partner, not 'dc3'; 'dc3' names no backend as its partner, not 'dc1'"
    }

    It 'writes BackendNotFound for a backend that does not exist' {
        $results = Test-ReplicationPartnership -Backend nope -ErrorVariable missing -ErrorAction SilentlyContinue

        $results | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'BackendNotFound,*'
        $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'with -WhatIf probes nothing and writes nothing' {
        $before = Get-SiteFingerprint $site

        $results = Test-ReplicationPartnership dc1 -WhatIf

        $results | Should -BeNullOrEmpty
        Get-SiteFingerprint $site | Should -Be $before
    }

    It 'shows its results as a table of every column in 80 columns' {
        $lines = Get-TableLines (Test-ReplicationPartnership dc1)

        $lines[0] | Should -Match '^Check\s+Backend\s+Result\s+Detail'
        $lines[1] | Should -Match '^[- ]+$'
        [regex]::Matches($lines[1], '-+').Count | Should -Be (Get-TableLabelCount 'Replication.Engine.Preflight.PreflightResult')
        $lines[2] | Should -Match '^Pairing\s+dc1\s+Passed\s'
    }
}
