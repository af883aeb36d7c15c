# How build.ps1 -Task Test runs the suites and decides the verdict. A suite's counters alone cannot say it passed: a
# test host that dies mid-run leaves a TRX of the tests that finished with nothing failed (vstest writes its error,
# timeout and aborted counters as 0), a filter that matches nothing runs 0 tests, and Pester makes no test at all from
# an empty -ForEach. So each suite's row carries Problems besides its counts: a runner that exited non-zero, a TRX
# whose outcome is not Completed, fewer tests than tests/minimum-counts.psd1 records, an It that produced no test. Any
# failed test, skipped test or problem turns the run red. tests/Pester/TestRun.Tests.ps1 proves each on a real run.

$ErrorActionPreference = 'Stop'
$script:MinimumCountsPath = Join-Path $PSScriptRoot '../minimum-counts.psd1'

# Environment variables the repository's code reads, and what a test run does with each. A name the code reads that is
# not listed here fails tests/Pester/TestRun.Tests.ps1, so a new one is decided on, not inherited by accident.
$script:Variables = @(
    # Cleared: each changes what a process does, and a test run starts from none of them.
    @{ Name = 'REPLICATION_POWERSHELL_CRASH_AT'; Cleared = $true; Why = 'SIGKILLs any process of the module at the named crash point' }
    @{ Name = 'REPLICATION_POWERSHELL_EXPORT_TOKEN'; Cleared = $true; Why = 'the command token an export service process takes at start' }
    @{ Name = 'REPLICATION_POWERSHELL_STATE'; Cleared = $true; Why = 'the default state file; the run sets its own guard file' }
    @{ Name = 'REPLICATION_TEST_STATE_STORE'; Cleared = $true; Why = 'the engine suite''s store; the run sets it per suite' }
    @{ Name = 'REPLICATION_TEST_HOST_DIES_AT'; Cleared = $true; Why = 'kills the engine test host (the self-test of this module)' }
    @{ Name = 'REPLICATION_MODULE_PATH'; Cleared = $true; Why = 'the module the Pester files import; the run sets the one it built' }
    @{ Name = 'REPLICATION_POWERSHELL_TRUSTED_OWNERS'; Cleared = $true; Why = 'widens whose state files and backend folders the module trusts; the trust tests set it themselves' }
    @{ Name = 'PGHOST'; Cleared = $true; Why = 'filled into a PostgreSQL connection string that names no host' }
    @{ Name = 'PGPORT'; Cleared = $true; Why = 'filled into a PostgreSQL connection string that names no port' }
    @{ Name = 'PGUSER'; Cleared = $true; Why = 'filled into a PostgreSQL connection string that names no user' }
    @{ Name = 'PGDATABASE'; Cleared = $true; Why = 'filled into a PostgreSQL connection string that names no database' }
    # Honoured: documented ways to point the run at a server or to size its stress tests; the run says which it found.
    @{ Name = 'REPLICATION_TEST_POSTGRES'; Cleared = $false; Why = 'a PostgreSQL server for the tests instead of a throw-away one' }
    @{ Name = 'REPLICATION_STRESS_PROCESSES'; Cleared = $false; Why = 'size of the concurrency stress test' }
    @{ Name = 'REPLICATION_STRESS_OPERATIONS'; Cleared = $false; Why = 'size of the concurrency stress test' }
    @{ Name = 'REPLICATION_STRESS_RUNSPACES'; Cleared = $false; Why = 'size of the concurrency stress test' }
    @{ Name = 'REPLICATION_STRESS_RUNSPACE_OPERATIONS'; Cleared = $false; Why = 'size of the concurrency stress test' }
    @{ Name = 'REPLICATION_STRESS_SEED'; Cleared = $false; Why = 'seed of the concurrency stress test' }
    @{ Name = 'REPLICATION_KILL_RUNS'; Cleared = $false; Why = 'runs of the random kill test' }
    @{ Name = 'REPLICATION_KILL_SEED'; Cleared = $false; Why = 'seed of the random kill test' }
    @{ Name = 'DOTNET_HOST_PATH'; Cleared = $false; Why = 'the dotnet host a test host runs under (set by dotnet test), which starts the kit''s killed writer' }
)

function Get-TestRunVariable {
    <#
    .SYNOPSIS
        The environment variables the code reads, each with whether a test run clears or honours it, and why.
    #>
    foreach ($variable in $script:Variables) { [pscustomobject]$variable }
}

