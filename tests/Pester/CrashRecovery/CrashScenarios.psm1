# The kill test's scenarios: setups (what state an operation needs), checks right after a kill (the operation did not
# complete), and the recoveries a user would run with what each must leave. Each takes the case's context ($c, from
# New-CrashContext); problems are recorded with Add-CrashProblem, and any unexpected error ends the case.
# Volume 'v' is the one operated on; 'keep' is a bystander that must come through every crash untouched.

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

function Get-CrashRound { param($c, [int] $Plus) $c.Rows.v.SyncGeneration + $Plus }

# ------------------------------------------------------------------------------------------------------------ setups

function Initialize-CrashKeep { param($c) New-CrashVolume $c keep -Seed 101 | Out-Null }

function Initialize-CrashSynced { param($c) Initialize-CrashKeep $c; New-CrashVolume $c v -Seed 11 | Out-Null }

<# v's replica holds V0 (recorded); its primary holds V1, not synced yet. #>
function Initialize-CrashChanged { param($c) Initialize-CrashSynced $c; Write-CrashVersion $c v V1 -Seed 12 }

<# v paused (active-stopped) at V0; V1 written since. #>
function Initialize-CrashPaused { param($c) Initialize-CrashSynced $c; Disable-Replication -Name v | Out-Null; Write-CrashVersion $c v V1 -Seed 12 }

<# v promoted (unplanned): the former replica serves V0, the fenced old primary holds V1; more writes to the new primary. #>
function Initialize-CrashPromoted {
    param($c)
    Initialize-CrashChanged $c
    Invoke-ReplicaPromotion -Name v -Force | Out-Null
    Write-ScatteredData -Path (Get-CrashVolumeRow $c.Site v).PrimaryPath -Seed 13
    [void]$c.SameAsPrimary.Add('v')
}

<# v's replica file vanished behind the module's back and Repair recorded the fault (error); writes since. #>
function Initialize-CrashFaulted {
    param($c)
    Initialize-CrashSynced $c
    Remove-Item -LiteralPath $c.Rows.v.ReplicaPath
    $found = @(Repair-ReplicationState -Confirm:$false | Where-Object Kind -EQ 'MissingReplica')
    if ($found.Count -ne 1) { throw 'Setup: Repair-ReplicationState did not find the missing replica.' }
    Write-ScatteredData -Path $c.Rows.v.PrimaryPath -Seed 12
    [void]$c.SameAsPrimary.Add('v')
}

# ------------------------------------------------------------------------------------- right after a kill: not done

function Test-KilledCreating {
    param($c, [int] $Files)
    $row = Get-CrashVolumeRow $c.Site v
    Test-CrashRow $c v @{ Status = 'creating' }
    if ($row) {
        $c.Rows.v = $row
        $n = @(@($row.PrimaryPath, $row.ReplicaPath) | Where-Object { $_ -and (Test-Path -LiteralPath $_) }).Count
        if ($n -ne $Files) { Add-CrashProblem $c "$n of the new volume's files exist, expected $Files" }
    }
}
function Test-KilledCreatingOneFile { param($c) Test-KilledCreating $c 1 }
function Test-KilledCreatingBothFiles { param($c) Test-KilledCreating $c 2 }

function Test-KilledCloning {
    param($c)
    $row = Get-CrashVolumeRow $c.Site t1
    Test-CrashRow $c t1 @{ Status = 'creating' }
    if ($row) { $c.Rows.t1 = $row }
    Test-CrashRow $c v @{ ReplicationStatus = 'active'; SyncGeneration = (Get-CrashRound $c 0) }
}

function Test-KilledCloneBeforeStart {
    param($c)
    Test-KilledApplying $c
    if (Get-CrashVolumeRow $c.Site t1) { Add-CrashProblem $c 't1 has a row although the clone was killed before it began' }
}

function Test-KilledDeletingIntact {
    param($c)
    Test-CrashRow $c v @{ Status = 'deleting' }
    Test-CrashCopy $c v $c.Rows.v.PrimaryPath V0 'the primary'
    Test-CrashCopy $c v $c.Rows.v.ReplicaPath V0 'the replica'
}

function Test-KilledDeletingHalf {
    param($c)
    Test-CrashRow $c v @{ Status = 'deleting' }
    Test-CrashCopy $c v $c.Rows.v.PrimaryPath V0 'the primary'
    Test-CrashFile $c $c.Rows.v.ReplicaPath $false 'the replica'
}

