# The seed story on two agent backends, run by tests/Pester/Agents.Tests.ps1 in the controller's namespace: backends
# dc1 and dc2 on their sites' agents, a replicated volume written at dc1 (as a hypervisor there would write its file),
# synced, promoted to dc2 (planned), written there, replicated back to dc1. Writes what it saw as JSON.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $StatePath,
    [Parameter(Mandatory)] [string] $Dc1Setting,
    [Parameter(Mandatory)] [string] $Dc2Setting,
    [Parameter(Mandatory)] [string] $Dc1Storage,
    [Parameter(Mandatory)] [string] $Dc2Storage,
    [Parameter(Mandatory)] [string] $Interfaces,
    [int] $SizeMiB = 64
)
$ErrorActionPreference = 'Stop'
$WarningPreference = 'SilentlyContinue'   # stdout is the JSON the test reads
Import-Module $ModulePath
Import-Module (Join-Path $PSScriptRoot 'SiteScript.psm1')
Set-ReplicationStateStore -Path $StatePath

function Write-Site([string] $Path, [long] $Offset, [int] $Count, [int] $Seed) {
    $bytes = [byte[]]::new($Count)
    [Random]::new($Seed).NextBytes($bytes)
    $stream = [IO.File]::Open($Path, 'Open', 'ReadWrite', 'ReadWrite')
    try { $stream.Position = $Offset; $stream.Write($bytes, 0, $bytes.Length); $stream.Flush($true) } finally { $stream.Dispose() }
}

function Get-Sha256([string] $Path) { (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash }

New-StorageBackend -Name dc1 -Driver Agent -Setting (ConvertTo-Hashtable $Dc1Setting) -ReplicationPartner dc2 | Out-Null
New-StorageBackend -Name dc2 -Driver Agent -Setting (ConvertTo-Hashtable $Dc2Setting) -ReplicationPartner dc1 | Out-Null
New-ReplicatedVolumeType -Name replicated | Out-Null
$volume = New-Volume -Name v1 -SizeBytes ([long]$SizeMiB * 1MB) -VolumeType replicated
$file = "volume-$($volume.Id).img"
$dc1File = Join-Path $Dc1Storage $file
$dc2File = Join-Path $Dc2Storage $file

Write-Site $dc1File 0 ($SizeMiB * 1MB) 1
$before = Get-ControllerBytes $Interfaces
$firstSync = Sync-VolumeReplica -Name v1
$controllerBytes = (Get-ControllerBytes $Interfaces) - $before
$afterFirst = @{ Dc1 = Get-Sha256 $dc1File; Dc2 = Get-Sha256 $dc2File }

Invoke-ReplicaPromotion -Name v1 -Planned -Confirm:$false | Out-Null
$promoted = Get-Volume -Name v1
$dc1Fenced = -not ((Get-Item $dc1File).UnixFileMode -band [IO.UnixFileMode]::UserWrite)
Write-Site $dc2File (3MB) (1MB) 2
Enable-Replication -Name v1 -Confirm:$false | Out-Null
Sync-VolumeReplica -Name v1 | Out-Null
$replica = Get-VolumeReplica -Name v1
# Where a hypervisor at dc2 attaches the volume.
$connection = Get-VolumeConnection -Name v1

[pscustomobject]@{
    File            = $file
    FirstSyncStatus = [string]$firstSync.Status
    FirstSyncBytes  = $firstSync.BytesWritten
    FirstSyncMode   = [string]$firstSync.Mode
    ControllerBytes = $controllerBytes
    AfterFirst      = $afterFirst
    PromotedBackend = $promoted.Backend
    Dc1Fenced       = $dc1Fenced
    ReplicaBackend  = $replica.ReplicaBackend
    ReplicaStatus   = [string]$replica.Status
    ConnectionType  = $connection.DriverVolumeType
    ConnectionPath  = $connection.Path
    Dc1             = Get-Sha256 $dc1File
    Dc2             = Get-Sha256 $dc2File
} | ConvertTo-Json -Depth 4
