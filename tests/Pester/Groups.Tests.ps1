# Replication groups (issue 5) on the built module, on real files: membership rules, group rounds that move every
# member's replica to one round, group promotion, re-enable, pause and resume, group DR tests, and backend failover and
# failback with a group. Crashes in the middle of group commands are in CrashRecovery.Tests.ps1 (the kill test).

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Enable-DefaultStateGuard

    $script:Members = 'g1', 'g2', 'g3'

    <# A fresh site with replicated volumes (8 MiB, 1 MiB of seeded data each at its own offset), each synced on its own. #>
    function New-GroupSite([string[]] $Volumes = $script:Members) {
        $site = New-ReplicationStory
        $i = 0
        foreach ($name in $Volumes) {
            $i++
            New-Volume -Name $name -SizeBytes 8MB -VolumeType replicated -ErrorAction Stop | Out-Null
            Write-VolumeBytes -Path (Get-VolumeConnection $name).Path -Offset ($i * 1MB) -Bytes (Get-RandomBytes -Count 1MB -Seed $i)
            Sync-VolumeReplica -Name $name -ErrorAction Stop | Out-Null
        }
        $site
    }

    function Write-Primary([string] $Name, [long] $Offset, [int] $Seed) {
        Write-VolumeBytes -Path (Get-VolumeConnection $Name).Path -Offset $Offset -Bytes (Get-RandomBytes -Count 128KB -Seed $Seed)
    }

    function Get-PrimaryHash([string] $Name) { Get-FileSha256 (Get-VolumeConnection $Name).Path }
    function Get-ReplicaHash([string] $Name) { Get-FileSha256 (Get-ReplicaFile $Name) }
    function Get-PrimaryHashes([string[]] $Names = $script:Members) { $h = @{}; foreach ($n in $Names) { $h[$n] = Get-PrimaryHash $n }; $h }

    <# The group round each member's row holds, read from the state file (no cmdlet shows it per volume). #>
    function Get-MemberGroupRound($Site, [string] $Name) {
        $connection = [Microsoft.Data.Sqlite.SqliteConnection]::new("Data Source=$($Site.State);Mode=ReadOnly;Pooling=False")
        try {
            $connection.Open()
            $command = $connection.CreateCommand()
            $command.CommandText = 'SELECT group_round FROM volumes WHERE name = $name'
            $command.Parameters.AddWithValue('$name', $Name) | Out-Null
            $value = $command.ExecuteScalar()
            if ($value -is [DBNull] -or $null -eq $value) { $null } else { [long]$value }
        }
        finally { $connection.Dispose() }
    }

    <# Every member holds the group's newest round (which must be -Round), the group is consistent, and each replica has the hash given. #>
    function Assert-CommonRound($Site, [hashtable] $ReplicaHashes, [long] $Round) {
        $group = Get-ReplicationGroup app
        $group.LastRound | Should -Be $Round
        $group.Consistent | Should -BeTrue -Because "every member should hold round $Round ($($group.MemberStatus))"
        foreach ($name in $ReplicaHashes.Keys) {
            Get-MemberGroupRound $Site $name | Should -Be $Round -Because "'$name' should hold the group's round"
            Get-ReplicaHash $name | Should -Be $ReplicaHashes[$name] -Because "the replica of '$name' should hold the data of round $Round"
        }
        foreach ($folder in $Site.Dc1, $Site.Dc2) {
            @(Get-ChildItem -LiteralPath (Join-Path $folder '.replication') -File -Force -ErrorAction SilentlyContinue | Where-Object Name -NE 'store') | Should -BeNullOrEmpty -Because 'no journal is left after a group round'
        }
    }
}

AfterAll { Remove-DefaultStateGuard }