function Test-KilledJournalOpen {
    param($c)
    Test-CrashRow $c v @{ SyncGeneration = (Get-CrashRound $c 0) }
    Test-CrashFile $c "$($c.Rows.v.JournalPath).tmp" $true 'the uncommitted journal'
    Test-CrashFile $c $c.Rows.v.JournalPath $false 'a committed journal'
    Test-CrashCopy $c v $c.Rows.v.ReplicaPath V0 'the replica'
}

function Test-KilledJournalCommitted {
    param($c)
    Test-CrashRow $c v @{ SyncGeneration = (Get-CrashRound $c 0) }
    Test-CrashFile $c $c.Rows.v.JournalPath $true 'the committed journal'
    Test-CrashCopy $c v $c.Rows.v.ReplicaPath V0 'the replica'
}

function Test-KilledApplying {
    param($c)
    Test-CrashRow $c v @{ SyncGeneration = (Get-CrashRound $c 0) }
    Test-CrashFile $c $c.Rows.v.JournalPath $true 'the committed journal'
}

function Test-KilledApplied {
    param($c)
    Test-KilledApplying $c
    Test-CrashCopy $c v $c.Rows.v.ReplicaPath V1 'the replica'
}

function Test-KilledRecorded {
    param($c)
    Test-CrashRow $c v @{ SyncGeneration = (Get-CrashRound $c 1) }
    Test-CrashFile $c $c.Rows.v.JournalPath $true 'the journal of the recorded round'
    Test-CrashCopy $c v $c.Rows.v.ReplicaPath V1 'the replica'
}

function Test-KilledStillPrimary { param($c) Test-CrashRow $c v @{ Backend = $c.Rows.v.Backend; ReplicationStatus = 'active' } }

function Test-KilledFenced {
    param($c)
    Test-KilledStillPrimary $c
    if (-not (Get-Item -LiteralPath $c.Rows.v.PrimaryPath).IsReadOnly) { Add-CrashProblem $c 'the old primary is not fenced (read-only) yet' }
}

function Test-KilledSwapped { param($c) Test-CrashRow $c v @{ Backend = $c.Rows.v.ReplicaBackend; ReplicationStatus = 'inactive'; ReplicaFenced = $true } }

function Test-KilledCopying { param($c) Test-CrashRow $c v @{ ReplicationStatus = 'copying'; ReplicaFenced = $false } }

function Test-KilledNowActive { param($c) Test-CrashRow $c v @{ ReplicationStatus = 'active' } }

function Test-KilledStillPaused { param($c) Test-CrashRow $c v @{ ReplicationStatus = 'active-stopped' } }

# ------------------------------------------------------------------------------------------------------- recoveries

function Invoke-CrashRepairStep { param($c) Invoke-RecoveryStep $c 'Repair-ReplicationState' { Repair-ReplicationState -Confirm:$false | Out-Null } | Out-Null }

<# New-Volume v again: completes (available, active, both copies equal); the crashed creation's files are gone. #>
function Invoke-NewAgain {
    param($c)
    if (Invoke-RecoveryStep $c 'New-Volume v again' { New-Volume -Name v -SizeBytes 16MB -VolumeType replicated | Out-Null }) {
        Test-CrashRow $c v @{ Status = 'available'; ReplicationStatus = 'active' }
        [void]$c.SameAsPrimary.Add('v')
    }
    if ($c.Rows.Contains('v')) {
        Test-CrashFile $c $c.Rows.v.PrimaryPath $false "the crashed creation's primary file"
        if ($c.Rows.v.ReplicaPath) { Test-CrashFile $c $c.Rows.v.ReplicaPath $false "the crashed creation's replica file" }
    }
}

<# Repair rolls the creation back (no row, no files); the name can be used again. #>
function Invoke-RollBackByRepair { param($c) Invoke-CrashRepairStep $c; Test-CrashGone $c v; Invoke-NewAgain $c }

function Invoke-RollBackPlainByRepair { param($c) Invoke-CrashRepairStep $c; Test-CrashGone $c v; [void]$c.Gone.Add('v') }

function Invoke-CloneGoneByRepair { param($c) Invoke-CrashRepairStep $c; Test-CrashGone $c t1 }

