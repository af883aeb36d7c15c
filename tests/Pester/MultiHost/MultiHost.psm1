# The multi-host harness: pwsh processes as automation hosts, each in a UTS namespace of its own under its own host
# name (as on separate machines, no host can see another's processes, so the lease of a dead host lapses only when it
# expires), all on one PostgreSQL state; and the checks of what they did. Each Test-* function returns the problems it
# found as strings (none when all is well).

$script:EntryScript = Join-Path $PSScriptRoot 'Start-SyncHost.ps1'

function Invoke-SyncHosts {
    <#
    .SYNOPSIS
        Starts one pwsh per host name, releases them together, waits for all, and returns each host's log and exit code.
        The host named by -Victim runs with a crash point armed: it kills itself inside its first journaled round.
    #>
    param([Parameter(Mandatory)] [string] $Folder, [Parameter(Mandatory)] [string] $ConnectionString, [Parameter(Mandatory)] [string] $ModulePath,
        [Parameter(Mandatory)] [string[]] $HostNames, [string] $Victim, [string] $CrashPoint = 'journal.after-block', [int] $TimeoutSeconds = 300)
    New-Item -ItemType Directory -Path $Folder -Force | Out-Null
    $signal = Join-Path $Folder 'start'
    $pwsh = Get-PwshCommand
    # As root, a new UTS namespace needs nothing more; otherwise a user namespace makes the caller root inside it.
    $namespaces = if ((& id -u) -eq '0') { @('--uts') } else { @('--user', '--map-root-user', '--uts') }
    $children = foreach ($name in $HostNames) {
        $log = Join-Path $Folder "$name.json"
        $start = [Diagnostics.ProcessStartInfo]::new('unshare')
        foreach ($argument in @($namespaces) + @('--', 'sh', '-c', 'hostname "$0" && exec "$@"', $name, 'env')) { $start.ArgumentList.Add($argument) }
        if ($name -eq $Victim) { $start.ArgumentList.Add("REPLICATION_POWERSHELL_CRASH_AT=$CrashPoint") }
        foreach ($argument in @($pwsh.File) + @($pwsh.Prefix) + @('-NoProfile', '-NonInteractive', '-File', $script:EntryScript,
                '-ModulePath', $ModulePath, '-ConnectionString', $ConnectionString, '-LogPath', $log, '-StartSignal', $signal)) {
            $start.ArgumentList.Add($argument)
        }
        $start.UseShellExecute = $false
        $process = [Diagnostics.Process]::Start($start)
        [pscustomobject]@{ Host = $name; Process = $process; LogPath = $log }
    }

    $readyBy = [DateTime]::UtcNow.AddSeconds(120)
    while (@($children | Where-Object { -not (Test-Path -LiteralPath "$($_.LogPath).ready") -and -not $_.Process.HasExited }).Count -gt 0) {
        if ([DateTime]::UtcNow -gt $readyBy) { break }
        Start-Sleep -Milliseconds 20
    }
    $watch = [Diagnostics.Stopwatch]::StartNew()
    New-Item -ItemType File -Path $signal | Out-Null
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    $hosts = foreach ($child in $children) {
        $exited = $child.Process.WaitForExit([int][Math]::Max(0, ($deadline - [DateTime]::UtcNow).TotalMilliseconds))
        if (-not $exited) { $child.Process.Kill($true); $child.Process.WaitForExit() }
        $log = if (Test-Path -LiteralPath $child.LogPath) { Get-Content -LiteralPath $child.LogPath -Raw | ConvertFrom-Json } else { $null }
        [pscustomobject]@{
            Host      = $child.Host
            ExitCode  = if ($exited) { $child.Process.ExitCode } else { 'killed after the timeout' }
            Completed = [bool]($log -and $log.Completed)
            Reported  = if ($log) { $log.Host } else { $null }
            Fatal     = if ($log) { $log.Fatal } else { 'no log written' }
            Errors    = if ($log) { @($log.Errors) } else { @() }
            Rounds    = if ($log) { @($log.Rounds) } else { @() }
        }
    }
    [pscustomobject]@{ Hosts = @($hosts); Seconds = $watch.Elapsed.TotalSeconds }
}

function Test-RoundOverlap {
    <#
    .SYNOPSIS
        Rounds of one volume whose lease-held intervals (data timestamp to result) overlap: two hosts at once.
    #>
    param([Parameter(Mandatory)] [object[]] $Rounds)
    foreach ($volume in $Rounds | Group-Object Volume) {
        $sorted = @($volume.Group | Sort-Object Started)
        for ($i = 1; $i -lt $sorted.Count; $i++) {
            if ($sorted[$i].Started -lt $sorted[$i - 1].Ended) {
                "'$($volume.Name)' was synced by $($sorted[$i - 1].Host) and $($sorted[$i].Host) at once"
            }
        }
    }
}

function Get-LeaseRows {
    <#
    .SYNOPSIS
        The volume leases in the shared database, read with psql as a DBA would (no cmdlet shows leases).
    #>
    param([Parameter(Mandatory)] [string] $Database)
    foreach ($line in @(Invoke-TestPostgresSql -Database $Database -Sql 'SELECT l.volume_id, v.name, l.actor, l.expires_at FROM volume_leases l LEFT JOIN volumes v ON v.id = l.volume_id;')) {
        if (-not $line) { continue }
        $id, $name, $actor, $expires = "$line" -split '\|'
        [pscustomobject]@{ VolumeId = $id; Volume = $name; Actor = $actor; ExpiresAt = [DateTimeOffset]::Parse($expires, [Globalization.CultureInfo]::InvariantCulture) }
    }
}

Export-ModuleMember -Function Invoke-SyncHosts, Test-RoundOverlap, Get-LeaseRows
