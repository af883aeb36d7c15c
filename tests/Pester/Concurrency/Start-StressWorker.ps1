<#
.SYNOPSIS
    Entry point of one stress child process: imports the module, points at the shared state file, runs one worker and
    writes every operation with its outcome to a JSON file. Exit code 0 only when the worker ran to its end.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $StatePath,
    [Parameter(Mandatory)] [int] $WorkerId,
    [Parameter(Mandatory)] [int] $Seed,
    [Parameter(Mandatory)] [int] $Operations,
    [Parameter(Mandatory)] [string] $Names,
    [Parameter(Mandatory)] [string] $LockFolder,
    [Parameter(Mandatory)] [string] $LogPath,
    # Each child says it is ready ($LogPath.ready) and waits for this file, so that all start their operations together.
    [string] $StartSignal
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$result = [ordered]@{ Worker = $WorkerId; Pid = $PID; Seed = $Seed; Completed = $false; Fatal = $null; Operations = @() }
try {
    Import-Module $ModulePath
    . (Join-Path $PSScriptRoot 'StressWorker.ps1')
    Set-ReplicationStateStore -Path $StatePath
    if ($StartSignal) {
        New-Item -ItemType File -Path "$LogPath.ready" -Force | Out-Null
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (-not (Test-Path -LiteralPath $StartSignal)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "No start signal at '$StartSignal' within 60 s." }
            Start-Sleep -Milliseconds 20
        }
    }
    $result.Operations = @(Invoke-ReplicationStressWorker -WorkerId $WorkerId -Seed $Seed -Operations $Operations -Names ($Names -split ',') -LockFolder $LockFolder)
    $result.Completed = $true
}
catch {
    $result.Fatal = "$($_.FullyQualifiedErrorId): $($_.Exception.Message)`n$($_.ScriptStackTrace)"
}
$result | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $LogPath
exit ([int](-not $result.Completed) * 2)