function Invoke-CloneAgain {
    param($c, [string] $Label)
    if (Invoke-RecoveryStep $c 'New-Volume t1 -SourceReplica v again' { New-Volume -Name t1 -SourceReplica v | Out-Null }) {
        Test-CrashRow $c t1 @{ Status = 'available' }
        Test-CrashCopy $c v (Get-CrashVolumeRow $c.Site t1).PrimaryPath $Label 'the test volume'
    }
    if ($c.Rows.Contains('t1')) { Test-CrashFile $c $c.Rows.t1.PrimaryPath $false "the crashed clone's file" }
}
function Invoke-CloneAgainV0 { param($c) Invoke-CloneAgain $c V0 }
<# The clone first finishes the killed round (V1 recorded) and copies V1. #>
function Invoke-CloneAgainV1 { param($c) Invoke-CloneAgain $c V1; Test-CrashRow $c v @{ SyncGeneration = (Get-CrashRound $c 1) } }

<# Remove-Volume, as the error for a half-created name advises, cleans up a creation whose process died. #>
function Invoke-RemoveHalfCreated { param($c) Invoke-RecoveryStep $c 'Remove-Volume v' { Remove-Volume -Name v -Confirm:$false } | Out-Null; Test-CrashGone $c v; [void]$c.Gone.Add('v') }

function Invoke-RemoveAgain { param($c) Invoke-RecoveryStep $c 'Remove-Volume v again' { Remove-Volume -Name v -Confirm:$false } | Out-Null; Test-CrashGone $c v; [void]$c.Gone.Add('v') }

function Invoke-RemovedByRepair { param($c) Invoke-CrashRepairStep $c; Test-CrashGone $c v; [void]$c.Gone.Add('v') }

<# After a killed sync, Repair leaves the replica at exactly the recorded round (+0: the old one, +1: the committed one); the next sync brings it to the primary. #>
function Invoke-SyncTruth {
    param($c, [int] $Plus)
    Invoke-CrashRepairStep $c
    Test-CrashRow $c v @{ ReplicationStatus = 'active'; SyncGeneration = (Get-CrashRound $c $Plus) }
    Test-CrashReplicaRecorded $c v
    Invoke-RecoveryStep $c 'Sync-VolumeReplica v' { Sync-VolumeReplica -Name v | Out-Null } | Out-Null
    [void]$c.SameAsPrimary.Add('v')
}
function Invoke-SyncTruthOld { param($c) Invoke-SyncTruth $c 0 }
function Invoke-SyncTruthNew { param($c) Invoke-SyncTruth $c 1 }

<# More writes (V2) after the kill, then the next sync without Repair: a discarded round leaves V2 as the next round (+1); a committed one is finished first (V1) and V2 follows (+2). #>
function Invoke-SyncOnV2 {
    param($c, [int] $Plus)
    $round = Get-CrashRound $c $Plus
    Write-CrashVersion $c v V2 -Seed 14 -Round $round
    Invoke-RecoveryStep $c 'Sync-VolumeReplica v' { Sync-VolumeReplica -Name v | Out-Null } | Out-Null
    Test-CrashRow $c v @{ ReplicationStatus = 'active'; SyncGeneration = $round }
}
function Invoke-SyncOnV2Discarded { param($c) Invoke-SyncOnV2 $c 1 }
function Invoke-SyncOnV2Finished { param($c) Invoke-SyncOnV2 $c 2 }

function Invoke-EnableAfterPromotion {
    param($c)
    Invoke-RecoveryStep $c 'Enable-Replication v' { Enable-Replication -Name v -Force | Out-Null } | Out-Null
    Test-CrashRow $c v @{ ReplicationStatus = 'active'; ReplicaFenced = $false }
    [void]$c.SameAsPrimary.Add('v')
}

<# A killed promotion that had not swapped: after Repair it did not happen (old primary serves, writable, replica at its recorded round); run again, it completes; Enable-Replication then makes both copies equal. #>
function Invoke-PromotionRetried {
    param($c, [bool] $Planned, [string] $Label)
    Invoke-CrashRepairStep $c
    Test-CrashNotPromoted $c v
    Test-CrashReplicaRecorded $c v
    if (Invoke-RecoveryStep $c 'Invoke-ReplicaPromotion v again' { Invoke-ReplicaPromotion -Name v -Force -Planned:$Planned | Out-Null }) { Test-CrashPromoted $c v $Label }
    Invoke-EnableAfterPromotion $c
}
function Invoke-PlannedRetried { param($c) Invoke-PromotionRetried $c $true V1 }
function Invoke-UnplannedRetried { param($c) Invoke-PromotionRetried $c $false V0 }

