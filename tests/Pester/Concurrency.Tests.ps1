# Concurrency stress (issue 6): several real pwsh processes, then several runspaces of one process, run a seeded random
# mix of create / write / sync / pause / re-enable / promote (planned and unplanned) + re-enable / clone / remove on a
# shared pool of volume names against ONE state file and one pair of backends. Expected refusals (another worker got
# there first) are fine; anything else fails. Afterwards every invariant is checked with the cmdlets, with raw rows of
# the state file and with the files on disk, and every replica is brought up to date and compared byte for byte.
#
# The workers take a harness lock per volume name (not the module's) around "write bytes into the volume file",
# Invoke-ReplicaPromotion and Enable-Replication only, so the test never writes into what became a fenced copy or a
# replica behind the module's back (the module would rightly refuse with FencedCopyChanged: chmod does not stop root);
# every module operation still races every other one.
#
# Bounded: the defaults below take about 8 s on 2 cores (6 x 300 plus 6 x 200 about 25 s). Override with
# REPLICATION_STRESS_PROCESSES, REPLICATION_STRESS_OPERATIONS, REPLICATION_STRESS_RUNSPACES,
# REPLICATION_STRESS_RUNSPACE_OPERATIONS and REPLICATION_STRESS_SEED (the mix is reproducible from the seed; the
# interleaving is not).

BeforeDiscovery {
    $stress = @{
        Processes          = [int]($env:REPLICATION_STRESS_PROCESSES ?? 4)
        Operations         = [int]($env:REPLICATION_STRESS_OPERATIONS ?? 100)
        Runspaces          = [int]($env:REPLICATION_STRESS_RUNSPACES ?? 4)
        RunspaceOperations = [int]($env:REPLICATION_STRESS_RUNSPACE_OPERATIONS ?? 50)
        PoolSize           = 8
        Seed               = [int]($env:REPLICATION_STRESS_SEED ?? 6)
    }
}

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'Concurrency/StressChecks.psm1') -Force
    Enable-DefaultStateGuard
}

AfterAll {
    Remove-DefaultStateGuard
}

Describe 'Concurrency: <Processes> pwsh processes x <Operations> operations on <PoolSize> shared volume names, one state file' -ForEach $stress {
    BeforeAll {
        $site = New-ReplicationStory
        $names = New-StressPool -PoolSize $PoolSize -Seed $Seed
        $before = Get-LastEventId
        $run = Invoke-StressInProcesses -Site $site -Processes $Processes -Operations $Operations -Names $names -Seed $Seed -ModulePath $env:REPLICATION_MODULE_PATH
        $after = Get-LastEventId
        $opLog = Get-StressOperations $run
        Write-StressFigures -Title "Stress, $Processes processes x $Operations operations" -Run $run -Operations $opLog -Seed $Seed
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'every child pwsh ran all its operations and exited cleanly' {
        Test-StressWorkers -Run $run -Operations $Operations | Should -BeNullOrEmpty
        $opLog.Count | Should -BeGreaterOrEqual ($Processes * $Operations)
    }

    It 'no operation failed other than by an expected refusal (no StateStoreBusy, UnexpectedError, ConcurrentChange, SyncJournalCorrupt...)' {
        Test-StressOutcomes -Operations $opLog | Should -BeNullOrEmpty
        @($opLog | Where-Object Ok).Count | Should -BeGreaterThan 0 -Because 'a run where nothing succeeds proves nothing'
    }

    It 'state: no duplicate names or ids, every volume available, no lease or block map left behind' {
        Test-StressStateRows -Site $site | Should -BeNullOrEmpty
    }

    It 'files: every primary and replica exists at the volume size; no orphan volume file, journal or stray file' {
        Test-StressFiles -Site $site | Should -BeNullOrEmpty
    }

    It 'events: every successful operation recorded exactly its events, and no event lacks one' {
        $events = @(Get-ReplicationEvent | Where-Object { $_.Id -gt $before -and $_.Id -le $after })
        Test-StressEvents -Operations $opLog -Events $events -Pids @($run.Workers.Pid) | Should -BeNullOrEmpty
    }

    It 'history: per volume, each recorded change starts where the previous one left off and the last one is its status' {
        Test-StressHistory | Should -BeNullOrEmpty
    }

    It 'after a final sync of every replica (at once, no VolumeBusy), primary and replica are byte-identical' {
        $figures = @{}
        Invoke-StressFinalSync -Figures $figures | Should -BeNullOrEmpty
        $figures.VolumesCompared | Should -BeGreaterThan 0
        $figures.FinalSyncSeconds | Should -BeLessThan 10 -Because 'no lease may be left to wait for'
        Write-Host ("  final: {0} replicated volumes synced in {1:N1} s and compared byte for byte" -f $figures.VolumesCompared, $figures.FinalSyncSeconds)
    }
}

Describe 'Concurrency: <Runspaces> ForEach-Object -Parallel runspaces x <RunspaceOperations> operations in one process' -ForEach $stress {
    BeforeAll {
        $site = New-ReplicationStory
        $names = New-StressPool -PoolSize $PoolSize -Seed ($Seed + 1)
        $before = Get-LastEventId
        $run = Invoke-StressInRunspaces -Site $site -Runspaces $Runspaces -Operations $RunspaceOperations -Names $names -Seed ($Seed + 1) -ModulePath $env:REPLICATION_MODULE_PATH
        $after = Get-LastEventId
        $opLog = Get-StressOperations $run
        Write-StressFigures -Title "Stress, $Runspaces runspaces x $RunspaceOperations operations" -Run $run -Operations $opLog -Seed ($Seed + 1)
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'every runspace ran all its operations' {
        Test-StressWorkers -Run $run -Operations $RunspaceOperations | Should -BeNullOrEmpty
        $opLog.Count | Should -BeGreaterOrEqual ($Runspaces * $RunspaceOperations)
    }

    It 'no operation failed other than by an expected refusal' {
        Test-StressOutcomes -Operations $opLog | Should -BeNullOrEmpty
        @($opLog | Where-Object Ok).Count | Should -BeGreaterThan 0
    }

    It 'state: no duplicate names or ids, every volume available, no lease or block map left behind' {
        Test-StressStateRows -Site $site | Should -BeNullOrEmpty
    }

    It 'files: every primary and replica exists at the volume size; no orphan volume file, journal or stray file' {
        Test-StressFiles -Site $site | Should -BeNullOrEmpty
    }

    It 'events: every successful operation recorded exactly its events, and no event lacks one' {
        $events = @(Get-ReplicationEvent | Where-Object { $_.Id -gt $before -and $_.Id -le $after })
        Test-StressEvents -Operations $opLog -Events $events -Pids @($PID) | Should -BeNullOrEmpty
    }

    It 'history: per volume, each recorded change starts where the previous one left off and the last one is its status' {
        Test-StressHistory | Should -BeNullOrEmpty
    }

    It 'after a final sync of every replica, primary and replica are byte-identical' {
        $figures = @{}
        Invoke-StressFinalSync -Figures $figures | Should -BeNullOrEmpty
        $figures.VolumesCompared | Should -BeGreaterThan 0
        Write-Host ("  final: {0} replicated volumes synced in {1:N1} s and compared byte for byte" -f $figures.VolumesCompared, $figures.FinalSyncSeconds)
    }
}
