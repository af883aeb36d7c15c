# Scheduled DR tests: Test-VolumeReplica and Get-DRTestResult on the built module, on real files.

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Enable-DefaultStateGuard

    function New-DRSite([int] $Volumes = 1, [string] $Rpo = '60') {
        $site = New-ReplicationTestSite
        New-PairedBackends -Site $site
        New-ReplicatedVolumeType -Name replicated -ExtraSpec @{ 'replication:rpo_minutes' = $Rpo } | Out-Null
        foreach ($i in 1..$Volumes) {
            $name = 'db{0:d2}' -f $i
            New-Volume -Name $name -SizeBytes 16MB -VolumeType replicated | Out-Null
            Write-VolumeBytes -Path (Get-VolumeConnection $name).Path -Offset (($i % 8) * 1MB) -Bytes (Get-RandomBytes -Count 1MB -Seed $i)
            Sync-VolumeReplica $name | Out-Null
        }
        $site
    }

    function Get-VolumeFileNames($Site) {
        @(Get-ChildItem $Site.Dc1, $Site.Dc2 -Filter 'volume-*' -File | ForEach-Object Name | Sort-Object)
    }
}

AfterAll { Remove-DefaultStateGuard }

Describe 'Test-VolumeReplica' {
    AfterEach { Remove-ReplicationTestSite $site }

    It 'passes on an in-sync replica, leaves no test volume, and does not touch replication' {
        $site = New-DRSite
        $before = Get-VolumeReplica db01
        $files = Get-VolumeFileNames $site

        $result = Test-VolumeReplica db01

        $result.Outcome | Should -Be 'Passed'
        $result.BlocksCompared | Should -Be 256
        $result.BlocksMismatched | Should -Be 0
        $result.SyncGeneration | Should -Be $before.SyncGeneration
        $result.RpoMet | Should -BeTrue
        $result.TimeToReadySeconds | Should -BeGreaterThan 0
        $result.Verified | Should -Match '256 blocks compared'
        $result.TestVolumeName | Should -BeLike 'db01-drtest-*'
        Get-Volume | ForEach-Object Name | Should -Be @('db01')
        Get-VolumeFileNames $site | Should -Be $files
        $after = Get-VolumeReplica db01
        $after.Status | Should -Be 'Active'
        $after.SyncGeneration | Should -Be $before.SyncGeneration
    }

    It 'fails when the replica was corrupted on disk behind the module''s back' {
        $site = New-DRSite
        $replica = Get-ReplicaFile db01
        Write-VolumeBytes -Path $replica -Offset 1MB -Bytes ([byte[]](0xde, 0xad, 0xbe, 0xef))

        $result = Test-VolumeReplica db01

        $result.Outcome | Should -Be 'Failed'
        $result.BlocksMismatched | Should -Be 1
        $result.Reason | Should -Match 'changed or damaged outside the module'
        @(Get-Volume).Count | Should -Be 1 -Because 'the failed test leaves no test volume'
    }

    It 'fails when -Validation returns $false or throws, with its words in the reason' {
        $site = New-DRSite
        (Test-VolumeReplica db01 -Validation { param($connection) 'database header missing'; $false }).Outcome | Should -Be 'Failed'
        $thrown = Test-VolumeReplica db01 -Validation { param($connection) throw "cannot mount $($connection.VolumeName)" }
        $thrown.Outcome | Should -Be 'Failed'
        $thrown.Reason | Should -Match 'custom validation failed: cannot mount db01-drtest-'
        $passed = Test-VolumeReplica db01 -Validation { param($connection) (Get-Item $connection.Path).Length -eq 16MB }
        $passed.Outcome | Should -Be 'Passed'
        $passed.Verified | Should -Match 'custom validation passed'
        @(Get-Volume).Count | Should -Be 1
    }

    It 'keeps the test volume with -KeepTestVolume, holding the replica''s bytes' {
        $site = New-DRSite
        $result = Test-VolumeReplica db01 -KeepTestVolume
        $result.TestVolumeKept | Should -BeTrue
        (Get-FileSha256 (Get-VolumeConnection $result.TestVolumeName).Path) | Should -Be (Get-FileSha256 (Get-ReplicaFile db01))
    }

    It 'fails when the replica''s data is older than the type''s RPO target' {
        $site = New-DRSite -Rpo '0.0001'
        Start-Sleep -Milliseconds 50
        $result = Test-VolumeReplica db01
        $result.Outcome | Should -Be 'Failed'
        $result.RpoMet | Should -BeFalse
        $result.Reason | Should -Match 'beyond the RPO target'
    }

    It 'reports <Status> as not testable, without an exception' -ForEach @(
        @{ Status = 'Inactive'; Arrange = { Invoke-ReplicaPromotion db01 -Force | Out-Null } }
        # A re-enable killed as soon as it recorded copying, before its copy: the volume stays copying.
        @{ Status = 'Copying'; Arrange = {
                Invoke-ReplicaPromotion db01 -Force | Out-Null
                $killed = Invoke-ChildPwsh -Environment @{ REPLICATION_POWERSHELL_CRASH_AT = 'enable.after-copying' } -Script "Import-Module '$env:REPLICATION_MODULE_PATH'; Set-ReplicationStateStore -Path '$($site.State)'; Enable-Replication db01 -Force"
                $killed.ExitCode | Should -Be 137 -Because 'the re-enable was SIGKILLed at its crash point'
            }
        }
    ) {
        $site = New-DRSite
        & $Arrange
        (Get-VolumeReplica db01).Status.ToString() | Should -Be $Status
        $result = Test-VolumeReplica db01 -ErrorAction Stop
        $result.Outcome | Should -Be 'NotTestable'
        $result.Reason | Should -Match 'replication is'
        (Get-DRTestResult db01 -Newest 1).Outcome | Should -Be 'NotTestable'
    }

    It 'cleans up after a test whose process was killed mid-clone, on the next run' {
        $site = New-DRSite
        $killed = Invoke-ChildPwsh -Environment @{ REPLICATION_POWERSHELL_CRASH_AT = 'direct.after-block' } -Script "Import-Module '$env:REPLICATION_MODULE_PATH'; Set-ReplicationStateStore -Path '$($site.State)'; Test-VolumeReplica db01"
        $killed.ExitCode | Should -Be 137 -Because 'the child was SIGKILLed mid-clone'
        (Get-DRTestResult db01 -Newest 1).Outcome | Should -Be 'Running'
        @(Get-Volume).Count | Should -Be 2 -Because 'the killed test left its half-made test volume'

        $next = Test-VolumeReplica db01

        $next.Outcome | Should -Be 'Passed'
        @(Get-Volume).Name | Should -Be @('db01')
        (Get-DRTestResult db01 -Outcome Interrupted).Count | Should -Be 1
        Repair-ReplicationState -RemoveOrphanFiles | Should -BeNullOrEmpty -Because 'nothing is left behind'
    }
}

