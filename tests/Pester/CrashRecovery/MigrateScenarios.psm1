# The kill test's Move-Volume scenarios (issue 17): v (16 MiB, synced, nothing written since) moved from dc1/dc2 to
# dc3/dc4 by a child killed after the move was recorded as pending, in the middle of the bulk copy, after both new
# copies were made, and after the volume was recorded on dc3. Before that record the move must be undone (the copies
# begun on dc3/dc4 removed, v still served from dc1 at its round); after it, finished (the copies left on dc1/dc2
# removed). Moved, v holds V0 on both new copies. Needs CrashRecovery.psm1 imported.

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

<# v synced on dc1/dc2, and a second pair dc3/dc4 in the site's folder. #>
function Initialize-CrashMovable {
    param($c)
    Initialize-CrashSynced $c
    $c.Site | Add-Member -NotePropertyName Dc3 -NotePropertyValue (Join-Path $c.Site.Root 'dc3') -Force
    $c.Site | Add-Member -NotePropertyName Dc4 -NotePropertyValue (Join-Path $c.Site.Root 'dc4') -Force
    New-StorageBackend -Name dc3 -Path $c.Site.Dc3 -ReplicationPartner dc4 -WarningAction SilentlyContinue | Out-Null
    New-StorageBackend -Name dc4 -Path $c.Site.Dc4 -ReplicationPartner dc3 | Out-Null
}

<# Killed before the move was recorded on dc3: the row still says dc1/dc2, active, at its round. #>
function Test-KilledMoving { param($c) Test-CrashRow $c v @{ Status = 'available'; Backend = 'dc1'; ReplicaBackend = 'dc2'; ReplicationStatus = 'active' } }

<# Killed after the switch: the row says dc3/dc4, the old copies are still on dc1/dc2. #>
function Test-KilledMovedRecorded {
    param($c)
    Test-CrashRow $c v @{ Status = 'available'; Backend = 'dc3'; ReplicaBackend = 'dc4'; ReplicationStatus = 'active' }
    Test-CrashFile $c $c.Rows.v.PrimaryPath $true 'the old primary the killed move had not removed yet'
}

<# Nothing of v on dc3/dc4; v on dc1/dc2, V0 on both copies (at its round, unless -Synced: a round ran since). #>
function Test-CrashMoveUndone {
    param($c, [switch] $Synced)
    $expect = @{ Backend = 'dc1'; ReplicaBackend = 'dc2'; ReplicationStatus = 'active' }
    if ($Synced) { [void]$c.SameAsPrimary.Add('v') } else { $expect.SyncGeneration = $c.Rows.v.SyncGeneration }
    Test-CrashRow $c v $expect
    Test-CrashCopy $c v $c.Rows.v.PrimaryPath V0 'the primary'
    foreach ($folder in $c.Site.Dc3, $c.Site.Dc4) {
        foreach ($file in Get-ChildItem -LiteralPath $folder -Filter 'volume-*' -File -ErrorAction SilentlyContinue) { Add-CrashProblem $c "a copy the undone move began is left: $($file.FullName)" }
    }
}

<# v on dc3/dc4, V0 on both copies, nothing of it left on dc1/dc2. #>
function Test-CrashMoved {
    param($c)
    Test-CrashRow $c v @{ Backend = 'dc3'; ReplicaBackend = 'dc4'; ReplicationStatus = 'active' }
    $row = Get-CrashVolumeRow -Site $c.Site -Name v
    Test-CrashCopy $c v $row.PrimaryPath V0 'the moved primary'
    Test-CrashCopy $c v $row.ReplicaPath V0 'the moved replica'
    Test-CrashFile $c $c.Rows.v.PrimaryPath $false 'the old primary on dc1'
    Test-CrashFile $c $c.Rows.v.ReplicaPath $false 'the old replica on dc2'
    # Its new round is the move; nothing was written since, so the replica must equal the primary.
    [void]$c.SameAsPrimary.Add('v')
}

function Invoke-MoveUndoneByRepair { param($c) Invoke-CrashRepairStep $c; Test-CrashMoveUndone $c }

function Invoke-MoveUndoneBySync {
    param($c)
    Invoke-RecoveryStep $c 'Sync-VolumeReplica v' { Sync-VolumeReplica -Name v | Out-Null } | Out-Null
    Test-CrashMoveUndone $c -Synced
}

function Invoke-MoveFinishedByRepair { param($c) Invoke-CrashRepairStep $c; Test-CrashMoved $c }

function Invoke-MoveFinishedBySync {
    param($c)
    Invoke-RecoveryStep $c 'Sync-VolumeReplica v' { Sync-VolumeReplica -Name v | Out-Null } | Out-Null
    Test-CrashMoved $c
}

<# The same Move-Volume again settles what was left and moves v (or finds it moved). #>
function Invoke-MoveAgain {
    param($c)
    Invoke-RecoveryStep $c 'Move-Volume v again' { Move-Volume -Name v -Backend dc3 } | Out-Null
    Test-CrashMoved $c
}

Export-ModuleMember -Function *
