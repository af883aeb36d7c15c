# Run by tests/Pester/Agents.Tests.ps1 in the controller's namespace: one Sync-VolumeReplica of a volume on the story's
# state, writing as JSON how it ended (its status, or the error it failed with). With -Repair, a replica a failed round
# left in error is first enabled again (the engine's remedy: it cannot read a native replica's round back to verify it).
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $StatePath,
    [Parameter(Mandatory)] [string] $Volume,
    [switch] $Repair
)
$ErrorActionPreference = 'Stop'
$WarningPreference = 'SilentlyContinue'
Import-Module $ModulePath
Set-ReplicationStateStore -Path $StatePath
try {
    $repaired = $false
    if ($Repair -and [string](Get-VolumeReplica -Name $Volume).Status -eq 'error') {
        Enable-Replication -Name $Volume -Confirm:$false | Out-Null
        $repaired = $true
    }
    $result = Sync-VolumeReplica -Name $Volume
    [pscustomobject]@{ Failed = $false; Repaired = $repaired; Status = [string]$result.Status; Bytes = $result.BytesWritten } | ConvertTo-Json
}
catch {
    [pscustomobject]@{ Failed = $true; ErrorId = $_.FullyQualifiedErrorId; Message = $_.Exception.Message; Status = [string](Get-VolumeReplica -Name $Volume).Status } | ConvertTo-Json
}
