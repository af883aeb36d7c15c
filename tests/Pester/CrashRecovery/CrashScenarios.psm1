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
function Initialize-CrashPaused { param($c) Initialize-CrashSynced $c; Disable-Replication -Name v -Force | Out-Null; Write-CrashVersion $c v V1 -Seed 12 }

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
    Invoke-RecoveryStep $c 'Disable-Replication v' { Disable-Replication -Name v -Force | Out-Null } | Out-Null
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

# ------------------------------------------------------------------------------------------------ replication groups
# Group 'app' of g1, g2, g3 (dc1 -> dc2) at group round 1 (V0), beside the bystander 'keep'. g1 and g2 are then written
# (V1); g3 is not, and its primary had been quiet before round 1, so the next group round stages nothing for it (its
# round is "unchanged": no journal, the same sync generation) and must still be recorded at the new group round.

$script:GroupMembers = 'g1', 'g2', 'g3'

<# The group at round 1: every replica V0. #>
function Initialize-CrashGroup {
    param($c)
    Initialize-CrashKeep $c
    $seed = 20
    foreach ($name in $script:GroupMembers) { New-CrashVolume $c $name -Seed (++$seed) | Out-Null }
    New-ReplicationGroup -Name app -VolumeName $script:GroupMembers -ErrorAction Stop | Out-Null
    $past = [DateTime]::UtcNow.AddSeconds(-30)
    foreach ($name in $script:GroupMembers) { [IO.File]::SetLastWriteTimeUtc($c.Rows[$name].PrimaryPath, $past) }
    Sync-VolumeReplica -Group app -ErrorAction Stop | Out-Null
    foreach ($name in $script:GroupMembers) {
        $row = Get-CrashVolumeRow $c.Site $name
        $c.Rows[$name] = $row
        # g3 holds V0 at this round and at the next (unchanged, or read again with nothing to copy by a planned promotion).
        $c.Rounds[$name][$row.SyncGeneration] = 'V0'
        $c.Rounds[$name][$row.SyncGeneration + 1] = 'V0'
    }
    $c.GroupRound = 1
}

<# The group at round 1 (V0); g1 and g2 written since (V1), g3 not. #>
function Initialize-CrashGroupChanged {
    param($c)
    Initialize-CrashGroup $c
    Write-CrashVersion $c g1 V1 -Seed 31
    Write-CrashVersion $c g2 V1 -Seed 32
}

<# The version each member holds at group round 1 (0) or at the next (1). #>
function Get-CrashGroupLabel { param($c, [string] $Name, [int] $Plus) if ($Plus -eq 0 -or $Name -eq 'g3') { 'V0' } else { 'V1' } }

<#
    No replica moved: each row at its round-1 generation, each replica V0, the primary still serving. Each member holds
    group round 1, except, once the next round committed, a member that staged nothing (no journal): the commit records
    it at the new round, which it holds already, as nothing would be left to finish it from.
#>
function Test-CrashGroupNotMoved {
    param($c, [bool] $RoundCommitted, [string[]] $Journals)
    foreach ($name in $script:GroupMembers) {
        Test-CrashRow $c $name @{ Backend = $c.Rows[$name].Backend; ReplicationStatus = 'active'; SyncGeneration = $c.Rows[$name].SyncGeneration }
        Test-CrashCopy $c $name $c.Rows[$name].ReplicaPath V0 'the replica'
        $member = Get-CrashGroupMembers -Site $c.Site -Group app | Where-Object name -EQ $name
        $expected = if ($RoundCommitted -and $name -notin $Journals) { $c.GroupRound + 1 } else { $c.GroupRound }
        if ([long]$member.group_round -ne $expected) { Add-CrashProblem $c "'$name' holds group round $($member.group_round), expected $expected" }
    }
}

<# Killed while staging (an uncommitted journal, or committed journals of a round that never committed). #>
function Test-KilledGroupStaging {
    param($c, [bool] $RoundCommitted, [string[]] $Journals)
    Test-CrashGroupNotMoved $c $RoundCommitted $Journals
    foreach ($name in $script:GroupMembers) {
        Test-CrashFile $c $c.Rows[$name].JournalPath ($name -in $Journals) "the staged journal of '$name'"
    }
    $rounds = Get-CrashGroupRounds -Site $c.Site -Group app
    $next = @($rounds | Where-Object Round -EQ ($c.GroupRound + 1))
    if ($next.Count -ne 1) { Add-CrashProblem $c "group round $($c.GroupRound + 1) has $($next.Count) rows, expected 1" }
    elseif ($next[0].Committed -ne $RoundCommitted) { Add-CrashProblem $c "group round $($c.GroupRound + 1) is $(if ($next[0].Committed) { 'committed' } else { 'not committed' }), expected the opposite" }
}
function Test-KilledGroupBeforeCommit { param($c) Test-KilledGroupStaging $c $false @('g1', 'g2') }
function Test-KilledGroupAfterCommit { param($c) Test-KilledGroupStaging $c $true @('g1', 'g2') }
<# A planned promotion's final group round reads every primary (g3 too), so every member is staged. #>
function Test-KilledGroupPlannedBeforeCommit { param($c) Test-KilledGroupStaging $c $false $script:GroupMembers }
function Test-KilledGroupFirstJournalCommitted { param($c) Test-KilledGroupStaging $c $false @('g1') }
function Test-KilledGroupFirstJournalOpen {
    param($c)
    Test-KilledGroupStaging $c $false @()
    Test-CrashFile $c "$($c.Rows.g1.JournalPath).tmp" $true "the uncommitted journal of 'g1'"
}

