# The kill test's recovery point scenarios (issue 16). v's type keeps points; v holds V0 (a point), V1 (a point whose
# undo log holds what V1 overwrote), and V2 is written for the round the child runs. Killed while that round captures
# its undo log, after it committed it, while applying, or while pruning the oldest point's log: the next round must
# finish, and every point left must read as the version of its round. A promotion at V0's point killed after its
# intent, while writing blocks back, or after its record: the promotion again serves V0. Needs CrashRecovery.psm1.

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

function Initialize-CrashPoints {
    param($c, [int] $Keep = 5)
    Set-VolumeType -Name replicated -ExtraSpec @{ 'replication:recovery_points' = "$Keep" } | Out-Null
    Initialize-CrashSynced $c
    Write-CrashVersion $c v V1 -Seed 12
    Sync-VolumeReplica -Name v | Out-Null
    $c.Rows.v = Get-CrashVolumeRow -Site $c.Site -Name v
    Write-CrashVersion $c v V2 -Seed 13
}

<# Two points before the killed round, and a count of 2: the round prunes V0's point and sweeps its undo log. #>
function Initialize-CrashPointsPruned { param($c) Initialize-CrashPoints $c -Keep 2 }

function Test-KilledCapturing {
    param($c)
    Test-CrashRow $c v @{ ReplicationStatus = 'active'; SyncGeneration = (Get-CrashRound $c 0) }
    Test-CrashCopy $c v $c.Rows.v.ReplicaPath V1 'the replica'
}

function Test-KilledApplyingPoints { param($c) Test-CrashRow $c v @{ ReplicationStatus = 'active'; SyncGeneration = (Get-CrashRound $c 0) } }

function Test-KilledPruning { param($c) Test-CrashRow $c v @{ ReplicationStatus = 'active'; SyncGeneration = (Get-CrashRound $c 1) } }

function Test-KilledRollingBack { param($c) Test-CrashRow $c v @{ Backend = $c.Rows.v.Backend; ReplicationStatus = 'active' } }

<# Every point of v reads as the version of its round: a test volume of each is compared block by block, then removed. #>
function Test-CrashPointsRead {
    param($c, [long[]] $Expected)
    $points = @(Get-VolumeRecoveryPoint -Name v)
    $rounds = @($points | ForEach-Object Round | Sort-Object)
    if (($rounds -join ',') -ne (($Expected | Sort-Object) -join ',')) { Add-CrashProblem $c "v keeps points of rounds $($rounds -join ', '), expected $(($Expected | Sort-Object) -join ', ')" }
    foreach ($point in $points) {
        $label = $c.Rounds.v[$point.Round]
        $name = "pt$($point.Round)"
        if (Invoke-RecoveryStep $c "New-Volume $name -SourceReplica v -RecoveryPoint $($point.Round)" { New-Volume -Name $name -SourceReplica v -RecoveryPoint $point.Round | Out-Null }) {
            Test-CrashCopy $c v (Get-CrashVolumeRow -Site $c.Site -Name $name).PrimaryPath $label "the recovery point of round $($point.Round)"
            Remove-Volume -Name $name -Confirm:$false
        }
    }
}

<#
The next round finishes the killed one (V2) and runs its own, which finds V2 already there (a round of its own only
when the killed one's stamps were not recorded); every point reads right, V0's and V1's through their undo logs.
#>
function Invoke-PointsSyncNext {
    param($c)
    if (Invoke-RecoveryStep $c 'Sync-VolumeReplica v' { Sync-VolumeReplica -Name v | Out-Null }) {
        $now = (Get-CrashVolumeRow -Site $c.Site -Name v).SyncGeneration
        if ($now -lt (Get-CrashRound $c 1)) { Add-CrashProblem $c "v is at round $now, expected the killed round $(Get-CrashRound $c 1) finished" }
        for ($round = (Get-CrashRound $c 2); $round -le $now; $round++) { $c.Rounds.v[$round] = 'V2' }
        Test-CrashRow $c v @{ ReplicationStatus = 'active' }
        [void]$c.SameAsPrimary.Add('v')
        Test-CrashPointsRead $c @((Get-CrashRound $c -1)..$now)
    }
}

<# After a pruning round was killed (count 2): the next round (more writes) prunes again; the two points left read right. #>
function Invoke-PointsPrunedNext {
    param($c)
    Write-CrashVersion $c v V3 -Seed 15 -Round (Get-CrashRound $c 2)
    if (Invoke-RecoveryStep $c 'Sync-VolumeReplica v' { Sync-VolumeReplica -Name v | Out-Null }) {
        Test-CrashRow $c v @{ ReplicationStatus = 'active'; SyncGeneration = (Get-CrashRound $c 2) }
        [void]$c.SameAsPrimary.Add('v')
        Test-CrashPointsRead $c @((Get-CrashRound $c 1), (Get-CrashRound $c 2))
    }
}

<# The promotion at V0's point again: it finishes (or finds finished) the rollback and serves V0. #>
function Invoke-PointPromotionAgain {
    param($c)
    $round = Get-CrashRound $c -1
    if (Invoke-RecoveryStep $c 'Invoke-ReplicaPromotion v -RecoveryPoint again' { Invoke-ReplicaPromotion -Name v -RecoveryPoint $round -Force | Out-Null }) {
        Test-CrashPromoted $c v V0
    }
}

Export-ModuleMember -Function *
