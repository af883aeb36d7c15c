<#
.SYNOPSIS
    Run by a host process: imports the module, syncs a replicated volume (its file I/O goes through Polly), and writes
    one JSON line saying which Microsoft.Bcl.AsyncInterfaces the host holds, which one the module got, and whether the
    replica matches.
#>
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'

# What the host's default load context holds under this name before the module is imported.
$hostCopy = [System.Runtime.Loader.AssemblyLoadContext]::Default.LoadFromAssemblyName([Reflection.AssemblyName]'Microsoft.Bcl.AsyncInterfaces')
Import-Module $ModulePath
$root = Join-Path ([IO.Path]::GetTempPath()) ("rp-loading-" + [guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory $root | Out-Null
try {
    Set-ReplicationStateStore -Path (Join-Path $root 'state.db')
    New-StorageBackend -Name dc1 -Driver LocalFile -Path (Join-Path $root 'dc1') -ReplicationPartner dc2 | Out-Null
    New-StorageBackend -Name dc2 -Driver LocalFile -Path (Join-Path $root 'dc2') -ReplicationPartner dc1 | Out-Null
    New-ReplicatedVolumeType -Name replicated | Out-Null
    New-Volume -Name v1 -SizeBytes 4MB -VolumeType replicated | Out-Null
    $primary = (Get-VolumeConnection v1).Path
    $stream = [IO.File]::Open($primary, 'Open', 'ReadWrite', 'ReadWrite')
    try { $stream.Position = 1MB; $stream.Write([byte[]](1..255) * 256, 0, 65280) } finally { $stream.Dispose() }
    $status = (Sync-VolumeReplica v1).Status
    $replica = Join-Path $root "dc2/$(Split-Path $primary -Leaf)"
    $moduleCopy = [AppDomain]::CurrentDomain.GetAssemblies() |
        Where-Object { $_.GetName().Name -eq 'Microsoft.Bcl.AsyncInterfaces' -and $_ -ne $hostCopy } | Select-Object -First 1
    [pscustomobject]@{
        HostAsyncInterfaces    = $hostCopy.GetName().Version.ToString()
        ModuleAsyncInterfaces  = if ($moduleCopy) { $moduleCopy.GetName().Version.ToString() } else { $null }
        ModuleLoadContext      = if ($moduleCopy) { [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($moduleCopy).Name } else { $null }
        ModuleCopyPath         = if ($moduleCopy) { $moduleCopy.Location } else { $null }
        SyncStatus             = "$status"
        ReplicaMatches         = (Get-FileHash $primary).Hash -eq (Get-FileHash $replica).Hash
    } | ConvertTo-Json -Compress
}
finally {
    Set-ReplicationStateStore -Default
    Get-ChildItem $root -Recurse -File | ForEach-Object { $_.IsReadOnly = $false }
    Remove-Item $root -Recurse -Force
}
