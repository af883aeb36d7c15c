# A replica is trusted by its content, never by its file times: on the built module, a replica block changed on disk
# with its modification time put back (bit rot, or a tool that restores times) is found by a promotion, a clone, a DR
# test and a -Full round; and a round racing a writer says it holds no crash-consistent point.

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Enable-DefaultStateGuard

    # A 16 MiB replicated volume (256 blocks of 64 KiB) with 1 MiB of data at 1 MiB, synced; its primary quiet, so an
    # ordinary round skips it on its times.
    function New-SyncedVolume {
        New-Volume -Name db01 -SizeBytes 16MB -VolumeType replicated | Out-Null
        $primary = (Get-VolumeConnection db01).Path
        Write-VolumeBytes -Path $primary -Offset 1MB -Bytes (Get-RandomBytes -Count 1MB -Seed 1)
        [IO.File]::SetLastWriteTimeUtc($primary, [DateTime]::UtcNow.AddMinutes(-1))
        Sync-VolumeReplica db01 | Out-Null
        [pscustomobject]@{ Primary = $primary; Replica = Get-ReplicaFile db01 }
    }

    # Changes bytes of block 20 of the replica and puts its times back: only its content tells.
    function Set-ReplicaDamage([string] $Path) {
        $item = Get-Item -LiteralPath $Path
        $modified = $item.LastWriteTimeUtc
        $accessed = $item.LastAccessTimeUtc
        Write-VolumeBytes -Path $Path -Offset (20 * 64KB + 100) -Bytes ([byte[]](0xde, 0xad, 0xbe, 0xef))
        [IO.File]::SetLastWriteTimeUtc($Path, $modified)
        [IO.File]::SetLastAccessTimeUtc($Path, $accessed)
        if ((Get-Item -LiteralPath $Path).LastWriteTimeUtc -ne $modified) { throw 'Setup: the replica''s modification time was not put back.' }
    }

    function Get-Refusal([scriptblock] $Command) {
        try { & $Command; $null } catch { $_ }
    }
}

AfterAll { Remove-DefaultStateGuard }