Describe 'Replication group membership' {
    AfterEach { Remove-ReplicationTestSite $site }

    It 'New-ReplicationGroup, Add-ReplicationGroupMember from the pipeline and Get-ReplicationGroup' {
        $site = New-GroupSite
        $group = New-ReplicationGroup -Name app -VolumeName g1 -Description 'the app'

        $group.Members | Should -Be @('g1')
        Get-Volume -Name g2, g3 | Add-ReplicationGroupMember app
        $group = Get-ReplicationGroup app

        @($group.Members | Sort-Object) | Should -Be $script:Members
        $group.PrimaryBackend | Should -Be 'dc1'
        $group.ReplicaBackend | Should -Be 'dc2'
        $group.LastRound | Should -BeNullOrEmpty
        $group.Consistent | Should -BeFalse
        (Get-ReplicationGroup a*).Name | Should -Be 'app'
    }

    It 'refuses a volume that is not replicated, with GroupMembershipRefused naming the rule' {
        $site = New-GroupSite -Volumes g1
        New-Volume -Name scratch -SizeBytes 8MB -VolumeType plain | Out-Null

        New-ReplicationGroup -Name app -VolumeName g1, scratch -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'GroupMembershipRefused,Replication.PowerShell.Commands.NewReplicationGroupCommand'
        $err[0].Exception.Message | Should -Match "Rule: a group's members are replicated volumes between the same two backends"
        $err[0].Exception.Message | Should -Match "'scratch'.*it is not replicated"
        Get-ReplicationGroup | Should -BeNullOrEmpty
    }

    It 'refuses a DR test volume and a volume of another group' {
        $site = New-GroupSite
        New-Volume -Name g1-test -SourceReplica g1 | Out-Null
        New-ReplicationGroup -Name app -VolumeName g1 | Out-Null
        New-ReplicationGroup -Name other -VolumeName g2 | Out-Null

        Add-ReplicationGroupMember -Group app -VolumeName g1-test -ErrorVariable err1 -ErrorAction SilentlyContinue
        Add-ReplicationGroupMember -Group app -VolumeName g2 -ErrorVariable err2 -ErrorAction SilentlyContinue

        $err1[0].FullyQualifiedErrorId | Should -Be 'GroupMembershipRefused,Replication.PowerShell.Commands.AddReplicationGroupMemberCommand'
        $err1[0].Exception.Message | Should -Match 'test volume'
        $err2[0].FullyQualifiedErrorId | Should -Be 'GroupMembershipRefused,Replication.PowerShell.Commands.AddReplicationGroupMemberCommand'
        $err2[0].Exception.Message | Should -Match "already belongs to group 'other'"
        (Get-ReplicationGroup app).Members | Should -Be @('g1')
        (Get-ReplicationGroup other).Members | Should -Be @('g2')
    }

    It 'refuses a volume replicating between the backends the other way round' {
        $site = New-GroupSite
        Invoke-ReplicaPromotion -Name g3 -Planned -Force | Out-Null
        Enable-Replication -Name g3 -Force | Out-Null
        New-ReplicationGroup -Name app -VolumeName g1 | Out-Null

        Add-ReplicationGroupMember -Group app -VolumeName g3 -ErrorVariable err -ErrorAction SilentlyContinue

        $err[0].FullyQualifiedErrorId | Should -BeLike 'GroupMembershipRefused,*'
        $err[0].Exception.Message | Should -Match "'dc2' -> 'dc1'"
    }

    It 'Remove-ReplicationGroupMember and Remove-ReplicationGroup keep the volumes, their data and their replication' {
        $site = New-GroupSite
        New-ReplicationGroup -Name app -VolumeName $script:Members | Out-Null
        Sync-VolumeReplica -Group app | Out-Null

        $left = Remove-ReplicationGroupMember -Group app -VolumeName g2 -PassThru -Confirm:$false
        @($left.Members | Sort-Object) | Should -Be @('g1', 'g3')
        $left.Consistent | Should -BeTrue
        $files = Get-VolumeFileSnapshot $site
        Remove-ReplicationGroup -Name app -Confirm:$false

        Get-ReplicationGroup | Should -BeNullOrEmpty
        Get-VolumeFileSnapshot $site | Should -Be $files
        @(Get-Volume | ForEach-Object Name | Sort-Object) | Should -Be $script:Members
        foreach ($name in $script:Members) {
            Write-Primary $name 0 77
            Sync-VolumeReplica -Name $name -ErrorAction Stop | Out-Null   # on its own again
            Get-ReplicaHash $name | Should -Be (Get-PrimaryHash $name)
        }
    }
}

