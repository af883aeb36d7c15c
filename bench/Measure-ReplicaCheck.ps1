#Requires -Version 7.4
<#
.SYNOPSIS
    What verifying a replica by its content costs: the check an unplanned promotion makes (the replica's allocated data
    read and hashed, then judged against its round's block map), per promotion and per GiB of data, with the page cache
    cold and warm; and what a planned promotion's final sync costs now that it reads the replica too.
.DESCRIPTION
    For each data size, one volume on two backend folders under -WorkFolder (a disk, not tmpfs) whose primary is filled
    with that much random data and synced. Each repetition promotes it unplanned (timed, and the check's own time read
    from its verbose message), re-enables it the other way (not timed), and so on, alternating the sides; cold runs
    drop the page cache first (echo 3 > /proc/sys/vm/drop_caches: run as root on Linux). A volume with no data gives the
    cost every promotion pays anyway. Then planned promotions (final sync: primary and replica read) are timed the same
    way. Pointed at a module built before the check (-ModulePath), it gives the baseline. Prints a table and writes it as JSON to -OutputFile when given. Other work on the machine skews the figures:
    the 1-minute load average is recorded with them, and the fastest run is shown beside the median (on a busy machine
    it is the closer to what the work itself costs).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [double[]] $DataGiB = @(0, 1, 2),
    [int] $Repetitions = 3,
    [string] $WorkFolder = (Join-Path ([IO.Path]::GetTempPath()) ('replica-check-' + [guid]::NewGuid().ToString('N').Substring(0, 8))),
    [string] $OutputFile
)

$ErrorActionPreference = 'Stop'
Import-Module (Resolve-Path -LiteralPath $ModulePath).Path -Force
$canDrop = $IsLinux -and (Test-Path /proc/sys/vm/drop_caches) -and ((& id -u) -eq '0')
if (-not $canDrop) { Write-Warning 'Cannot drop the page cache (needs root on Linux): the cold figures are warm.' }

function Clear-PageCache {
    if ($canDrop) { & sh -c 'sync; echo 3 > /proc/sys/vm/drop_caches' }
}

function Get-Load { [double]((Get-Content /proc/loadavg -Raw) -split ' ')[0] }

# One timed promotion; returns its wall time and the check's own time as the engine reported it.
function Measure-Promotion([string] $Name, [switch] $Planned, [switch] $Cold) {
    if ($Cold) { Clear-PageCache }
    $verbose = $null
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $result = Invoke-ReplicaPromotion -Name $Name -Planned:$Planned -Force -Verbose 4>&1 | Tee-Object -Variable verbose | Where-Object { $_ -isnot [Management.Automation.VerboseRecord] }
    $clock.Stop()
    $check = $verbose | Where-Object { $_ -is [Management.Automation.VerboseRecord] -and $_.Message -like '*checked against round*' } | Select-Object -First 1
    $checkSeconds = if ($check -and $check.Message -match 'checked against round \d+ in (?<v>[\d.]+) (?<u>ms|s)') { [double]$Matches.v / $(if ($Matches.u -eq 'ms') { 1000 } else { 1 }) } else { $null }
    # A module from before the check (the baseline) has no ReplicaVerified.
    if ($result.PSObject.Properties['ReplicaVerified'] -and ($result.DamagedBlocks -ne 0 -or -not $result.ReplicaVerified)) { throw "The promotion of '$Name' did not verify its replica: $($result | Format-List | Out-String)" }
    # Back the other way, untimed: the next repetition promotes again.
    Enable-Replication -Name $Name -Force | Out-Null
    [pscustomobject]@{ Seconds = $clock.Elapsed.TotalSeconds; CheckSeconds = $checkSeconds; Load = Get-Load }
}

New-Item -ItemType Directory -Path $WorkFolder -Force | Out-Null
$rows = [Collections.Generic.List[object]]::new()
try {
    Set-ReplicationStateStore -Path (Join-Path $WorkFolder 'state.db')
    New-StorageBackend -Name dc1 -Path (Join-Path $WorkFolder 'dc1') -ReplicationPartner dc2 | Out-Null
    New-StorageBackend -Name dc2 -Path (Join-Path $WorkFolder 'dc2') -ReplicationPartner dc1 | Out-Null
    New-ReplicatedVolumeType -Name replicated | Out-Null
    foreach ($gib in $DataGiB) {
        $name = 'v{0}' -f ($gib * 10)
        New-Volume -Name $name -SizeBytes ([long][Math]::Max(1, [Math]::Ceiling($gib)) * 1GB) -VolumeType replicated | Out-Null
        if ($gib -gt 0) {
            & dd if=/dev/urandom "of=$((Get-VolumeConnection $name).Path)" bs=4M "count=$([int]($gib * 256))" conv=notrunc status=none
            if ($LASTEXITCODE -ne 0) { throw "dd into '$name' failed" }
        }
        Sync-VolumeReplica -Name $name | Out-Null
        foreach ($kind in 'Unplanned', 'Planned') {
            foreach ($cache in 'warm', 'cold') {
                if ($cache -eq 'warm') { Measure-Promotion $name -Planned:($kind -eq 'Planned') | Out-Null } # fill the cache
                foreach ($i in 1..$Repetitions) {
                    $m = Measure-Promotion $name -Planned:($kind -eq 'Planned') -Cold:($cache -eq 'cold')
                    $rows.Add([pscustomobject]@{ DataGiB = $gib; Promotion = $kind; Cache = $cache; Repetition = $i; Seconds = [Math]::Round($m.Seconds, 3); CheckSeconds = $m.CheckSeconds; Load = $m.Load })
                }
            }
        }
        Remove-Volume -Name $name -Force
    }
}
finally {
    Remove-Item -LiteralPath $WorkFolder -Recurse -Force -ErrorAction SilentlyContinue
}

$summary = $rows | Group-Object DataGiB, Promotion, Cache | ForEach-Object {
    $median = { param($values) $sorted = @($values | Where-Object { $null -ne $_ } | Sort-Object); if ($sorted.Count) { $sorted[[int][Math]::Floor(($sorted.Count - 1) / 2)] } }
    [pscustomobject]@{
        DataGiB           = $_.Group[0].DataGiB
        Promotion         = $_.Group[0].Promotion
        Cache             = $_.Group[0].Cache
        MedianSeconds     = & $median $_.Group.Seconds
        MinSeconds        = ($_.Group.Seconds | Measure-Object -Minimum).Minimum
        MedianCheckSeconds = & $median $_.Group.CheckSeconds
        MinCheckSeconds   = ($_.Group.CheckSeconds | Where-Object { $null -ne $_ } | Measure-Object -Minimum).Minimum
        MaxLoad           = ($_.Group.Load | Measure-Object -Maximum).Maximum
    }
}
$summary | Format-Table -AutoSize | Out-String | Write-Host
if ($OutputFile) { @{ Machine = @{ Cores = [Environment]::ProcessorCount; Kernel = (& uname -r) }; Summary = $summary; Runs = $rows } | ConvertTo-Json -Depth 4 | Set-Content -Path $OutputFile }
