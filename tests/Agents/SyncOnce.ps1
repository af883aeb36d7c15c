# Run by tests/Pester/Agents.Tests.ps1 in the controller's namespace: one Sync-VolumeReplica of a volume on the story's
# state, writing as JSON how it ended (its status, or the error it failed with).
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $StatePath,
    [Parameter(Mandatory)] [string] $Volume
)
$ErrorActionPreference = 'Stop'
$WarningPreference = 'SilentlyContinue'
Import-Module $ModulePath
Set-ReplicationStateStore -Path $StatePath
try {
    $result = Sync-VolumeReplica -Name $Volume
    [pscustomobject]@{ Failed = $false; Status = [string]$result.Status; Bytes = $result.BytesWritten } | ConvertTo-Json
}
catch {
    [pscustomobject]@{ Failed = $true; ErrorId = $_.FullyQualifiedErrorId; Message = $_.Exception.Message; Status = [string](Get-VolumeReplica -Name $Volume).Status } | ConvertTo-Json
}
