# Run by tests/Pester/Agents.Tests.ps1 in the controller's namespace, on the story's state: -Step Promote promotes the
# replica of a volume while its primary's site cannot be reached (an unplanned promotion); -Step Reenable, once that
# site is back, enables replication again towards it (the engine refuses while the old copy there may hold writes made
# after the failover, so then with -DiscardFencedWrites) and syncs. Writes what it saw as JSON.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $StatePath,
    [Parameter(Mandatory)] [string] $Volume,
    [Parameter(Mandatory)] [ValidateSet('Promote', 'Reenable')] [string] $Step
)
$ErrorActionPreference = 'Stop'
$WarningPreference = 'SilentlyContinue'
Import-Module $ModulePath
Set-ReplicationStateStore -Path $StatePath
$refused = $null
if ($Step -eq 'Promote') {
    Invoke-ReplicaPromotion -Name $Volume -Confirm:$false | Out-Null
}
else {
    try { Enable-Replication -Name $Volume -Confirm:$false | Out-Null }
    catch {
        $refused = $_.Exception.Message
        Enable-Replication -Name $Volume -DiscardFencedWrites -Confirm:$false | Out-Null
    }
    Sync-VolumeReplica -Name $Volume | Out-Null
}
$record = Get-Volume -Name $Volume
$replica = Get-VolumeReplica -Name $Volume
[pscustomobject]@{ Backend = $record.Backend; ReplicaBackend = $replica.ReplicaBackend; Status = [string]$replica.Status; Refused = $refused } | ConvertTo-Json
