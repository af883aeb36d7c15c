# The ransomware drill on the built module: known data synced over several rounds (each round's SHA-256 taken
# independently, with Get-FileHash and sha256sum, before the damage), then the primary overwritten with random bytes and
# synced, so the damage is on the replica too; recovery at the last good point gives exactly that round's bytes.

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Enable-DefaultStateGuard

    function Get-Sha256Sum([string] $Path) { ((& sha256sum $Path) -split ' ')[0].ToUpperInvariant() }

    # Three rounds that each write 1 MiB of known data; returns per round its number, both hashes and its time.
    function Invoke-GoodRounds([string] $Primary) {
        foreach ($i in 1..3) {
            Write-VolumeBytes -Path $Primary -Offset ($i * 2MB) -Bytes (Get-RandomBytes -Count 1MB -Seed $i)
            $round = Sync-VolumeReplica db01
            [pscustomobject]@{ Round = $round.SyncGeneration; Hash = Get-FileSha256 $Primary; Sum = Get-Sha256Sum $Primary; At = Get-Date }
            Start-Sleep -Milliseconds 20
        }
    }
}

AfterAll { Remove-DefaultStateGuard }

Describe 'Recovery points: the ransomware drill' {
    BeforeEach {
        $site = New-ReplicationStory
        New-ReplicatedVolumeType -Name points -ExtraSpec @{ 'replication:recovery_points' = '10' } | Out-Null
        New-Volume -Name db01 -SizeBytes 16MB -VolumeType points | Out-Null
        $primary = (Get-VolumeConnection db01).Path
        $good = @(Invoke-GoodRounds $primary)
        $good | ForEach-Object { $_.Hash | Should -Be $_.Sum -Because 'two independent tools agree on each round''s bytes' }
        # The damage: every byte of the primary overwritten with random data, and synced to the replica.
        Write-VolumeBytes -Path $primary -Offset 0 -Bytes (Get-RandomBytes -Count 16MB -Seed 666)
        $damaged = Sync-VolumeReplica db01
        Get-Sha256Sum (Get-ReplicaFile db01) | Should -Not -Be $good[-1].Sum
    }
    AfterEach { Remove-ReplicationTestSite $site }

    It 'lists every round as a point, the damaged one newest, and finds the last good one before the damage' {
        $points = @(Get-VolumeRecoveryPoint db01)

        $points.Round | Should -Be (@($damaged.SyncGeneration) + @($good.Round | Sort-Object -Descending))
        $points[0].Newest | Should -BeTrue
        $points[0].BytesHeld | Should -Be 0
        # Each good round's point holds the blocks the next round overwrote: at most 1.1 times what that round changed.
        $points[1].BytesHeld | Should -BeLessOrEqual (16MB * 1.1)
        $points[2].BytesHeld | Should -BeLessOrEqual (1MB * 1.1)
        (Get-Volume db01 | Get-VolumeRecoveryPoint -Before $good[-1].At -Latest).Round | Should -Be $good[-1].Round
        ($points | Out-String -Width 100) | Should -Match 'newest'
    }

    It 'health and the DR report show the recovery history: points kept, oldest and newest, space' {
        $points = @(Get-VolumeRecoveryPoint db01)
        $replica = Get-VolumeReplica db01

        $replica.RecoveryPoints | Should -Be $points.Count
        $replica.OldestRecoveryPoint | Should -Be $points[-1].DataTimestamp
        $replica.NewestRecoveryPoint | Should -Be $points[0].DataTimestamp
        $replica.RecoveryPointBytes | Should -Be ($points | Measure-Object BytesHeld -Sum).Sum
        $replica.RecoveryPointBytes | Should -BeGreaterThan 1MB -Because "the good rounds' points hold the 3 MiB the damage overwrote"
        ($replica | Format-List | Out-String -Width 200) | Should -Match "RecoveryPoints\s*:\s*$($points.Count) from"
        $summary = Measure-VolumeReplica
        $summary.RecoveryPoints | Should -Be $points.Count
        $summary.VolumesWithRecoveryPoints | Should -Be 1
        $summary.ShortestRecoveryHistoryVolume | Should -Be 'db01'
        ($summary | Format-List | Out-String -Width 200) | Should -Match "RecoveryPoints\s*:\s*$($points.Count) on 1 volume"
    }

    It 'a test volume at each good point holds exactly that round''s bytes, and the replica keeps the damage' {
        $replicaBefore = Get-Sha256Sum (Get-ReplicaFile db01)
        foreach ($round in $good) {
            New-Volume -Name "db01-r$($round.Round)" -SourceReplica db01 -RecoveryPoint $round.Round | Out-Null

            Get-Sha256Sum (Get-VolumeConnection "db01-r$($round.Round)").Path | Should -Be $round.Sum
        }

        Get-Sha256Sum (Get-ReplicaFile db01) | Should -Be $replicaBefore
    }

    It 'a DR test at each good point passes, at that point''s round' {
        foreach ($round in $good) {
            $test = Get-VolumeRecoveryPoint db01 -Round $round.Round | Test-VolumeReplica

            $test.Outcome | Should -Be 'Passed'
            $test.SyncGeneration | Should -Be $round.Round
        }
    }

    It 'promotion at the last good point serves that round''s bytes, checked against its block hashes, and drops the newer point' {
        $result = Get-VolumeRecoveryPoint db01 -Round $good[-1].Round | Invoke-ReplicaPromotion -Force

        Get-Sha256Sum (Get-VolumeConnection db01).Path | Should -Be $good[-1].Sum
        $result.ReplicaVerified | Should -BeTrue
        $result.DamagedBlocks | Should -Be 0
        (Get-ReplicationEvent -Name db01 -Newest 5).Operation | Should -Contain 'RollBackReplica'
        @(Get-VolumeRecoveryPoint db01) | Should -HaveCount 0
    }

    It 'promotion at an older point by -Before serves that round''s bytes' {
        Invoke-ReplicaPromotion db01 -Before $good[0].At -Force | Out-Null

        Get-Sha256Sum (Get-VolumeConnection db01).Path | Should -Be $good[0].Sum
    }
}

