# The kill test's snapshot scenarios (issue 17). New-VolumeSnapshot of v (synced, V0) killed with its copy whole and
# renamed but not recorded: Repair-ReplicationState, or New-VolumeSnapshot again, must remove that file (no row names
# it); again must leave s1 recorded, holding V0. Remove-VolumeSnapshot killed after the record went: the file is a
# leftover for Repair or the next snapshot command. Remove-Volume -Force killed after the mark: the snapshot records
# went with it, and finishing the removal removes their files. New-Volume -Snapshot killed mid-create: rolled back
# by Repair, whole (V0 on both copies) when run again. v itself is never changed. Needs CrashRecovery.psm1 imported.

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

function Get-CrashSnapshotFiles {
    <# Every file in the snapshot folders of dc1 and dc2 (a .partial one too). #>
    param($c)
    @(foreach ($folder in $c.Site.Dc1, $c.Site.Dc2) {
            $snapshots = Join-Path $folder '.replication/snapshots'
            if (Test-Path -LiteralPath $snapshots) { Get-ChildItem -LiteralPath $snapshots -File -Force | ForEach-Object FullName }
        })
}

function Get-CrashSnapshotRows { param($c) @(Invoke-CrashStateQuery -Site $c.Site -Sql 'SELECT name, location, backend FROM volume_snapshots ORDER BY name') }

<# v synced at V0, with snapshot s1 of it. #>
function Initialize-CrashSnapshotted { param($c) Initialize-CrashSynced $c; New-VolumeSnapshot -Volume v -Name s1 | Out-Null }

function Test-KilledSnapshotting {
    param($c)
    if (@(Get-CrashSnapshotRows $c).Count -ne 0) { Add-CrashProblem $c 'a snapshot was recorded although the command was killed before recording it' }
    $files = @(Get-CrashSnapshotFiles $c)
    if ($files.Count -ne 1 -or $files[0] -like '*.partial') { Add-CrashProblem $c "expected one whole, unrecorded snapshot file, found: $($files -join ', ')" }
    Test-CrashRow $c v @{ Status = 'available'; ReplicationStatus = 'active'; SyncGeneration = $c.Rows.v.SyncGeneration }
}

function Test-KilledRemovingSnapshot {
    param($c)
    if (@(Get-CrashSnapshotRows $c).Count -ne 0) { Add-CrashProblem $c 'the snapshot is still recorded although its record went first' }
    if (@(Get-CrashSnapshotFiles $c).Count -ne 1) { Add-CrashProblem $c 'the snapshot file should still be there right after the kill' }
}

function Test-KilledDeletingWithSnapshots {
    param($c)
    Test-CrashRow $c v @{ Status = 'deleting' }
    if (@(Get-CrashSnapshotRows $c).Count -ne 0) { Add-CrashProblem $c "the snapshot records should have gone with the mark 'deleting'" }
}

function Test-CrashSnapshotsClean {
    <# No snapshot file is left that no record names. #>
    param($c)
    $recorded = @(Get-CrashSnapshotRows $c | ForEach-Object location)
    foreach ($file in Get-CrashSnapshotFiles $c) {
        if ((Split-Path -Leaf $file) -notin $recorded) { Add-CrashProblem $c "snapshot file no record names: $file" }
    }
}

function Invoke-SnapshotLeftoverByRepair {
    param($c)
    Invoke-RecoveryStep $c 'Repair-ReplicationState' { Repair-ReplicationState -Confirm:$false | Out-Null } | Out-Null
    if (@(Get-CrashSnapshotFiles $c).Count -ne 0) { Add-CrashProblem $c "Repair-ReplicationState left snapshot files: $((Get-CrashSnapshotFiles $c) -join ', ')" }
    Test-CrashSnapshotsClean $c
    [void]$c.SameAsPrimary.Add('v')
}

function Invoke-SnapshotAgain {
    param($c)
    if (Invoke-RecoveryStep $c 'New-VolumeSnapshot v -Name s1 again' { New-VolumeSnapshot -Volume v -Name s1 | Out-Null }) {
        $rows = @(Get-CrashSnapshotRows $c)
        $files = @(Get-CrashSnapshotFiles $c)
        if ($rows.Count -ne 1 -or $files.Count -ne 1) { Add-CrashProblem $c "expected s1 recorded with one file, found $($rows.Count) rows and files $($files -join ', ')" }
        else { Test-CrashCopy $c v $files[0] V0 'snapshot s1' }
    }
    Test-CrashSnapshotsClean $c
    [void]$c.SameAsPrimary.Add('v')
}

function Invoke-RemoveWithSnapshotsAgain {
    param($c)
    Invoke-RecoveryStep $c 'Remove-Volume v -Force again' { Remove-Volume -Name v -Force } | Out-Null
    Test-CrashGone $c v
    if (@(Get-CrashSnapshotFiles $c).Count -ne 0) { Add-CrashProblem $c "snapshot files left after the volume went: $((Get-CrashSnapshotFiles $c) -join ', ')" }
    [void]$c.Gone.Add('v')
}

function Invoke-RemoveWithSnapshotsByRepair {
    param($c)
    Invoke-RecoveryStep $c 'Repair-ReplicationState' { Repair-ReplicationState -Confirm:$false | Out-Null } | Out-Null
    Test-CrashGone $c v
    if (@(Get-CrashSnapshotFiles $c).Count -ne 0) { Add-CrashProblem $c "snapshot files left after the volume went: $((Get-CrashSnapshotFiles $c) -join ', ')" }
    [void]$c.Gone.Add('v')
}

function Test-KilledRestoring {
    param($c, [int] $Files)
    $row = Get-CrashVolumeRow $c.Site r1
    Test-CrashRow $c r1 @{ Status = 'creating' }
    if ($row) {
        $c.Rows.r1 = $row
        $n = @(@($row.PrimaryPath, $row.ReplicaPath) | Where-Object { $_ -and (Test-Path -LiteralPath $_) }).Count
        if ($n -ne $Files) { Add-CrashProblem $c "$n of the new volume's files exist, expected $Files" }
    }
}
function Test-KilledRestoringOneFile { param($c) Test-KilledRestoring $c 1 }
function Test-KilledRestoringBothFiles { param($c) Test-KilledRestoring $c 2 }

function Invoke-RestoreGoneByRepair {
    param($c)
    Invoke-RecoveryStep $c 'Repair-ReplicationState' { Repair-ReplicationState -Confirm:$false | Out-Null } | Out-Null
    Test-CrashGone $c r1
    Test-CrashSnapshotsClean $c
    [void]$c.SameAsPrimary.Add('v')
}

function Invoke-RestoreAgain {
    param($c)
    if (Invoke-RecoveryStep $c 'New-Volume r1 -Snapshot s1 again' { New-Volume -Name r1 -Snapshot s1 | Out-Null }) {
        Test-CrashRow $c r1 @{ Status = 'available'; ReplicationStatus = 'active' }
        $row = Get-CrashVolumeRow $c.Site r1
        Test-CrashCopy $c v $row.PrimaryPath V0 'the volume from snapshot s1'
        Test-CrashCopy $c v $row.ReplicaPath V0 "the replica of the volume from snapshot s1"
        [void]$c.SameAsPrimary.Add('r1')
    }
    Test-CrashSnapshotsClean $c
    [void]$c.SameAsPrimary.Add('v')
}

Export-ModuleMember -Function *
