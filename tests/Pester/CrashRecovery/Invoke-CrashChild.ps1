<#
.SYNOPSIS
    One child pwsh of the kill test. It imports the module, then waits for its go file (JSON: the state file and the
    operation), so that the parent can start it ahead of time and the module import overlaps other work; then it
    points at the state file and runs the operation. REPLICATION_POWERSHELL_CRASH_AT, set by the parent for this
    process only, makes it SIGKILL itself at a crash point.
    Exit code 0 and the line CRASH-CHILD-DONE: the operation completed; 3: it failed with an error; 4: no go file
    came; 137: SIGKILL.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $GoFile
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
try {
    Import-Module $ModulePath
    $deadline = [DateTime]::UtcNow.AddSeconds(180)
    while (-not [IO.File]::Exists($GoFile)) {
        if ([DateTime]::UtcNow -gt $deadline) { exit 4 }
        Start-Sleep -Milliseconds 3
    }
    # The parent writes the go file under a temporary name and renames it, so it is complete once it exists.
    $go = [IO.File]::ReadAllText($GoFile) | ConvertFrom-Json
    Set-ReplicationStateStore -Path $go.State
    if ($go.ReadyFile) { [IO.File]::WriteAllText($go.ReadyFile, "$PID") }
    & ([scriptblock]::Create($go.Operation)) | Out-Null
    [Console]::Out.WriteLine('CRASH-CHILD-DONE')
    exit 0
}
catch {
    [Console]::Error.WriteLine("$($_.FullyQualifiedErrorId): $($_.Exception.Message)")
    exit 3
}