Describe 'Group rounds' {
    AfterEach { Remove-ReplicationTestSite $site }

    It 'Sync-VolumeReplica -Group moves every replica to the same round, byte for byte as of the round' {
        $site = New-GroupSite
        New-ReplicationGroup -Name app -VolumeName $script:Members | Out-Null
        Write-Primary g1 3MB 11
        Write-Primary g3 5MB 13
        $asOfRound = Get-PrimaryHashes

        $results = @(Sync-VolumeReplica -Group app)

        $results | Should -HaveCount 3
        @($results.VolumeName | Sort-Object) | Should -Be $script:Members
        $results | ForEach-Object { $_.Status | Should -Be 'Active' }
        Assert-CommonRound $site $asOfRound 1
        # Each member was read after the round started (its data timestamp), all within the one round.
        $roundStart = (Get-ReplicationGroup app).LastRoundDataTimestamp
        $results | ForEach-Object { $_.DataTimestamp | Should -BeGreaterOrEqual $roundStart }

        Write-Primary g2 6MB 12   # after the round: not in it
        Get-ReplicaHash g2 | Should -Be $asOfRound.g2
        Sync-VolumeReplica -Group app | Out-Null
        Assert-CommonRound $site (Get-PrimaryHashes) 2
    }

    It 'acts on the whole group when a single member is named: Sync, Disable, Enable and Promote move every member as one' {
        $site = New-GroupSite
        New-ReplicationGroup -Name app -VolumeName $script:Members | Out-Null
        Sync-VolumeReplica -Group app | Out-Null
        Write-Primary g1 0 21

        @(Sync-VolumeReplica -Name g1 -ErrorAction Stop).VolumeName | Sort-Object | Should -Be $script:Members
        Assert-CommonRound $site (Get-PrimaryHashes) 2
        Disable-Replication -Name g2 -Force -ErrorAction Stop
        Get-VolumeReplica -Name $script:Members | ForEach-Object { $_.Status | Should -Be 'active-stopped' }
        @(Enable-Replication -Name g3 -Force -PassThru -ErrorAction Stop).VolumeName | Sort-Object | Should -Be $script:Members
        @(Invoke-ReplicaPromotion -Name g1 -Planned -Force -ErrorAction Stop).VolumeName | Sort-Object | Should -Be $script:Members
        Get-VolumeReplica -Name $script:Members | ForEach-Object { $_.PrimaryBackend | Should -Be 'dc2'; $_.Status | Should -Be 'inactive' }
    }
}