Describe 'Recovery points: the ransomware drill for a group' {
    BeforeEach {
        $site = New-ReplicationStory
        New-ReplicatedVolumeType -Name points -ExtraSpec @{ 'replication:recovery_points' = '10' } | Out-Null
        $members = 'db01', 'db02'
        foreach ($name in $members) { New-Volume -Name $name -SizeBytes 8MB -VolumeType points | Out-Null }
        New-ReplicationGroup -Name app -VolumeName $members | Out-Null
        $paths = @{}
        foreach ($name in $members) { $paths[$name] = (Get-VolumeConnection $name).Path }
        # Three group rounds, each writing different known data on each member; each member's SHA-256 per round taken with sha256sum.
        $good = @(foreach ($i in 1..3) {
                foreach ($name in $members) { Write-VolumeBytes -Path $paths[$name] -Offset ($i * 1MB) -Bytes (Get-RandomBytes -Count 512KB -Seed ($i * 10 + $name.Length + [int][char]$name[-1])) }
                Sync-VolumeReplica -Group app | Out-Null
                $round = (Get-VolumeRecoveryPoint db01 -Latest).GroupRound
                $sums = @{}
                foreach ($name in $members) { $sums[$name] = Get-Sha256Sum $paths[$name] }
                [pscustomobject]@{ GroupRound = $round; Sums = $sums; At = Get-Date }
                Start-Sleep -Milliseconds 20
            })
        # The damage on both members, synced in one more group round.
        foreach ($name in $members) { Write-VolumeBytes -Path $paths[$name] -Offset 0 -Bytes (Get-RandomBytes -Count 8MB -Seed (600 + $name.Length + [int][char]$name[-1])) }
        Sync-VolumeReplica -Group app | Out-Null
        foreach ($name in $members) { Get-Sha256Sum (Get-ReplicaFile $name) | Should -Not -Be $good[-1].Sums[$name] }
    }
    AfterEach { Remove-ReplicationTestSite $site }

    It 'promotion of the group at the last good group point, piped from a member''s point, serves each member''s bytes of that round' {
        $point = Get-VolumeRecoveryPoint db02 | Where-Object GroupRound -EQ $good[-1].GroupRound

        $results = @($point | Invoke-ReplicaPromotion -Force)

        $results | Should -HaveCount 2
        foreach ($name in $members) {
            Get-Sha256Sum (Get-VolumeConnection $name).Path | Should -Be $good[-1].Sums[$name]
            (Get-ReplicationEvent -Name $name -Newest 5).Operation | Should -Contain 'RollBackReplica'
        }
    }

    It 'promotion of the group by -Group -Before serves each member''s bytes of an older group round' {
        Invoke-ReplicaPromotion -Group app -Before $good[0].At.AddMilliseconds(10) -Force | Out-Null

        foreach ($name in $members) { Get-Sha256Sum (Get-VolumeConnection $name).Path | Should -Be $good[0].Sums[$name] }
    }

    It 'a DR test of the group at the last good group point passes for every member, each at its point of that round' {
        $tests = @(Test-VolumeReplica -Group app -GroupRound $good[-1].GroupRound -KeepTestVolume)

        $tests | Should -HaveCount 2
        foreach ($test in $tests) {
            $test.Outcome | Should -Be 'Passed'
            Get-Sha256Sum (Get-VolumeConnection $test.TestVolumeName).Path | Should -Be $good[-1].Sums[$test.VolumeName]
        }
    }

    It 'refuses a group round one member lacks with GroupRecoveryPointIncomplete, and changes nothing' {
        Get-VolumeRecoveryPoint db02 | Where-Object GroupRound -EQ $good[0].GroupRound | Remove-VolumeRecoveryPoint -Force
        $replicas = @{}
        foreach ($name in $members) { $replicas[$name] = Get-Sha256Sum (Get-ReplicaFile $name) }

        { Invoke-ReplicaPromotion -Group app -GroupRound $good[0].GroupRound -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'GroupRecoveryPointIncomplete,Replication.PowerShell.Commands.InvokeReplicaPromotionCommand'

        foreach ($name in $members) {
            Get-Sha256Sum (Get-ReplicaFile $name) | Should -Be $replicas[$name]
            (Get-VolumeReplica $name).Status | Should -Be 'active'
        }
    }
}

Describe 'Recovery point policy' {
    BeforeEach { $site = New-ReplicationStory }
    AfterEach { Remove-ReplicationTestSite $site }

    It 'refuses a bad policy value at New-VolumeType and Set-VolumeType with InvalidExtraSpec' {
        { New-ReplicatedVolumeType -Name bad -ExtraSpec @{ 'replication:recovery_points' = 'many' } -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidExtraSpec,Replication.PowerShell.Commands.NewReplicatedVolumeTypeCommand'
        { Set-VolumeType -Name replicated -ExtraSpec @{ 'replication:recovery_window_hours' = '24' } -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidExtraSpec,Replication.PowerShell.Commands.SetVolumeTypeCommand'
    }

    It 'inside the immutability window no point is removed, with a stable ErrorId' {
        Set-VolumeType -Name replicated -ExtraSpec @{ 'replication:recovery_points' = '5'; 'replication:recovery_immutable_hours' = '24' }
        New-Volume -Name db01 -SizeBytes 16MB -VolumeType replicated | Out-Null
        foreach ($i in 1..2) {
            Write-VolumeBytes -Path (Get-VolumeConnection db01).Path -Offset ($i * 1MB) -Bytes (Get-RandomBytes -Count 64KB -Seed $i)
            Sync-VolumeReplica db01 | Out-Null
        }
        $oldest = Get-VolumeRecoveryPoint db01 | Select-Object -Last 1

        { $oldest | Remove-VolumeRecoveryPoint -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'RecoveryPointImmutable,Replication.PowerShell.Commands.RemoveVolumeRecoveryPointCommand'
        @(Get-VolumeRecoveryPoint db01) | Should -HaveCount 2
    }
}
