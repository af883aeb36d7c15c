<#
.SYNOPSIS
    The disaster-recovery walkthrough: two sites, a replicated volume, failover, failback and a test volume.
.DESCRIPTION
    Runs against a fresh state file and backend folders in a temporary folder (never your default state), prints each
    step, and checks the bytes on both sites after every step; it stops with an error if any check fails.
    Run it through build.ps1 (dotnet pwsh ./build.ps1 -Task Demo), which builds the module first.
.PARAMETER ModulePath
    The module to import: the installed module's name (default), or the built module's manifest (build.ps1 passes
    out/module/Replication.PowerShell/Replication.PowerShell.psd1).
.PARAMETER KeepFiles
    Leaves the temporary folder (state file and volume files) for a look afterwards.
#>
param(
    [string] $ModulePath = 'Replication.PowerShell',
    [switch] $KeepFiles
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force

function Step([string] $Text) { Write-Host "`n== $Text" -ForegroundColor Cyan }
function Show { $input | Format-Table -AutoSize | Out-String -Width 160 | Write-Host }
function Write-At([string] $Path, [long] $Offset, [byte[]] $Bytes) {
    $stream = [IO.File]::Open($Path, 'Open', 'ReadWrite', 'ReadWrite')
    try { $stream.Position = $Offset; $stream.Write($Bytes, 0, $Bytes.Length); $stream.Flush($true) } finally { $stream.Dispose() }
}
function Hash([string] $Path) { (Get-FileHash $Path -Algorithm SHA256).Hash }
function Assert-Same([string] $What, [string] $PathA, [string] $PathB) {
    if ((Hash $PathA) -ne (Hash $PathB)) { throw "Check failed: $What - the two copies differ." }
    Write-Host "check: $What - both copies are byte-identical" -ForegroundColor Green
}
function New-Data([int] $Count, [int] $Seed) { $b = [byte[]]::new($Count); [Random]::new($Seed).NextBytes($b); , $b }

$root = Join-Path ([IO.Path]::GetTempPath()) ("replication-demo-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory $root | Out-Null
try {
    Set-ReplicationStateStore -Path (Join-Path $root 'state.db')
    Write-Host "State file and backend folders: $root"

    Step 'Two data centres, one LocalFile backend each, paired with each other'
    New-StorageBackend -Name dc1 -Driver LocalFile -Path (Join-Path $root 'dc1') -ReplicationPartner dc2 -Capability @{ site = 'north' } | Out-Null
    New-StorageBackend -Name dc2 -Driver LocalFile -Path (Join-Path $root 'dc2') -ReplicationPartner dc1 -Capability @{ site = 'south' } | Out-Null
    Get-StorageBackend | Select-Object Name, Path, ReplicationPartner, @{ n = 'replication'; e = { $_.Capabilities['replication'] } } | Show

    Step 'A replicated volume type (capabilities:replication = "<is> True") and a plain one'
    New-ReplicatedVolumeType -Name replicated -ExtraSpec @{ 'capabilities:site' = '<or> north <or> south' } -Description 'Replicated between dc1 and dc2' | Out-Null
    New-VolumeType -Name scratch -ExtraSpec @{ 'capabilities:site' = 's== south' } | Out-Null
    Get-VolumeType | Show

    Step 'New-Volume db01 (1 GiB): placed by capabilities, replica on the partner'
    New-Volume -Name db01 -SizeBytes 1GB -VolumeType replicated -Verbose 4>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.VerboseRecord]) { Write-Host "  $($_.Message)" } else { $_ } } | Show
    $primary = (Get-VolumeConnection db01).Path
    Write-Host "Hypervisor attach path: $primary"

    Step 'An application writes 8 MiB into the volume file; Sync-VolumeReplica copies only what changed'
    Write-At $primary 0 (New-Data 4MB 1)
    Write-At $primary 700MB (New-Data 4MB 2)
    Get-Volume -VolumeType replicated | Sync-VolumeReplica | Show
    $replicaPath = Join-Path $root "dc2/$(Split-Path $primary -Leaf)"
    Assert-Same 'after the first sync' $primary $replicaPath
    Write-At $primary 300MB (New-Data 64KB 3)
    Sync-VolumeReplica db01 | Show
    Assert-Same 'after an incremental sync of one changed block' $primary $replicaPath
    Get-Volume db* | Get-VolumeReplica | Show

    Step 'DR test: a test volume cloned from the replica while replication keeps running'
    New-Volume -Name db01-drtest -SourceReplica db01 | Show
    Assert-Same 'test volume against the replica' (Get-VolumeConnection db01-drtest).Path $replicaPath
    Remove-Volume db01-drtest -Force

    Step 'dc1 fails: unplanned promotion of the replica on dc2'
    Write-At $primary 500MB (New-Data 1MB 4)   # written at dc1 after the last sync: lost in an unplanned failover
    Start-Sleep -Milliseconds 1500
    Invoke-ReplicaPromotion db01 -Force | Show
    Write-Host "Hypervisor attach path now: $((Get-VolumeConnection db01).Path)"
    Get-VolumeReplica db01 | Format-List VolumeName, PrimaryBackend, ReplicaBackend, Status, ExtendedStatus, ReplicaFenced | Out-String | Write-Host
    try { Sync-VolumeReplica db01 } catch { Write-Host "Refused as it should be: $($_.Exception.Message)" -ForegroundColor Yellow }

    Step 'Work goes on at dc2, then dc1 is back: Enable-Replication resyncs dc2 -> dc1 (only differing blocks)'
    Write-At $replicaPath 100MB (New-Data 2MB 5)
    Enable-Replication db01 -Force -PassThru -Verbose 4>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.VerboseRecord]) { Write-Host "  $($_.Message)" } else { $_ } } | Show
    Assert-Same 'after re-enable, the old primary holds the new primary''s data' $replicaPath $primary

    Step 'Failback, planned: final sync first, zero data loss, then re-enable dc1 -> dc2'
    Invoke-ReplicaPromotion db01 -Planned -Force | Show
    Enable-Replication db01 -Force
    Get-VolumeReplica db01 | Show
    Assert-Same 'after failback' $primary $replicaPath

    Step 'Pause and resume'
    Disable-Replication db01 -Force -PassThru | Show
    Enable-Replication db01 -Force -PassThru | Show

    Step 'The record: every change is an event'
    Get-ReplicationEvent -Name db01 | Select-Object Time, Operation, FromStatus, ToStatus | Show

    Step 'Remove-Volume removes the volume and its replica'
    Remove-Volume db01 -Force
    $left = @(Get-ChildItem (Join-Path $root 'dc1'), (Join-Path $root 'dc2') -Filter 'volume-*')
    if ($left.Count -ne 0) { throw "Check failed: $($left.Count) volume files left behind." }
    Write-Host 'check: no volume files left on either site' -ForegroundColor Green
    Write-Host "`nWalkthrough complete: every check passed."
}
finally {
    Set-ReplicationStateStore -Default
    if ($KeepFiles) { Write-Host "Files kept in $root" }
    else {
        Get-ChildItem $root -Recurse -File | ForEach-Object { $_.IsReadOnly = $false }
        Remove-Item $root -Recurse -Force
    }
}