Describe 'Group promotion, re-enable, pause and resume' {
    AfterEach { Remove-ReplicationTestSite $site }

    It 'a planned promotion of a 3-member group serves every member from dc2 with nothing lost, and fences every old primary' {
        $site = New-GroupSite
        New-ReplicationGroup -Name app -VolumeName $script:Members | Out-Null
        Sync-VolumeReplica -Group app | Out-Null
        Write-Primary g2 2MB 31   # after the last round
        $latest = Get-PrimaryHashes
        $oldPrimaries = @{}; foreach ($n in $script:Members) { $oldPrimaries[$n] = (Get-VolumeConnection $n).Path }

        $results = @(Invoke-ReplicaPromotion -Group app -Planned -Force)

        $results | Should -HaveCount 3
        $results | ForEach-Object { $_.PrimaryBackend | Should -Be 'dc2'; $_.DataLossWindow | Should -Be ([TimeSpan]::Zero) }
        foreach ($name in $script:Members) {
            $replica = Get-VolumeReplica $name
            $replica.PrimaryBackend | Should -Be 'dc2'
            $replica.Status | Should -Be 'Inactive'
            (Get-VolumeConnection $name).Path | Should -BeLike "$($site.Dc2)*"
            Get-PrimaryHash $name | Should -Be $latest[$name]
            Get-NativeFileMode -Path $oldPrimaries[$name] | Should -Not -Match 'w'
        }
        (Get-ReplicationGroup app).MemberStatus | Should -Be 'inactive: 3'
    }

    It 'an unplanned promotion of a group with no common round is refused with GroupNotConsistent, and nothing is fenced' {
        $site = New-GroupSite
        New-ReplicationGroup -Name app -VolumeName $script:Members | Out-Null
        $files = Get-VolumeFileSnapshot $site

        Invoke-ReplicaPromotion -Group app -Force -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $err[0].FullyQualifiedErrorId | Should -Be 'GroupNotConsistent,Replication.PowerShell.Commands.InvokeReplicaPromotionCommand'
        $err[0].Exception.Message | Should -Match 'no group round'
        Get-VolumeFileSnapshot $site | Should -Be $files
        Get-VolumeReplica -Name $script:Members | ForEach-Object { $_.PrimaryBackend | Should -Be 'dc1'; $_.Status | Should -Be 'Active' }
    }

    It 'a group promotion refused for one member (its replica file is gone) promotes none and leaves every primary writable' {
        $site = New-GroupSite
        New-ReplicationGroup -Name app -VolumeName $script:Members | Out-Null
        Sync-VolumeReplica -Group app | Out-Null
        Remove-Item -LiteralPath (Get-ReplicaFile g3)   # g3 is promoted last (name order): g1 and g2 come first

        Invoke-ReplicaPromotion -Group app -Force -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $err[0].FullyQualifiedErrorId | Should -BeLike 'VolumeFileFault,*'
        foreach ($name in $script:Members) {
            (Get-VolumeReplica $name).PrimaryBackend | Should -Be 'dc1'
            Get-NativeFileMode -Path (Get-VolumeConnection $name).Path | Should -Match 'w' -Because "nothing was promoted, so the primary of '$name' must stay writable"
        }
        @(Repair-ReplicationState -Confirm:$false | Where-Object Kind -In 'FencedPrimary', 'InterruptedGroupPromotion') | Should -BeNullOrEmpty -Because 'a refused promotion leaves nothing to repair'
    }

    It 'Enable-Replication -Group after a promotion reverses every member and ends at a common round' {
        $site = New-GroupSite
        New-ReplicationGroup -Name app -VolumeName $script:Members | Out-Null
        Sync-VolumeReplica -Group app | Out-Null
        Invoke-ReplicaPromotion -Group app -Force | Out-Null   # unplanned, from round 1
        Write-Primary g1 4MB 41   # on dc2 now

        $rounds = @(Enable-Replication -Group app -Force -PassThru)

        $rounds | Should -HaveCount 3
        $rounds | ForEach-Object { $_.Status | Should -Be 'Active'; $_.PrimaryBackend | Should -Be 'dc2'; $_.ReplicaBackend | Should -Be 'dc1' }
        Get-VolumeReplica -Name $script:Members | ForEach-Object { $_.ReplicaFenced | Should -BeFalse }
        $group = Get-ReplicationGroup app
        $group.PrimaryBackend | Should -Be 'dc2'
        Assert-CommonRound $site (Get-PrimaryHashes) 2
        foreach ($name in $script:Members) { Get-NativeFileMode -Path (Get-ReplicaFile $name) | Should -Match 'w' }
    }

    It 'Disable-Replication -Group pauses every member at the common round; Enable-Replication -Group resumes them to a new one' {
        $site = New-GroupSite
        New-ReplicationGroup -Name app -VolumeName $script:Members | Out-Null
        Sync-VolumeReplica -Group app | Out-Null
        $round1 = Get-PrimaryHashes

        $paused = @(Disable-Replication -Group app -Force -PassThru)

        $paused | Should -HaveCount 3
        $paused | ForEach-Object { $_.Status | Should -Be 'active-stopped'; $_.ExtendedStatus | Should -Match 'group round 1' }
        Write-Primary g1 1MB 51
        Write-Primary g3 7MB 53
        Assert-CommonRound $site $round1 1

        Enable-Replication -Group app -Force | Out-Null

        Get-VolumeReplica -Name $script:Members | ForEach-Object { $_.Status | Should -Be 'Active' }
        Assert-CommonRound $site (Get-PrimaryHashes) 2
    }
}

