<#
.SYNOPSIS
    One child pwsh of the kill test: imports the module, points at the site's state file and runs one operation.
    REPLICATION_POWERSHELL_CRASH_AT (set by the parent for this process only) makes it SIGKILL itself at a crash point.
    Exit code 0 and the line CRASH-CHILD-DONE: the operation completed; 3: it failed with an error; 137: SIGKILL.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $StatePath,
    [Parameter(Mandatory)] [string] $Operation,
    # Created just before the operation starts, so a parent that kills at a random time can aim at the operation.
    [string] $ReadyFile
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
try {
    Import-Module $ModulePath
    Set-ReplicationStateStore -Path $StatePath
    if ($ReadyFile) { [IO.File]::WriteAllText($ReadyFile, "$PID") }
    & ([scriptblock]::Create($Operation)) | Out-Null
    [Console]::Out.WriteLine('CRASH-CHILD-DONE')
    exit 0
}
catch {
    [Console]::Error.WriteLine("$($_.FullyQualifiedErrorId): $($_.Exception.Message)")
    exit 3
}
