# The kill test's Resize-Volume scenarios (issue 17): v (16 MiB, synced, nothing written since) grown to 24 MiB by a
# child killed after the grow was recorded as asked (no copy grown yet), after growing the replica alone, or after
# growing both copies but before recording the size. Whatever settles it (Repair-ReplicationState, the next sync,
# Resize-Volume again) finishes the grow from what was asked: both copies at 24 MiB, recorded, the replica at its
# recorded round with the old data intact and zeros after it. Needs CrashRecovery.psm1 imported.

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

<# Killed while growing: the state still records the old size, replication still active. #>
function Test-KilledResizing { param($c) Test-CrashRow $c v @{ SizeBytes = 16MB; Status = 'available'; ReplicationStatus = 'active' } }

<# Both copies at $Size, recorded; the replica holds the primary's bytes (old data, then zeros) at its recorded round. #>
function Test-CrashResized {
    param($c, [long] $Size)
    Test-CrashRow $c v @{ SizeBytes = $Size; ReplicationStatus = 'active' }
    [void]$c.SameAsPrimary.Add('v')
    Test-CrashReplicaRecorded $c v
    $old = $c.Versions.v.V0
    $now = Get-BlockHashes (Get-CrashVolumeRow -Site $c.Site -Name v).PrimaryPath
    for ($i = 0; $i -lt $old.Count; $i++) {
        if ($now[$i] -ne $old[$i]) { Add-CrashProblem $c "block $i of v's primary changed across the grow"; break }
    }
}

function Invoke-ResizeSettledByRepair {
    param($c, [long] $Size)
    Invoke-RecoveryStep $c 'Repair-ReplicationState' { Repair-ReplicationState -Confirm:$false | Out-Null } | Out-Null
    Test-CrashResized $c $Size
}

<# The grow was recorded as asked: finished to 24 MiB, however far the copies had grown. #>
function Invoke-ResizeFinishedByRepair { param($c) Invoke-ResizeSettledByRepair $c 24MB }

<# The next sync finishes the recorded grow first, then runs its round. #>
function Invoke-ResizeFinishedBySync {
    param($c)
    Invoke-RecoveryStep $c 'Sync-VolumeReplica v' { Sync-VolumeReplica -Name v | Out-Null } | Out-Null
    Test-CrashResized $c 24MB
}

<# The same Resize-Volume again settles what was left and completes the grow. #>
function Invoke-ResizeAgain {
    param($c)
    Invoke-RecoveryStep $c 'Resize-Volume v again' { Resize-Volume -Name v -SizeBytes 24MB -Confirm:$false } | Out-Null
    Test-CrashResized $c 24MB
}

Export-ModuleMember -Function *
