#Requires -Version 7.0
<#
.SYNOPSIS
    Scheduled DR test: tests the replica of every replicated volume and writes a dated HTML report and JSON file.
.DESCRIPTION
    A runbook for cron, a systemd timer, Windows Task Scheduler or an automation account (see
    docs/Scheduling-DR-Tests.md). It never prompts. It imports the module, optionally points the session at a state
    file, runs Test-VolumeReplica on every replicated volume (or those the filters select), and writes two files into
    the report folder, named by the UTC time of the run:

        dr-test-20250314-093000Z.html   the report (Test-VolumeReplica -ReportPath): a pass/fail banner, a chart of
                                        data age per volume against its RPO target, and a table per volume
        dr-test-20250314-093000Z.json   the same results for a monitor: a summary, the exit code, any errors, and one
                                        entry per volume (ConvertTo-Json -EnumsAsStrings)

    A summary line goes to standard output and errors to standard error, so a scheduler's log or mail shows them.
    Every test is also recorded in the state file: Get-DRTestResult shows the history.

    Exit codes (the process's exit status when run with pwsh -File):
        0  every volume tested passed (its test volume matched the replicated data and its RPO target was met)
        1  at least one volume FAILED its DR test: a damaged replica, a failed check, or data older than the RPO
           target. 1 wins over 2: a proven failure is never hidden by another problem of the same run.
        2  the run could not prove every volume: a volume was not testable (its replica is copying, inactive or
           in error, or the volume is not replicated), a test was interrupted, no volume was selected, Test-VolumeReplica
           reported an error for a volume, or the run itself failed (module not found, state file unusable,
           report folder not writable). Whatever could be written is still written.
.PARAMETER ModulePath
    The module to import: the installed module's name (default), or the path of its manifest, such as
    out/module/Replication.PowerShell/Replication.PowerShell.psd1 after a build.
.PARAMETER Prefix
    The noun prefix to import the module with, as an interactive session next to Windows' Storage module would
    (Import-Module Replication.PowerShell -Prefix DR gives Test-DRVolumeReplica). The runbook calls the module's commands
    through the module it imported, so it also works where the module was already imported with another prefix.
.PARAMETER StatePath
    The state file (Set-ReplicationStateStore -Path). Without it, REPLICATION_POWERSHELL_STATE or the per-user file.
.PARAMETER ReportFolder
    Where the dated reports go; created if missing. Defaults to dr-reports beside the per-user state
    (~/.local/share/Replication.PowerShell/dr-reports on Linux, %LOCALAPPDATA%\Replication.PowerShell\dr-reports on
    Windows).
.PARAMETER VolumeType
    Only replicated volumes of this volume type.
.PARAMETER Name
    Only these volumes (wildcards match). A named volume that is not replicated is reported as not testable.
.PARAMETER RetainDays
    Removes this runbook's reports older than this many days from the report folder after the run; 0 (default) keeps
    them all.
.EXAMPLE
    pwsh -NoProfile -File ./Invoke-ScheduledDRTest.ps1 -StatePath /srv/replication/state.db -ReportFolder /var/lib/dr-reports

    Tests every replicated volume of that state file; exit status 0, 1 or 2.
.EXAMPLE
    pwsh -NoProfile -File ./Invoke-ScheduledDRTest.ps1 -VolumeType gold -Name 'db-*' -RetainDays 90

    Tests the gold volumes whose names start with db-, and keeps 90 days of reports.
#>
[CmdletBinding()]
param(
    [string] $ModulePath = 'Replication.PowerShell',

    [string] $Prefix = '',

    [string] $StatePath,

    [string] $ReportFolder = (Join-Path ([Environment]::GetFolderPath('LocalApplicationData')) 'Replication.PowerShell/dr-reports'),

    [string] $VolumeType,

    [SupportsWildcards()]
    [string[]] $Name,

    [ValidateRange(0, 36500)]
    [int] $RetainDays = 0
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$ConfirmPreference = 'None'   # never prompt, whatever the caller's profile says

$startedAt = [DateTimeOffset]::UtcNow
$stamp = $startedAt.ToString('yyyyMMdd-HHmmss', [Globalization.CultureInfo]::InvariantCulture) + 'Z'
$htmlPath = $null
$jsonPath = $null
$results = @()
$reportRefused = $false
$problems = [Collections.Generic.List[string]]::new()
$exitCode = 2

function Write-Problem([string] $Text) {
    $problems.Add($Text)
    [Console]::Error.WriteLine("Invoke-ScheduledDRTest: $Text")
}

try {
    # The folder first, so that even a run that cannot load the module or open the state leaves its JSON.
    $folder = New-Item -ItemType Directory -Path $ReportFolder -Force
    $htmlPath = Join-Path $folder.FullName "dr-test-$stamp.html"
    $jsonPath = Join-Path $folder.FullName "dr-test-$stamp.json"

    # The module's commands come from the module itself (its ExportedCommands are keyed by their own names), whatever
    # prefix they carry in this session.
    $module = Import-Module $ModulePath -Prefix $Prefix -PassThru -ErrorAction Stop
    function Get-ReplicationCommand([string] $Verb, [string] $Noun) { $module.ExportedCommands["$Verb-$Noun"] }
    if ($StatePath) {
        & (Get-ReplicationCommand Set ReplicationStateStore) -Path $StatePath
    }

    $test = @{ ReportPath = $htmlPath; ErrorAction = 'SilentlyContinue'; ErrorVariable = 'testErrors' }
    if ($Name) { $test.Name = $Name }
    if ($VolumeType) { $test.VolumeType = $VolumeType }
    $results = @(& (Get-ReplicationCommand Test VolumeReplica) @test)
    foreach ($e in $testErrors) {
        # An error record reads as the session shows it: its advice names the commands with the module's prefix.
        Write-Problem "$($e.TargetObject): $($e.FullyQualifiedErrorId): $e"
    }

    # A report folder the module refuses (a backend's folder, say) gets no file of this run at all.
    $reportRefused = @($testErrors | Where-Object { $_.FullyQualifiedErrorId -like 'ReportPathRefused,*' }).Count -gt 0

    if (-not (Test-Path -LiteralPath $htmlPath) -and -not $reportRefused) {
        # Test-VolumeReplica writes a report only when it tested something; the schedule still gets its (empty) page,
        # through the same guarded writer: no test was recorded after this moment.
        Get-DRTestResult -Since ([datetime]::UtcNow) -ReportPath $htmlPath -ErrorAction SilentlyContinue -ErrorVariable reportErrors | Out-Null
        foreach ($e in $reportErrors) { Write-Problem "$($e.FullyQualifiedErrorId): $($e.Exception.Message)" }
        $reportRefused = @($reportErrors | Where-Object { $_.FullyQualifiedErrorId -like 'ReportPathRefused,*' }).Count -gt 0
    }

    if ($results.Count -eq 0) {
        Write-Problem 'No volume was tested: no replicated volume matched.'
    }

    $failed = @($results | Where-Object { "$($_.Outcome)" -eq 'Failed' }).Count
    $unproven = @($results | Where-Object { "$($_.Outcome)" -notin 'Passed', 'Failed' }).Count
    $exitCode = if ($failed -gt 0) { 1 } elseif ($unproven -gt 0 -or $problems.Count -gt 0) { 2 } else { 0 }
}
catch {
    Write-Problem "The DR test run failed: $_"
    $exitCode = if (@($results | Where-Object { "$($_.Outcome)" -eq 'Failed' }).Count -gt 0) { 1 } else { 2 }
}

# The JSON is written even when the run failed, if the folder is there (and the module did not refuse it), so a monitor sees why.
if ($jsonPath -and -not $reportRefused -and (Test-Path -LiteralPath (Split-Path -Parent $jsonPath))) {
    try {
        $count = { param($outcome) @($results | Where-Object { "$($_.Outcome)" -eq $outcome }).Count }
        [ordered]@{
            StartedAt   = $startedAt.ToString('o')
            FinishedAt  = [DateTimeOffset]::UtcNow.ToString('o')
            Computer    = [Environment]::MachineName
            ExitCode    = $exitCode
            Passed      = & $count 'Passed'
            Failed      = & $count 'Failed'
            NotTestable = & $count 'NotTestable'
            Interrupted = & $count 'Interrupted'
            Report      = if ($htmlPath -and (Test-Path -LiteralPath $htmlPath)) { $htmlPath } else { $null }
            Problems    = @($problems)
            Results     = @($results)
        } | ConvertTo-Json -Depth 4 -EnumsAsStrings | Set-Content -LiteralPath $jsonPath -Encoding utf8
    }
    catch {
        Write-Problem "The JSON file could not be written: $($_.Exception.Message)"
        if ($exitCode -eq 0) { $exitCode = 2 }
    }
}

if ($RetainDays -gt 0 -and $htmlPath) {
    $cutoff = [DateTime]::UtcNow.AddDays(-$RetainDays)
    Get-ChildItem -LiteralPath (Split-Path -Parent $htmlPath) -File -Filter 'dr-test-*Z.*' -ErrorAction SilentlyContinue |
        Where-Object { $_.Extension -in '.html', '.json' -and $_.LastWriteTimeUtc -lt $cutoff } |
        Remove-Item -Force -ErrorAction SilentlyContinue
}

$summary = '{0} passed, {1} failed, {2} not testable or interrupted' -f
    @($results | Where-Object { "$($_.Outcome)" -eq 'Passed' }).Count,
    @($results | Where-Object { "$($_.Outcome)" -eq 'Failed' }).Count,
    @($results | Where-Object { "$($_.Outcome)" -notin 'Passed', 'Failed' }).Count
Write-Output "DR test $stamp`: $summary; exit $exitCode; report: $(if ($htmlPath -and (Test-Path -LiteralPath $htmlPath)) { $htmlPath } else { 'none' })"
foreach ($r in $results | Where-Object { "$($_.Outcome)" -ne 'Passed' }) {
    Write-Output "  $($r.VolumeName): $($r.Outcome): $($r.Reason)"
}

exit $exitCode
