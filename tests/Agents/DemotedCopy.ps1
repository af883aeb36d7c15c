# Run by tests/Pester/Agents.Tests.ps1 in the controller's namespace once a site demoted while away is back: writes to
# its copy through the Agent driver's device path (what the engine and an export open), and runs a round from a copy of
# the state taken before the promotion (a controller whose state is behind). Writes what each was told as JSON.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $StatePath,
    [Parameter(Mandatory)] [string] $StaleStatePath,
    [Parameter(Mandatory)] [string] $Backend,
    [Parameter(Mandatory)] [string] $Location,
    [Parameter(Mandatory)] [string] $Volume
)
$ErrorActionPreference = 'Stop'
$WarningPreference = 'SilentlyContinue'
Import-Module $ModulePath

$engine = [Replication.Engine.ReplicationEngine]::OpenSqlite($StatePath)
$session = $engine.Context.Store.Begin($false)
try {
    $record = $session.ListBackends() | Where-Object Name -eq $Backend
    $settings = [Collections.Generic.Dictionary[string, string]]::new([StringComparer]::OrdinalIgnoreCase)
    foreach ($setting in $record.Settings.GetEnumerator()) { $settings[$setting.Key] = $setting.Value }
    $config = [Replication.Drivers.BackendConfiguration]::new($record.Name, $settings, $record.StoreId.ToString('D'))
}
finally { $session.Dispose() }

$driverRefusal = $null
try {
    $device = $engine.Context.Drivers.Get('Agent').Contract.Open($config, $Location, [Replication.Drivers.DeviceAccess]::ReadWrite)
    try { $device.Write(0, [byte[]](1..64), 0, 64); $device.Flush() } finally { $device.Dispose() }
}
catch { $driverRefusal = $_.Exception.GetBaseException().Message }

$staleRefusal = $null
Set-ReplicationStateStore -Path $StaleStatePath
try { Sync-VolumeReplica -Name $Volume | Out-Null }
catch { $staleRefusal = "$($_.FullyQualifiedErrorId): $($_.Exception.Message)" }

[pscustomobject]@{ DriverRefusal = $driverRefusal; StaleRefusal = $staleRefusal } | ConvertTo-Json
