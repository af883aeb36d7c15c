# The kill test's New-Volume -SourceVolume scenarios (issue 17): c1 cloned from v (synced, V0 on its primary) by a child
# killed after the clone's first file, or with both files made but c1 not yet available. Repair-ReplicationState must
# roll the creation back (no row, no file); New-Volume -SourceVolume again must make c1 whole: V0 on both its copies,
# replication active. v is only read and must come through untouched. Needs CrashRecovery.psm1 imported.

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

function Test-KilledCloningVolume {
    param($c, [int] $Files)
    $row = Get-CrashVolumeRow $c.Site c1
    Test-CrashRow $c c1 @{ Status = 'creating' }
    if ($row) {
        $c.Rows.c1 = $row
        $n = @(@($row.PrimaryPath, $row.ReplicaPath) | Where-Object { $_ -and (Test-Path -LiteralPath $_) }).Count
        if ($n -ne $Files) { Add-CrashProblem $c "$n of the clone's files exist, expected $Files" }
    }
    Test-CrashRow $c v @{ Status = 'available'; ReplicationStatus = 'active'; SyncGeneration = $c.Rows.v.SyncGeneration }
}
function Test-KilledCloningVolumeOneFile { param($c) Test-KilledCloningVolume $c 1 }
function Test-KilledCloningVolumeBothFiles { param($c) Test-KilledCloningVolume $c 2 }

function Invoke-CloneVolumeGoneByRepair {
    param($c)
    Invoke-RecoveryStep $c 'Repair-ReplicationState' { Repair-ReplicationState -Confirm:$false | Out-Null } | Out-Null
    Test-CrashGone $c c1
    [void]$c.SameAsPrimary.Add('v')
}

function Invoke-CloneVolumeAgain {
    param($c)
    if (Invoke-RecoveryStep $c 'New-Volume c1 -SourceVolume v again' { New-Volume -Name c1 -SourceVolume v | Out-Null }) {
        Test-CrashRow $c c1 @{ Status = 'available'; ReplicationStatus = 'active' }
        $row = Get-CrashVolumeRow $c.Site c1
        Test-CrashCopy $c v $row.PrimaryPath V0 'the clone'
        Test-CrashCopy $c v $row.ReplicaPath V0 "the clone's replica"
        [void]$c.SameAsPrimary.Add('c1')
    }
    if ($c.Rows.Contains('c1')) { Test-CrashFile $c $c.Rows.c1.PrimaryPath $false "the crashed clone's file" }
    [void]$c.SameAsPrimary.Add('v')
}

Export-ModuleMember -Function *
