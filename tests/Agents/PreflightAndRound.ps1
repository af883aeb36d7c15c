# Run by tests/Pester/AgentOps.Tests.ps1 in the controller's namespace: backends dc1 and dc2 on their sites' agents, a
# replicated volume with data written at dc1, Test-ReplicationPartnership of the pair, then one sync. Writes the checks
# and the round as JSON.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $StatePath,
    [Parameter(Mandatory)] [string] $Dc1Setting,
    [Parameter(Mandatory)] [string] $Dc2Setting,
    [Parameter(Mandatory)] [string] $Dc1Storage,
    [int] $SizeMiB = 32,
    [int] $DataMiB = 12
)
$ErrorActionPreference = 'Stop'
$WarningPreference = 'SilentlyContinue'   # stdout is the JSON the test reads
Import-Module $ModulePath
Import-Module (Join-Path $PSScriptRoot 'SiteScript.psm1')
Set-ReplicationStateStore -Path $StatePath

New-StorageBackend -Name dc1 -Driver Agent -Setting (ConvertTo-Hashtable $Dc1Setting) -ReplicationPartner dc2 | Out-Null
New-StorageBackend -Name dc2 -Driver Agent -Setting (ConvertTo-Hashtable $Dc2Setting) -ReplicationPartner dc1 | Out-Null
New-ReplicatedVolumeType -Name replicated | Out-Null
$volume = New-Volume -Name v1 -SizeBytes ([long]$SizeMiB * 1MB) -VolumeType replicated
$file = Join-Path $Dc1Storage "volume-$($volume.Id).img"
# Data at dc1, as a hypervisor there would write it: the rest of the volume stays a hole.
$bytes = [byte[]]::new($DataMiB * 1MB)
[Random]::new(7).NextBytes($bytes)
$stream = [IO.File]::Open($file, 'Open', 'ReadWrite', 'ReadWrite')
try { $stream.Write($bytes, 0, $bytes.Length); $stream.Flush($true) } finally { $stream.Dispose() }

$checks = @(Test-ReplicationPartnership -Backend dc1 | Select-Object Check, Backend, Passed, Severity, Detail)
$sync = Sync-VolumeReplica -Name v1
[pscustomobject]@{
    Checks      = $checks
    VolumeId    = [string]$volume.Id
    SyncStatus  = [string]$sync.Status
    SyncBytes   = $sync.BytesWritten
} | ConvertTo-Json -Depth 4
