<#
.SYNOPSIS
    The body of a background export service. Start-VolumeExport starts this script in a PowerShell process of its own
    (never run it by hand: it serves only what Start-VolumeExport then adds, and ends when its last volume is removed).
#>
param(
    [Parameter(Mandatory)] [string] $Address,
    [Parameter(Mandatory)] [int] $Port,
    [Parameter(Mandatory)] [int] $IdleTimeoutMilliseconds,
    [Parameter(Mandatory)] [int] $ConnectionsPerClient
)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'Replication.PowerShell.psd1')
exit [Replication.PowerShell.Export.ExportServiceHost]::Run($Address, $Port, $IdleTimeoutMilliseconds, $ConnectionsPerClient)