Describe 'Test-VolumeReplica -Group' {
    AfterEach { Remove-ReplicationTestSite $site }

    It 'tests every member at the same group round and removes the test volumes' {
        $site = New-GroupSite
        New-ReplicationGroup -Name app -VolumeName $script:Members | Out-Null
        Sync-VolumeReplica -Group app | Out-Null
        Write-Primary g2 0 61
        Sync-VolumeReplica -Group app | Out-Null
        Write-Primary g1 0 62   # not in round 2

        $results = @(Test-VolumeReplica -Group app)

        $results | Should -HaveCount 3
        @($results.VolumeName | Sort-Object) | Should -Be $script:Members
        foreach ($result in $results) {
            $result.Outcome | Should -Be 'Passed'
            $result.Verified | Should -Match "group 'app' round 2"
            $result.SyncGeneration | Should -Be (Get-VolumeReplica $result.VolumeName).SyncGeneration
            $result.BlocksMismatched | Should -Be 0
        }
        @(Get-Volume | ForEach-Object Name | Sort-Object) | Should -Be $script:Members
    }

    It 'gives NotTestable for every member of a group without a common round' {
        $site = New-GroupSite
        New-ReplicationGroup -Name app -VolumeName $script:Members | Out-Null

        $results = @(Test-VolumeReplica -Group app)

        $results | Should -HaveCount 3
        $results | ForEach-Object { $_.Outcome | Should -Be 'NotTestable'; $_.Reason | Should -Match 'no group round' }
        @(Get-Volume | ForEach-Object Name | Sort-Object) | Should -Be $script:Members
    }
}

Describe 'Backend failover and failback with a group and loose volumes' {
    AfterEach { Remove-ReplicationTestSite $site }

    It 'the group fails over and back as one unit, loose volumes on their own, and the original layout comes back' {
        $site = New-GroupSite -Volumes ($script:Members + 'loose1', 'loose2')
        New-ReplicationGroup -Name app -VolumeName $script:Members | Out-Null
        Sync-VolumeReplica -Group app | Out-Null
        Write-Primary g1 2MB 71
        Write-Primary loose1 2MB 72
        $all = $script:Members + 'loose1', 'loose2'
        $before = Get-PrimaryHashes $all

        $over = @(Invoke-BackendFailover -Name dc1 -Planned -Force)

        $over | Should -HaveCount 5
        $over | ForEach-Object { $_.Succeeded | Should -BeTrue -Because $_.Detail; $_.PrimaryBackend | Should -Be 'dc2' }
        $over | Where-Object VolumeName -In $script:Members | ForEach-Object { $_.Detail | Should -Match "With group 'app'" }
        $over | Where-Object VolumeName -NotIn $script:Members | ForEach-Object { $_.Detail | Should -Not -Match 'With group' }
        foreach ($name in $all) { Get-PrimaryHash $name | Should -Be $before[$name] -Because "'$name' failed over planned" }
        Write-Primary g2 3MB 73   # while dc1 is failed over
        Write-Primary loose2 3MB 74
        $during = Get-PrimaryHashes $all

        $back = @(Invoke-BackendFailback -Name dc1 -Force)

        $back | Should -HaveCount 5
        $back | ForEach-Object { $_.Succeeded | Should -BeTrue -Because $_.Detail; $_.Action | Should -Be 'FailedBack' }
        $back | Where-Object VolumeName -In $script:Members | ForEach-Object { $_.Detail | Should -Match "With group 'app'" }
        $back | Where-Object VolumeName -NotIn $script:Members | ForEach-Object { $_.Detail | Should -Not -Match 'With group' }
        foreach ($name in $all) {
            $replica = Get-VolumeReplica $name
            $replica.PrimaryBackend | Should -Be 'dc1'
            $replica.ReplicaBackend | Should -Be 'dc2'
            $replica.Status | Should -Be 'Active'
            Get-PrimaryHash $name | Should -Be $during[$name] -Because "'$name' keeps the writes made during the failover"
            Get-ReplicaHash $name | Should -Be $during[$name]
        }
        $group = Get-ReplicationGroup app
        $group.PrimaryBackend | Should -Be 'dc1'
        Assert-CommonRound $site (Get-PrimaryHashes) $group.LastRound
        (Get-StorageBackend dc1).FailedOverAt | Should -BeNullOrEmpty
    }
}