<# The unplanned promotion run again first finishes the killed sync's committed round, so it serves V1. #>
function Invoke-UnplannedRetriedV1 {
    param($c)
    if (Invoke-RecoveryStep $c 'Invoke-ReplicaPromotion v again' { Invoke-ReplicaPromotion -Name v -Force | Out-Null }) { Test-CrashPromoted $c v V1 }
    Invoke-EnableAfterPromotion $c
}

<# A killed promotion that had swapped: it is complete; Enable-Replication makes both copies equal. #>
function Invoke-PromotedThenEnable { param($c, [string] $Label) Invoke-CrashRepairStep $c; Test-CrashPromoted $c v $Label; Invoke-EnableAfterPromotion $c }
function Invoke-PlannedDone { param($c) Invoke-PromotedThenEnable $c V1 }
function Invoke-UnplannedDone { param($c) Invoke-PromotedThenEnable $c V0 }

<# The next command after a sync killed mid-apply is an unplanned promotion: it finishes the committed round first. #>
function Invoke-PromoteAfterSync {
    param($c)
    if (Invoke-RecoveryStep $c 'Invoke-ReplicaPromotion v (unplanned)' { Invoke-ReplicaPromotion -Name v -Force | Out-Null }) { Test-CrashPromoted $c v V1 }
    Invoke-EnableAfterPromotion $c
}

<# A killed Enable-Replication is run again (unless it had reached active) and reaches active with equal bytes. #>
function Invoke-EnableAgain {
    param($c)
    Invoke-CrashRepairStep $c
    if ((Get-CrashVolumeRow $c.Site v).ReplicationStatus -ne 'active') {
        if (-not (Invoke-RecoveryStep $c 'Enable-Replication v again' { Enable-Replication -Name v -Force | Out-Null })) {
            # What else a user could do, so that the bytes are still checked.
            Invoke-RecoveryStep $c 'Sync-VolumeReplica v (after Enable-Replication was refused)' { Sync-VolumeReplica -Name v | Out-Null } | Out-Null
        }
    }
    Test-CrashRow $c v @{ ReplicationStatus = 'active' }
    [void]$c.SameAsPrimary.Add('v')
}

<# The next command after a sync killed mid-apply pauses replication; Repair then finishes the committed round of the paused replica, and Enable-Replication resumes. #>
function Invoke-DisableThenRepair {
    param($c)
    Invoke-RecoveryStep $c 'Disable-Replication v' { Disable-Replication -Name v | Out-Null } | Out-Null
    Invoke-CrashRepairStep $c
    Test-CrashRow $c v @{ ReplicationStatus = 'active-stopped'; SyncGeneration = (Get-CrashRound $c 1) }
    Test-CrashReplicaRecorded $c v
    Invoke-RecoveryStep $c 'Enable-Replication v (resume)' { Enable-Replication -Name v -Force | Out-Null } | Out-Null
    Test-CrashRow $c v @{ ReplicationStatus = 'active' }
    [void]$c.SameAsPrimary.Add('v')
}

<# A killed Sync-VolumeReplica of a replica still copying (a killed Enable-Replication left it so): the next sync finishes the copy. #>
function Invoke-SyncCopyingAgain {
    param($c)
    Invoke-CrashRepairStep $c
    if ((Get-CrashVolumeRow $c.Site v).ReplicationStatus -ne 'active') {
        Invoke-RecoveryStep $c 'Sync-VolumeReplica v again' { Sync-VolumeReplica -Name v | Out-Null } | Out-Null
    }
    Test-CrashRow $c v @{ ReplicationStatus = 'active'; ReplicaFenced = $false }
    [void]$c.SameAsPrimary.Add('v')
}

<# A killed resume: Repair leaves the replica at its recorded round; Enable-Replication again resumes. #>
function Invoke-ResumeAgain {
    param($c)
    Invoke-CrashRepairStep $c
    Test-CrashReplicaRecorded $c v
    Invoke-EnableAgain $c
}

Export-ModuleMember -Function *