<# Killed applying a committed round: the round is committed, nothing recorded yet (g1's replica may hold a mix now). #>
function Test-KilledGroupApplying {
    param($c)
    foreach ($name in $script:GroupMembers) { Test-CrashRow $c $name @{ ReplicationStatus = 'active'; SyncGeneration = $c.Rows[$name].SyncGeneration } }
    Test-CrashFile $c $c.Rows.g2.JournalPath $true "the committed journal of 'g2'"
    if (-not (@(Get-CrashGroupRounds -Site $c.Site -Group app) | Where-Object { $_.Round -eq $c.GroupRound + 1 -and $_.Committed })) { Add-CrashProblem $c "group round $($c.GroupRound + 1) is not committed" }
}

<# Killed after fencing every old primary: nothing swapped, every primary read-only, the promotion recorded as started. #>
function Test-KilledGroupFenced {
    param($c)
    foreach ($name in $script:GroupMembers) {
        Test-CrashRow $c $name @{ Backend = $c.Rows[$name].Backend; ReplicationStatus = 'active' }
        if (-not (Get-Item -LiteralPath $c.Rows[$name].PrimaryPath).IsReadOnly) { Add-CrashProblem $c "the old primary of '$name' is not fenced (read-only) yet" }
    }
    if (-not (Invoke-CrashStateQuery -Site $c.Site -Sql 'SELECT group_name FROM group_promotions')) { Add-CrashProblem $c 'the group promotion is not recorded as started' }
}

<# Every member at group round (round 1 + -Plus), the group consistent, each replica exactly that round's version. #>
function Test-CrashGroupAtRound {
    param($c, [int] $Plus, [string] $When)
    $round = $c.GroupRound + $Plus
    $group = Get-ReplicationGroup -Name app
    if ($group.LastRound -ne $round) { Add-CrashProblem $c "$When the group's newest round is $($group.LastRound), expected $round" }
    if (-not $group.Consistent) { Add-CrashProblem $c "$When Get-ReplicationGroup says the group is not consistent ($($group.MemberStatus))" }
    foreach ($member in Get-CrashGroupMembers -Site $c.Site -Group app) {
        if ($null -eq $member.group_round -or [long]$member.group_round -ne $round) { Add-CrashProblem $c "$When '$($member.name)' holds group round $(if ($null -eq $member.group_round) { 'none' } else { $member.group_round }), expected $round" }
    }
    foreach ($name in $script:GroupMembers) {
        Test-CrashCopy $c $name $c.Rows[$name].ReplicaPath (Get-CrashGroupLabel $c $name $Plus) "$When the replica"
        Test-CrashReplicaRecorded $c $name
        Test-CrashFile $c $c.Rows[$name].JournalPath $false "$When the journal of '$name'"
    }
}

<# Repair-ReplicationState after a killed group round: every replica at the previous round (+0) or the committed one (+1); then a group round brings all to the primaries. #>
function Invoke-GroupTruth {
    param($c, [int] $Plus)
    Invoke-CrashRepairStep $c
    Test-CrashGroupAtRound $c $Plus 'after Repair-ReplicationState,'
    if (Invoke-RecoveryStep $c 'Sync-VolumeReplica -Group app' { Sync-VolumeReplica -Group app | Out-Null }) {
        foreach ($name in $script:GroupMembers) { [void]$c.SameAsPrimary.Add($name) }
    }
}
function Invoke-GroupTruthOld { param($c) Invoke-GroupTruth $c 0 }
function Invoke-GroupTruthNew { param($c) Invoke-GroupTruth $c 1 }

