# Four automation hosts on one shared PostgreSQL state (issue 8). Four real pwsh processes, each under a host name of its
# own in its own UTS namespace (MultiHost/MultiHost.psm1), run the same scheduled `Get-Volume | Sync-VolumeReplica
# -SkipBusy` over 200 volumes, released at once. The fourth host is killed inside its first round (a crash point after
# the first journal block, as if its machine died). Checked: no volume is synced by two hosts at once, the three live
# hosts split the other 199 volumes between them, each synced exactly once, with no error; the dead host's volume stays
# leased until the lease lapses, then the next run takes it over and finishes it; every replica equals its primary.
# Needs the test PostgreSQL server (REPLICATION_TEST_POSTGRES, set by build.ps1).

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'MultiHost/MultiHost.psm1') -Force
    Enable-DefaultStateGuard
    $volumeCount = 200
    $hostNames = 'host1', 'host2', 'host3', 'host4'
    $database = New-TestPostgresDatabase
    $site = New-ReplicationTestSite
    Set-ReplicationStateStore -ConnectionString $database.ConnectionString
    $names = 1..$volumeCount | ForEach-Object { 'vol{0:D3}' -f $_ }
    $setup = Measure-Command {
        New-PairedBackends -Site $site
        New-ReplicatedVolumeType -Name replicated | Out-Null
        foreach ($name in $names) { New-Volume -Name $name -SizeBytes 4MB -VolumeType replicated | Out-Null }
        # A first round for every volume, so each replica is a consistent copy whose rounds go through a journal.
        Get-Volume | Sync-VolumeReplica | Out-Null
        $seed = 0
        foreach ($name in $names) { Write-VolumeBytes -Path (Get-VolumeConnection -Name $name).Path -Offset 1MB -Bytes (Get-RandomBytes -Count 256KB -Seed (++$seed)) }
    }
    $lastEventBefore = (Get-ReplicationEvent -Newest 1).Id
    $run = Invoke-SyncHosts -Folder (Join-Path $site.Root 'hosts') -ConnectionString $database.ConnectionString -ModulePath $env:REPLICATION_MODULE_PATH -HostNames $hostNames -Victim 'host4'
    $live = @($run.Hosts | Where-Object Host -ne 'host4')
    $victim = $run.Hosts | Where-Object Host -eq 'host4'
    $rounds = @(foreach ($h in $live) { foreach ($round in $h.Rounds) { $round | Add-Member -NotePropertyName Host -NotePropertyValue $h.Host -PassThru } })
    $runEvents = @(Get-ReplicationEvent | Where-Object { $_.Id -gt $lastEventBefore -and $_.Operation -eq 'SyncReplica' })
    Write-Host ("  setup: {0} volumes created, first-synced and written in {1:N1} s" -f $volumeCount, $setup.TotalSeconds)
    Write-Host ("  run: {0} hosts released at once, done in {1:N1} s; rounds per live host: {2}; overlaps: {3}" -f $hostNames.Count, $run.Seconds,
        (($live | ForEach-Object { '{0}={1}' -f $_.Host, @($_.Rounds).Count }) -join ', '), @(Test-RoundOverlap -Rounds $rounds).Count)
}

AfterAll {
    Remove-ReplicationTestSite $site
    Remove-TestPostgresDatabase $database
    Remove-DefaultStateGuard
}

Describe 'Four hosts share a scheduled sync of 200 volumes on one PostgreSQL state' {
    It 'each host ran under its own host name; the three live ones ran to the end without an error' {
        $run.Hosts.Reported | Where-Object { $_ } | Should -Be @('host1', 'host2', 'host3')
        foreach ($h in $live) {
            $h.Fatal | Should -BeNullOrEmpty
            $h.Completed | Should -BeTrue
            $h.ExitCode | Should -Be 0
            $h.Errors | Should -BeNullOrEmpty -Because "$($h.Host) must skip busy volumes, not fail on them"
        }
    }

    It 'the fourth host died inside its first round and wrote no log' {
        $victim.Completed | Should -BeFalse
        $victim.ExitCode | Should -Not -Be 0
        $victim.Rounds | Should -BeNullOrEmpty
    }

    It 'no volume was synced by two hosts at once' {
        Test-RoundOverlap -Rounds $rounds | Should -BeNullOrEmpty
    }

    It 'the live hosts synced every other volume exactly once between them, and each did a share' {
        $rounds.Count | Should -Be ($volumeCount - 1)
        @($rounds.Volume | Sort-Object -Unique).Count | Should -Be ($volumeCount - 1)
        foreach ($h in $live) { @($h.Rounds).Count | Should -BeGreaterThan 0 -Because "$($h.Host) should take some of the work" }
    }

    It 'the state agrees: one SyncReplica event per synced volume, each by the host that reported it' {
        $runEvents.Count | Should -Be ($volumeCount - 1)
        foreach ($round in $rounds) {
            $event = @($runEvents | Where-Object ObjectName -eq $round.Volume)
            $event.Count | Should -Be 1
            $event[0].Actor | Should -BeLike "*@$($round.Host) (*"
        }
    }

    It 'the dead host still holds the lease of the one volume nobody synced, until it lapses' {
        $leases = @(Get-LeaseRows -Database $database.Name)
        $leases.Count | Should -Be 1
        $leases[0].Actor | Should -BeLike '*@host4 (*'
        $leases[0].Volume | Should -Not -BeIn $rounds.Volume
    }

    It 'once the lease lapsed, the next scheduled run takes the volume over and finishes it' {
        $lease = @(Get-LeaseRows -Database $database.Name)[0]
        $wait = $lease.ExpiresAt - [DateTimeOffset]::UtcNow + [TimeSpan]::FromSeconds(1)
        if ($wait -gt [TimeSpan]::Zero) { Start-Sleep -Milliseconds $wait.TotalMilliseconds }
        Write-Host ("  takeover: waited {0:N1} s for the dead host's lease on '{1}' to lapse" -f [Math]::Max(0, $wait.TotalSeconds), $lease.Volume)

        $messages = Get-Volume | Sync-VolumeReplica -SkipBusy -Verbose 4>&1
        $results = @($messages | Where-Object { $_ -is [Replication.Engine.Model.SyncResult] })
        $verbose = @($messages | Where-Object { $_ -is [Management.Automation.VerboseRecord] }).Message

        $verbose | Where-Object { $_ -like "*'$($lease.Volume)'*lapsed*taken over*" } | Should -Not -BeNullOrEmpty
        ($results | Where-Object VolumeName -eq $lease.Volume).BytesWritten | Should -BeGreaterThan 0
        $results.Count | Should -Be $volumeCount
        @(Get-LeaseRows -Database $database.Name).Count | Should -Be 0
    }

    It 'at the end every replica is active and byte-identical to its primary' {
        $replicas = @(Get-VolumeReplica)
        $replicas.Count | Should -Be $volumeCount
        $replicas | Where-Object Status -ne 'active' | Should -BeNullOrEmpty
        $different = foreach ($name in $names) {
            $primary = Get-FileHash -Path (Get-VolumeConnection -Name $name).Path -Algorithm SHA256
            $replica = Get-FileHash -Path (Get-ReplicaFile -VolumeName $name) -Algorithm SHA256
            if ($primary.Hash -ne $replica.Hash) { $name }
        }
        $different | Should -BeNullOrEmpty
    }
}
