# Run by tests/Pester/Agents.Tests.ps1 in the controller's namespace: defines an Agent backend on dc1's agent with each
# stranger's certificate (another CA, expired, valid but not pinned) and writes, as JSON, how each attempt failed.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $StatePath,
    [Parameter(Mandatory)] [string] $Settings   # JSON: stranger name -> the backend's settings
)
$ErrorActionPreference = 'Stop'
$WarningPreference = 'SilentlyContinue'
Import-Module $ModulePath
Set-ReplicationStateStore -Path $StatePath
$results = [ordered]@{}
foreach ($stranger in ($Settings | ConvertFrom-Json).PSObject.Properties) {
    $setting = @{}
    $stranger.Value.PSObject.Properties | ForEach-Object { $setting[$_.Name] = $_.Value }
    try {
        New-StorageBackend -Name $stranger.Name -Driver Agent -Setting $setting | Out-Null
        $results[$stranger.Name] = @{ Refused = $false }
    }
    catch {
        $results[$stranger.Name] = @{ Refused = $true; ErrorId = $_.FullyQualifiedErrorId; Message = $_.Exception.Message }
    }
}
[pscustomobject]@{ Results = $results; Backends = @(Get-StorageBackend).Count } | ConvertTo-Json -Depth 4