<# More writes (V2 to g1 and g3) after the kill, then the next group round without Repair: a discarded round leaves V2 as round +1, a committed one is finished first and V2 is round +2. #>
function Invoke-GroupSyncOnV2 {
    param($c, [int] $Plus)
    # g1's next generation is +1 after a discarded round, +2 after a finished one; g3 had nothing to copy in the killed round, so +1 either way.
    Write-CrashVersion $c g1 V2 -Seed 41 -Round ($c.Rows.g1.SyncGeneration + $Plus)
    Write-CrashVersion $c g3 V2 -Seed 43 -Round ($c.Rows.g3.SyncGeneration + 1)
    if (Invoke-RecoveryStep $c 'Sync-VolumeReplica -Group app' { Sync-VolumeReplica -Group app | Out-Null }) {
        $group = Get-ReplicationGroup -Name app
        if ($group.LastRound -ne $c.GroupRound + $Plus) { Add-CrashProblem $c "after the next group round the group's newest round is $($group.LastRound), expected $($c.GroupRound + $Plus)" }
        foreach ($name in $script:GroupMembers) { [void]$c.SameAsPrimary.Add($name) }
    }
}
function Invoke-GroupSyncOnV2Discarded { param($c) Invoke-GroupSyncOnV2 $c 1 }
function Invoke-GroupSyncOnV2Finished { param($c) Invoke-GroupSyncOnV2 $c 2 }

<# Every member promoted: served from dc2 with the version of group round (1 + -Plus), every old primary fenced. #>
function Test-CrashGroupPromoted { param($c, [int] $Plus) foreach ($name in $script:GroupMembers) { Test-CrashPromoted $c $name (Get-CrashGroupLabel $c $name $Plus) } }

<# After a group promotion: Enable-Replication -Group reverses every member and ends at a common round. #>
function Invoke-GroupEnableAfterPromotion {
    param($c)
    if (Invoke-RecoveryStep $c 'Enable-Replication -Group app' { Enable-Replication -Group app -Force | Out-Null }) {
        foreach ($name in $script:GroupMembers) {
            Test-CrashRow $c $name @{ Backend = $c.Rows[$name].ReplicaBackend; ReplicationStatus = 'active'; ReplicaFenced = $false }
            [void]$c.SameAsPrimary.Add($name)
        }
    }
}

<# The next command after a killed group round is an unplanned group promotion: it settles the round first (finished if committed, discarded if not) and serves that round on every member. #>
function Invoke-GroupPromoteNext {
    param($c, [int] $Plus)
    if (Invoke-RecoveryStep $c 'Invoke-ReplicaPromotion -Group app (unplanned)' { Invoke-ReplicaPromotion -Group app -Force | Out-Null }) { Test-CrashGroupPromoted $c $Plus }
    Invoke-GroupEnableAfterPromotion $c
}
function Invoke-GroupPromoteNextOld { param($c) Invoke-GroupPromoteNext $c 0 }
function Invoke-GroupPromoteNextNew { param($c) Invoke-GroupPromoteNext $c 1 }

<# A killed group promotion rolled back by Repair-ReplicationState: every member still served by its old primary, writable, replica recorded; the promotion run again then completes. #>
function Invoke-GroupPromotionRolledBack {
    param($c, [bool] $Planned, [int] $RoundAfterRepair, [int] $Plus)
    Invoke-CrashRepairStep $c
    Test-CrashGroupAtRound $c $RoundAfterRepair 'after Repair-ReplicationState,'
    foreach ($name in $script:GroupMembers) { Test-CrashNotPromoted $c $name; Test-CrashReplicaRecorded $c $name }
    if (Invoke-CrashStateQuery -Site $c.Site -Sql 'SELECT group_name FROM group_promotions') { Add-CrashProblem $c 'after Repair-ReplicationState the group promotion is still recorded as started' }
    if (Invoke-RecoveryStep $c 'Invoke-ReplicaPromotion -Group app again' { Invoke-ReplicaPromotion -Group app -Force -Planned:$Planned | Out-Null }) { Test-CrashGroupPromoted $c $Plus }
    Invoke-GroupEnableAfterPromotion $c
}
<# Killed after the final round committed and the fences: Repair leaves every member at that round (+1). #>
function Invoke-GroupPlannedRolledBack { param($c) Invoke-GroupPromotionRolledBack $c $true 1 1 }
<# Killed before the final round committed: Repair leaves every member at the previous round (+0); run again, the promotion takes V1. #>
function Invoke-GroupPlannedRoundRolledBack { param($c) Invoke-GroupPromotionRolledBack $c $true 0 1 }

<# A killed group promotion finished by running it again (no Repair first): every member promoted. #>
function Invoke-GroupPromotionFinished {
    param($c, [bool] $Planned, [int] $Plus)
    if (Invoke-RecoveryStep $c 'Invoke-ReplicaPromotion -Group app again' { Invoke-ReplicaPromotion -Group app -Force -Planned:$Planned | Out-Null }) { Test-CrashGroupPromoted $c $Plus }
    if (Invoke-CrashStateQuery -Site $c.Site -Sql 'SELECT group_name FROM group_promotions') { Add-CrashProblem $c 'after the promotion ran again it is still recorded as started' }
    Invoke-GroupEnableAfterPromotion $c
}
function Invoke-GroupPlannedFinished { param($c) Invoke-GroupPromotionFinished $c $true 1 }
function Invoke-GroupUnplannedFinished { param($c) Invoke-GroupPromotionFinished $c $false 0 }

Export-ModuleMember -Function *
