# Run by bench/Measure-AgentTransfer.ps1 in the controller's namespace: one step of the transfer benchmark on its own
# state file. Setup makes the two agent backends and the volumes (and 'warm', 1 MiB); Sync times one
# Sync-VolumeReplica. Writes JSON.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $StatePath,
    [Parameter(Mandatory)] [ValidateSet('Setup', 'Sync')] [string] $Step,
    [string] $Dc1Setting,
    [string] $Dc2Setting,
    [string] $Interfaces,
    [string] $Volume,
    [long] $SizeBytes
)
$ErrorActionPreference = 'Stop'
$WarningPreference = 'SilentlyContinue'   # stdout is the JSON the bench reads
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
Import-Module (Join-Path $PSScriptRoot '../tests/Agents/SiteScript.psm1')
Set-ReplicationStateStore -Path $StatePath

if ($Step -eq 'Setup') {
    New-StorageBackend -Name dc1 -Driver Agent -Setting (ConvertTo-Hashtable $Dc1Setting) -ReplicationPartner dc2 | Out-Null
    New-StorageBackend -Name dc2 -Driver Agent -Setting (ConvertTo-Hashtable $Dc2Setting) -ReplicationPartner dc1 | Out-Null
    New-ReplicatedVolumeType -Name replicated | Out-Null
    $files = foreach ($name in $Volume -split ',') {
        $created = New-Volume -Name $name -SizeBytes $SizeBytes -VolumeType replicated
        [pscustomobject]@{ Name = $name; File = "volume-$($created.Id).img" }
    }
    New-Volume -Name warm -SizeBytes 1MB -VolumeType replicated | Out-Null
    Sync-VolumeReplica -Name warm | Out-Null
    ConvertTo-Json -InputObject @($files)
    return
}

# A round of the small unchanged volume first: the Agent driver loaded, its channels open, the code warmed up, so the
# time is the transfer's and not the module's first use in a fresh process.
Sync-VolumeReplica -Name warm | Out-Null
$before = Get-ControllerBytes $Interfaces
$clock = [Diagnostics.Stopwatch]::StartNew()
$result = Sync-VolumeReplica -Name $Volume
$clock.Stop()
[pscustomobject]@{ Seconds = $clock.Elapsed.TotalSeconds; BytesWritten = $result.BytesWritten; Status = [string]$result.Status; ControllerBytes = (Get-ControllerBytes $Interfaces) - $before } | ConvertTo-Json
