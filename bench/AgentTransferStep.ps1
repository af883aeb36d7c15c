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
Set-ReplicationStateStore -Path $StatePath

function ConvertTo-Hashtable([string] $Json) {
    $table = @{}
    ($Json | ConvertFrom-Json).PSObject.Properties | ForEach-Object { $table[$_.Name] = $_.Value }
    $table
}

# Bytes the controller's interfaces received and sent, from the kernel's counters in this namespace.
function Get-ControllerBytes {
    $total = 0L
    foreach ($interface in $Interfaces -split ',') {
        foreach ($counter in 'rx_bytes', 'tx_bytes') { $total += [long](Get-Content "/sys/class/net/$interface/statistics/$counter") }
    }
    $total
}

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
$before = Get-ControllerBytes
$clock = [Diagnostics.Stopwatch]::StartNew()
$result = Sync-VolumeReplica -Name $Volume
$clock.Stop()
[pscustomobject]@{ Seconds = $clock.Elapsed.TotalSeconds; BytesWritten = $result.BytesWritten; Status = [string]$result.Status; ControllerBytes = (Get-ControllerBytes) - $before } | ConvertTo-Json