function Clear-TestEnvironment {
    <#
    .SYNOPSIS
        Removes every variable a test run clears from this process (children inherit the rest) and returns a line for
        each one that was set, and for each honoured one that is set.
    #>
    foreach ($variable in $script:Variables) {
        $value = [Environment]::GetEnvironmentVariable($variable.Name)
        if ([string]::IsNullOrEmpty($value)) { continue }
        if ($variable.Cleared) {
            [Environment]::SetEnvironmentVariable($variable.Name, $null)
            "Cleared $($variable.Name) ($($variable.Why))."
        }
        else {
            "Honoured $($variable.Name)=$value ($($variable.Why))."
        }
    }
}

function Get-MinimumTestCount {
    <#
    .SYNOPSIS
        The fewest tests a suite may run, as tests/minimum-counts.psd1 records it; $null when it records none.
    #>
    param([Parameter(Mandatory)] [string] $Suite)
    $minimums = Import-PowerShellDataFile -Path $script:MinimumCountsPath
    if ($minimums.ContainsKey($Suite)) { [int]$minimums[$Suite] } else { $null }
}

function New-SuiteResult {
    <#
    .SYNOPSIS
        One row of the run's summary. Problems are what makes a suite red besides failed or skipped tests; the count
        check against the suite's minimum is added here, so every suite gets it.
    #>
    param(
        [Parameter(Mandatory)] [string] $Suite,
        [int] $Passed,
        [int] $Failed,
        [int] $Skipped,
        [string[]] $Problems = @(),
        [Nullable[int]] $Minimum
    )
    $ran = $Passed + $Failed + $Skipped
    $all = [Collections.Generic.List[string]]::new()
    foreach ($problem in $Problems) { if ($problem) { $all.Add($problem) } }
    if ($null -eq $Minimum) {
        $all.Add("no minimum test count is recorded for '$Suite' in tests/minimum-counts.psd1")
    }
    elseif ($ran -lt $Minimum) {
        $all.Add("ran $ran tests, fewer than the $Minimum recorded in tests/minimum-counts.psd1")
    }
    [pscustomobject]@{ Suite = $Suite; Passed = $Passed; Failed = $Failed; Skipped = $Skipped; Problems = $all.ToArray() }
}

function Invoke-WithEnvironment {
    # Runs $Script with the given variables set in this process (so a child inherits them), then puts back what was there.
    param([hashtable] $Environment, [scriptblock] $Script)
    $saved = @{}
    foreach ($name in $Environment.Keys) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, $Environment[$name])
    }
    try { & $Script }
    finally { foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) } }
}

function Invoke-Dotnet {
    # Runs dotnet with the given arguments, its output to the console or, with -LogPath, to that file; returns its exit code.
    param([string[]] $Arguments, [string] $LogPath)
    if ($LogPath) { & dotnet @Arguments *> $LogPath } else { & dotnet @Arguments | Out-Host }
    $LASTEXITCODE
}