Describe 'A scheduled run over twenty volumes' {
    AfterAll { Remove-ReplicationTestSite $script:site }

    It 'tests every replicated volume unattended, catches the corrupted replica, and leaves no trace but its results' {
        $script:site = $site = New-DRSite -Volumes 20
        Write-VolumeBytes -Path (Get-ReplicaFile db07) -Offset 3MB -Bytes (Get-RandomBytes -Count 4KB -Seed 99)
        $files = Get-VolumeFileNames $site
        $report = Join-Path $site.Root 'report.html'

        $elapsed = Measure-Command { $script:results = @(Test-VolumeReplica -ReportPath $report) }

        Write-Host ("20-volume DR test run: {0:N1} s" -f $elapsed.TotalSeconds)
        $results.Count | Should -Be 20
        @($results | Where-Object Outcome -EQ 'Failed').VolumeName | Should -Be @('db07')
        @($results | Where-Object Outcome -EQ 'Passed').Count | Should -Be 19
        Get-VolumeFileNames $site | Should -Be $files
        @(Get-Volume).Count | Should -Be 20
        Test-Path $report | Should -BeTrue
        (Get-Content $report -Raw) | Should -Match 'db07'
        @(Get-DRTestResult -Since (Get-Date).AddDays(-7) -Outcome Passed).Count | Should -Be 19
        ($results | ConvertTo-Json -EnumsAsStrings | ConvertFrom-Json).Count | Should -Be 20
        ($results | ConvertTo-Csv | ConvertFrom-Csv | Where-Object Outcome -EQ 'Failed').VolumeName | Should -Be 'db07'
    }
}

Describe 'Get-DRTestResult' {
    AfterAll { Remove-ReplicationTestSite $script:site }

    It 'filters the history by volume, time, outcome and count' {
        $script:site = $site = New-DRSite -Volumes 2
        Test-VolumeReplica | Out-Null
        Write-VolumeBytes -Path (Get-ReplicaFile db02) -Offset 0 -Bytes (Get-RandomBytes -Count 16 -Seed 5)
        $secondRun = Get-Date
        Test-VolumeReplica | Out-Null

        @(Get-DRTestResult).Count | Should -Be 4
        @(Get-DRTestResult db02).Outcome | Should -Be @('Passed', 'Failed')
        @(Get-DRTestResult -Outcome Failed).VolumeName | Should -Be @('db02')
        @(Get-DRTestResult -Since $secondRun).Count | Should -Be 2
        @(Get-DRTestResult db01, db02 -Newest 1).Outcome | Should -Be @('Passed', 'Failed')
        @(Get-DRTestResult 'nosuch').Count | Should -Be 0
    }
}
