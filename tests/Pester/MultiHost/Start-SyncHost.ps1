<#
.SYNOPSIS
    One automation host of the multi-host test: imports the module, points at the shared PostgreSQL state, waits for the
    start signal, then runs the scheduled sync every host runs (Get-Volume | Sync-VolumeReplica -SkipBusy) and writes
    each round it made, and every error, to a JSON log. Exit code 0 only when the run went to its end.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $ConnectionString,
    [Parameter(Mandatory)] [string] $LogPath,
    [Parameter(Mandatory)] [string] $StartSignal
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$result = [ordered]@{ Host = [Environment]::MachineName; Pid = $PID; Completed = $false; Fatal = $null; Rounds = @(); Errors = @() }
try {
    Import-Module $ModulePath
    Set-ReplicationStateStore -ConnectionString $ConnectionString
    New-Item -ItemType File -Path "$LogPath.ready" -Force | Out-Null
    $deadline = [DateTime]::UtcNow.AddSeconds(120)
    while (-not (Test-Path -LiteralPath $StartSignal)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "No start signal at '$StartSignal' within 120 s." }
        Start-Sleep -Milliseconds 20
    }
    $rounds = [System.Collections.Generic.List[object]]::new()
    # A round holds the volume's lease from before its data timestamp until before its result reaches this pipeline.
    Get-Volume | Sync-VolumeReplica -SkipBusy -ErrorVariable +failures -ErrorAction Continue | ForEach-Object {
        $rounds.Add([ordered]@{ Volume = $_.VolumeName; Started = $_.DataTimestamp.UtcTicks; Ended = [DateTimeOffset]::UtcNow.UtcTicks; Generation = $_.SyncGeneration; Mode = "$($_.Mode)" })
    }
    $result.Rounds = $rounds.ToArray()
    $result.Errors = @($failures | ForEach-Object { "$($_.FullyQualifiedErrorId): $($_.Exception.Message)" })
    $result.Completed = $true
}
catch {
    $result.Fatal = "$($_.FullyQualifiedErrorId): $($_.Exception.Message)`n$($_.ScriptStackTrace)"
}
$result | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $LogPath
exit ([int](-not $result.Completed) * 2)