function Invoke-XunitSuite {
    <#
    .SYNOPSIS
        Runs one xunit project with dotnet test and returns its row: the TRX counters, and as problems a non-zero exit,
        a missing TRX, a TRX outcome other than Completed (with vstest's own words on why) and a count under the minimum.
    #>
    param(
        [Parameter(Mandatory)] [string] $Suite,
        [Parameter(Mandatory)] [string] $Project,
        [Parameter(Mandatory)] [string] $ResultsFolder,
        [string] $Configuration = 'Release',
        [string] $Filter,
        [hashtable] $Environment = @{},
        [switch] $NoBuild,
        # The fewest tests the run may have; from tests/minimum-counts.psd1 unless given.
        [Nullable[int]] $Minimum = (Get-MinimumTestCount -Suite $Suite),
        # Where dotnet test's output goes instead of the console.
        [string] $LogPath
    )
    $trx = Join-Path $ResultsFolder (($Suite -replace '[^A-Za-z0-9.]+', '-').Trim('-') + '.trx')
    $arguments = @('test', $Project, '-c', $Configuration, '--nologo', '--logger', "trx;LogFileName=$trx", '--results-directory', $ResultsFolder)
    if ($Filter) { $arguments += '--filter', $Filter }
    if ($NoBuild) { $arguments += '--no-build' }
    $exitCode = Invoke-WithEnvironment $Environment { Invoke-Dotnet $arguments $LogPath }

    $problems = @(if ($exitCode -ne 0) { "dotnet test exited with $exitCode" })
    if (-not (Test-Path $trx)) {
        return New-SuiteResult -Suite $Suite -Problems ($problems + 'it wrote no TRX results') -Minimum $Minimum
    }
    $summary = ([xml](Get-Content $trx -Raw)).TestRun.ResultSummary
    if ($summary.outcome -ne 'Completed') {
        # vstest says why in RunInfos ("Test host process crashed", "aborted").
        $why = @($summary.SelectNodes('*[local-name()="RunInfos"]/*/*[local-name()="Text"]') | ForEach-Object InnerText | Select-Object -First 1)
        $problems += "its TRX outcome is '$($summary.outcome)', not 'Completed'" + $(if ($why) { ": $(($why[0].Trim() -split '\r?\n')[0])" })
    }
    $counters = $summary.Counters
    New-SuiteResult -Suite $Suite -Minimum $Minimum -Problems $problems `
        -Passed ([int]$counters.passed) `
        -Failed ([int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted) `
        -Skipped ([int]$counters.total - [int]$counters.executed)
}

function Invoke-PesterSuite {
    <#
    .SYNOPSIS
        Runs Pester on the built module in a fresh pwsh (tests/Pester/Invoke-PesterSuite.ps1) and returns its row: the
        counts, and as problems a non-zero exit, a missing summary, each It that produced no test (an empty -ForEach) and
        a count under the minimum.
    #>
    param(
        [string] $Suite = 'Pester',
        [Parameter(Mandatory)] [string] $PesterPath,
        [Parameter(Mandatory)] [string] $ModulePath,
        [Parameter(Mandatory)] [string] $ResultsFolder,
        # Test files or folders; tests/Pester when not given.
        [string[]] $Path,
        [Nullable[int]] $Minimum = (Get-MinimumTestCount -Suite $Suite),
        # Where Pester's output goes instead of the console.
        [string] $LogPath
    )
    $summaryPath = Join-Path $ResultsFolder (($Suite -replace '[^A-Za-z0-9.]+', '-').Trim('-') + '.json')
    $runner = Join-Path $PSScriptRoot '../Pester/Invoke-PesterSuite.ps1'
    $arguments = @('pwsh', '-NoProfile', '-NonInteractive', '-File', $runner, '-PesterPath', $PesterPath, '-ModulePath', $ModulePath, '-SummaryPath', $summaryPath)
    if ($Path) { $arguments += '-Path', ($Path -join [IO.Path]::PathSeparator) }
    # A fresh pwsh: the module's dll stays loaded in a process once imported, and the runner's own session stays clean.
    $exitCode = Invoke-Dotnet $arguments $LogPath

    $problems = @(if ($exitCode -ne 0) { "Pester's pwsh exited with $exitCode" })
    if (-not (Test-Path $summaryPath)) {
        return New-SuiteResult -Suite $Suite -Problems ($problems + 'it wrote no summary') -Minimum $Minimum
    }
    $result = Get-Content $summaryPath -Raw | ConvertFrom-Json
    foreach ($it in @($result.ItsWithoutTests)) { $problems += "made no test from $it (an empty -ForEach?)" }
    New-SuiteResult -Suite $Suite -Passed $result.Passed -Failed $result.Failed -Skipped $result.Skipped -Problems $problems -Minimum $Minimum
}

function Complete-TestRun {
    <#
    .SYNOPSIS
        Writes the summary table, each problem, and the closing line; returns $true only for a green run: no failed or
        skipped test and no problem in any suite.
    #>
    param([Parameter(Mandatory)] [object[]] $Results, [TimeSpan] $Elapsed)
    $Results | Format-Table Suite, Passed, Failed, Skipped, @{ Label = 'Problems'; Expression = { $_.Problems.Count } } -AutoSize | Out-String | Write-Host
    $problems = @(foreach ($row in $Results) { foreach ($problem in $row.Problems) { "$($row.Suite): $problem" } })
    foreach ($line in $problems) { Write-Host "Problem: $line" }
    $passed = ($Results | Measure-Object Passed -Sum).Sum
    $failed = ($Results | Measure-Object Failed -Sum).Sum
    $skipped = ($Results | Measure-Object Skipped -Sum).Sum
    if ($Elapsed) { Write-Host ("Test run took {0:N0} s." -f $Elapsed.TotalSeconds) }
    if ($skipped -gt 0) { Write-Host "$skipped skipped: a skipped test is not a pass; the run fails." }
    $green = $failed -eq 0 -and $skipped -eq 0 -and $problems.Count -eq 0
    Write-Host ("$passed passed, $failed failed" + $(if ($problems.Count) { ", $($problems.Count) problems: the run fails" }))
    $green
}

Export-ModuleMember -Function Get-TestRunVariable, Clear-TestEnvironment, Get-MinimumTestCount, New-SuiteResult, Invoke-XunitSuite, Invoke-PesterSuite, Complete-TestRun