Describe 'A replica changed on disk with its modification time kept' {
    BeforeEach {
        $site = New-ReplicationStory
        $files = New-SyncedVolume
        Set-ReplicaDamage $files.Replica
        $primaryHash = Get-FileSha256 $files.Primary
        $damagedHash = Get-FileSha256 $files.Replica
    }
    AfterEach { Remove-ReplicationTestSite $site }

    It 'looks untouched to an ordinary round, which reads nothing' {
        (Sync-VolumeReplica db01).Mode | Should -Be 'Unchanged'
        (Get-VolumeReplica db01).Health | Should -Be 'Normal'
    }

    It 'a planned promotion repairs it in its final sync: the promoted copy holds the primary''s bytes' {
        $promotion = Invoke-ReplicaPromotion db01 -Planned -Force

        Get-FileSha256 (Get-VolumeConnection db01).Path | Should -Be $primaryHash
        $promotion.RepairedBlocks | Should -Be 1
        $promotion.ReplicaVerified | Should -BeTrue
        $promotion.DataLossWindow | Should -Be ([TimeSpan]::Zero)
        (Get-VolumeReplica db01).ExtendedStatus | Should -Match 'found 1 blocks of the replica damaged and rewrote them from the primary'
        @(Get-ReplicationEvent -Name db01 | Where-Object Operation -EQ 'PlannedPromotionSync')[0].Message | Should -Match 'block 20 of 64 KiB\) differed on the replica'
    }

    It 'an unplanned promotion is refused with ReplicaDamaged, even with -Force, and fences nothing' {
        $refusal = Get-Refusal { Invoke-ReplicaPromotion db01 -Force -ErrorAction Stop }

        $refusal.FullyQualifiedErrorId | Should -BeLike 'ReplicaDamaged,*'
        "$($refusal.CategoryInfo.Category)" | Should -Be 'InvalidData'
        $refusal.Exception.Message | Should -Match '1 of 256 blocks \(64 KiB\) of the replica differ from what round 2 wrote \(block 20 of 64 KiB\)'
        $replica = Get-VolumeReplica db01
        "$($replica.Status)|$($replica.PrimaryBackend)|$($replica.ReplicaFenced)" | Should -Be 'Active|dc1|False'
        (Get-Item -LiteralPath $files.Primary).IsReadOnly | Should -BeFalse
        $replica.Health | Should -Be 'Critical'
        $replica.DamagedBlocks | Should -Be 1
        $replica.HealthReasons | Should -Match 'failed verification .*1 of 256 blocks'
        (Measure-VolumeReplica).CriticalVolumes | Should -Be @('db01')
        (Get-ReplicationEvent -Name db01 -Newest 1).Operation | Should -Be 'VerifyReplica'
    }

    It 'with -AllowDamagedReplica an unplanned promotion serves it and reports the damage, never zero loss' {
        Get-Refusal { Invoke-ReplicaPromotion db01 -Force -ErrorAction Stop } | Out-Null

        $promotion = Invoke-ReplicaPromotion db01 -Force -AllowDamagedReplica

        $promotion.PrimaryBackend | Should -Be 'dc2'
        $promotion.DamagedBlocks | Should -Be 1
        $promotion.DamagedBytes | Should -Be 64KB
        $promotion.ReplicaVerified | Should -BeFalse
        $promotion.DataLossWindow | Should -BeGreaterThan ([TimeSpan]::Zero)
        Get-FileSha256 (Get-VolumeConnection db01).Path | Should -Be $damagedHash
        (Get-VolumeReplica db01).ExtendedStatus | Should -Match 'served although damaged \(-AllowDamagedReplica\), so the data of those blocks is lost too'
        ($promotion | Format-Table | Out-String) | Should -Match 'Damaged'
    }

    It 'New-Volume -SourceReplica is refused with ReplicaDamaged and leaves no test volume; the replica is marked' {
        $before = Get-VolumeFileSnapshot -Site $site

        $refusal = Get-Refusal { New-Volume -Name db01-test -SourceReplica db01 -ErrorAction Stop }

        $refusal.FullyQualifiedErrorId | Should -BeLike 'ReplicaDamaged,*'
        @(Get-Volume).Name | Should -Be @('db01')
        (Get-VolumeFileSnapshot -Site $site) -join "`n" | Should -Be ($before -join "`n")
        (Get-VolumeReplica db01).Health | Should -Be 'Critical'
    }

    It 'a failed DR test marks it Critical with the reason until Sync-VolumeReplica -Full writes the damaged block and clears the mark' {
        $test = Test-VolumeReplica db01

        $test.Outcome | Should -Be 'Failed'
        $test.BlocksMismatched | Should -Be 1
        $marked = Get-VolumeReplica db01
        "$($marked.Status)|$($marked.Health)|$($marked.DamagedBlocks)" | Should -Be 'Active|Critical|1'
        $marked.VerificationFailure | Should -BeLike "DR test $($test.TestId) failed at *"
        $marked.HealthReasons | Should -Match 'Sync-VolumeReplica -Full repairs it'
        (Sync-VolumeReplica db01).Mode | Should -Be 'Unchanged'
        (Get-VolumeReplica db01).Health | Should -Be 'Critical' -Because 'an ordinary round does not look at the replica'

        $full = Sync-VolumeReplica db01 -Full

        "$($full.Mode)|$($full.BlocksWritten)|$($full.ReplicaBlocksRepaired)|$($full.BytesWritten)" | Should -Be "FullCompare|1|1|$(64KB)"
        Get-FileSha256 $files.Replica | Should -Be $primaryHash
        $repaired = Get-VolumeReplica db01
        "$($repaired.Health)|$($repaired.DamagedBlocks)" | Should -Be 'Normal|0'
        $repaired.VerificationFailure | Should -BeNullOrEmpty
        (Test-VolumeReplica db01).Outcome | Should -Be 'Passed'
    }
}

Describe 'A round racing a writer' {
    BeforeAll {
        $site = New-ReplicationStory
        $files = New-SyncedVolume
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'says the replica holds no crash-consistent point, in its result, Get-VolumeReplica and its event' {
        # Written while the round runs: the round's verbose messages reach this pipeline as it goes, and the one that
        # says the replica's blocks are compared (its file was touched) comes after the round took the primary's stamp.
        [IO.File]::SetLastWriteTimeUtc($files.Replica, [DateTime]::UtcNow.AddMinutes(-5))
        $written = 0
        $result = Sync-VolumeReplica db01 -Verbose 4>&1 | ForEach-Object {
            if ($_ -is [Management.Automation.VerboseRecord]) {
                if ($_.Message -like '*modified outside the module since the last round*' -and $written -eq 0) {
                    Write-VolumeBytes -Path $files.Primary -Offset 8MB -Bytes (Get-RandomBytes -Count 64KB -Seed 2)
                    [IO.File]::SetLastWriteTimeUtc($files.Primary, [DateTime]::UtcNow.AddMinutes(-2))
                    $written++
                }
            }
            else { $_ }
        }

        $written | Should -Be 1
        $result.CrashConsistent | Should -Be $false
        $replica = Get-VolumeReplica db01
        $replica.CrashConsistent | Should -Be $false
        $replica.ExtendedStatus | Should -Match 'not a crash-consistent point in time'
        (Get-ReplicationEvent -Name db01 -Newest 1).Message | Should -Match 'not a crash-consistent point in time'

        $quiet = Sync-VolumeReplica db01
        $quiet.CrashConsistent | Should -Be $true
        (Get-VolumeReplica db01).CrashConsistent | Should -Be $true
        Get-FileSha256 $files.Replica | Should -Be (Get-FileSha256 $files.Primary)
    }
}
