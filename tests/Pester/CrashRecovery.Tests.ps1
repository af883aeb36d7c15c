# Kill test (issue 6): every crash point of every operation that passes it. Each case builds a fresh site (own temp
# folder and state file, dc1/dc2 paired, 16 MiB replicated volumes with a few MiB of random data at scattered offsets),
# runs the operation in a child pwsh that SIGKILLs itself at the point (REPLICATION_POWERSHELL_CRASH_AT, set for that
# child only), checks the operation did not complete, runs at once the recovery a user would (the same command again,
# Repair-ReplicationState, or the next normal command; the dead process's lease must not stand in the way), checks that the state tells
# the truth (replica bytes are exactly the recorded round's version, never a mix), nothing is lost, and no file is
# orphaned. Then a time-based test kills a larger sync at seeded random moments. Figures are printed at the end.
# Replication groups (issue 5): a group round (and a planned group promotion's final round) killed while staging a member,
# before and after the round's commit, and while applying; a group promotion killed after fencing. Before the commit
# no replica may move, after it every member must reach the new round (also one that had nothing to copy); every
# recovery must leave each group with no started promotion, no uncommitted round, and all members at its newest round.
#
# Helpers: CrashRecovery/CrashRecovery.psm1 (children started ahead, block hashes, invariants), CrashRecovery/CrashScenarios.psm1
# (setups, checks right after a kill, recoveries), CrashRecovery/Invoke-CrashChild.ps1 (the child).
# Override the random test with REPLICATION_KILL_RUNS and REPLICATION_KILL_SEED.

BeforeDiscovery {
    $new = 'New-Volume -Name v -SizeBytes 16MB -VolumeType replicated'
    $clone = 'New-Volume -Name t1 -SourceReplica v'
    $remove = 'Remove-Volume -Name v -Confirm:$false'
    $sync = 'Sync-VolumeReplica -Name v'
    $planned = 'Invoke-ReplicaPromotion -Name v -Planned -Force'
    $unplanned = 'Invoke-ReplicaPromotion -Name v -Force'
    $enable = 'Enable-Replication -Name v -Force'
    $repair = 'Repair-ReplicationState -Confirm:$false'
    $groupSync = 'Sync-VolumeReplica -Group app'
    $groupPlanned = 'Invoke-ReplicaPromotion -Group app -Planned -Force'
    $groupUnplanned = 'Invoke-ReplicaPromotion -Group app -Force'

    # One case: Setup, then each crash (the operation in a child armed at Point; Partial checks it did not complete),
    # then Recover. Setup, Partial and Recover name functions of CrashRecovery/CrashScenarios.psm1.
    function Case([string] $Operation, [string] $Point, [string] $Recovery, [string] $Setup, [string] $Command, [string] $Partial, [string] $Recover, [hashtable[]] $Before = @()) {
        @{ Operation = $Operation; Point = $Point; Recovery = $Recovery; Setup = $Setup; Recover = $Recover
            Crashes = @($Before) + @(@{ Operation = $Command; Point = $Point; Partial = $Partial }) }
    }
    function Crash([string] $Command, [string] $Point, [string] $Partial) { @{ Operation = $Command; Point = $Point; Partial = $Partial } }

    $cases = @(
        # New-Volume
        Case 'New-Volume' 'create.after-file' 'Repair-ReplicationState' Initialize-CrashKeep $new Test-KilledCreatingOneFile Invoke-RollBackByRepair
        Case 'New-Volume' 'create.after-file' 'New-Volume again' Initialize-CrashKeep $new Test-KilledCreatingOneFile Invoke-NewAgain
        Case 'New-Volume' 'create.before-available' 'Repair-ReplicationState' Initialize-CrashKeep $new Test-KilledCreatingBothFiles Invoke-RollBackByRepair
        Case 'New-Volume' 'create.before-available' 'New-Volume again' Initialize-CrashKeep $new Test-KilledCreatingBothFiles Invoke-NewAgain
        Case 'New-Volume' 'create.before-available' 'Remove-Volume' Initialize-CrashKeep $new Test-KilledCreatingBothFiles Invoke-RemoveHalfCreated
        Case 'New-Volume (plain type)' 'create.after-file' 'Repair-ReplicationState' Initialize-CrashKeep 'New-Volume -Name v -SizeBytes 16MB -VolumeType plain' Test-KilledCreatingOneFile Invoke-RollBackPlainByRepair
        # New-Volume -SourceReplica (a DR test volume cloned from the replica)
        Case 'New-Volume -SourceReplica' 'direct.after-block' 'Repair-ReplicationState' Initialize-CrashSynced $clone Test-KilledCloning Invoke-CloneGoneByRepair
        Case 'New-Volume -SourceReplica' 'direct.after-block' 'New-Volume -SourceReplica again' Initialize-CrashSynced $clone Test-KilledCloning Invoke-CloneAgainV0
        Case 'New-Volume -SourceReplica' 'create.before-available' 'Repair-ReplicationState' Initialize-CrashSynced $clone Test-KilledCloning Invoke-CloneGoneByRepair
        Case 'New-Volume -SourceReplica' 'create.before-available' 'New-Volume -SourceReplica again' Initialize-CrashSynced $clone Test-KilledCloning Invoke-CloneAgainV0
        # Remove-Volume
        Case 'Remove-Volume' 'delete.after-mark' 'Remove-Volume again' Initialize-CrashSynced $remove Test-KilledDeletingIntact Invoke-RemoveAgain
        Case 'Remove-Volume' 'delete.after-mark' 'Repair-ReplicationState' Initialize-CrashSynced $remove Test-KilledDeletingIntact Invoke-RemovedByRepair
        Case 'Remove-Volume' 'delete.after-replica-file' 'Remove-Volume again' Initialize-CrashSynced $remove Test-KilledDeletingHalf Invoke-RemoveAgain
        Case 'Remove-Volume' 'delete.after-replica-file' 'Repair-ReplicationState' Initialize-CrashSynced $remove Test-KilledDeletingHalf Invoke-RemovedByRepair
        # New-Volume -SourceVolume (issue 17): a clone of v, its replica copied from it before it is available
        $cloneVolume = 'New-Volume -Name c1 -SourceVolume v'
        Case 'New-Volume -SourceVolume' 'create.after-file' 'Repair-ReplicationState' Initialize-CrashSynced $cloneVolume Test-KilledCloningVolumeOneFile Invoke-CloneVolumeGoneByRepair
        Case 'New-Volume -SourceVolume' 'create.after-file' 'New-Volume -SourceVolume again' Initialize-CrashSynced $cloneVolume Test-KilledCloningVolumeOneFile Invoke-CloneVolumeAgain
        Case 'New-Volume -SourceVolume' 'create.before-available' 'Repair-ReplicationState' Initialize-CrashSynced $cloneVolume Test-KilledCloningVolumeBothFiles Invoke-CloneVolumeGoneByRepair
        Case 'New-Volume -SourceVolume' 'create.before-available' 'New-Volume -SourceVolume again' Initialize-CrashSynced $cloneVolume Test-KilledCloningVolumeBothFiles Invoke-CloneVolumeAgain
        # Snapshots (issue 17): a copy is whole and durable before it is recorded; a record goes before its file
        $snap = 'New-VolumeSnapshot -Volume v -Name s1'
        Case 'New-VolumeSnapshot' 'snapshot.after-file' 'Repair-ReplicationState' Initialize-CrashSynced $snap Test-KilledSnapshotting Invoke-SnapshotLeftoverByRepair
        Case 'New-VolumeSnapshot' 'snapshot.after-file' 'New-VolumeSnapshot again' Initialize-CrashSynced $snap Test-KilledSnapshotting Invoke-SnapshotAgain
        Case 'Remove-VolumeSnapshot' 'snapshot-delete.after-row' 'Repair-ReplicationState' Initialize-CrashSnapshotted 'Remove-VolumeSnapshot -Name s1 -Force' Test-KilledRemovingSnapshot Invoke-SnapshotLeftoverByRepair
        Case 'Remove-VolumeSnapshot' 'snapshot-delete.after-row' 'New-VolumeSnapshot next' Initialize-CrashSnapshotted 'Remove-VolumeSnapshot -Name s1 -Force' Test-KilledRemovingSnapshot Invoke-SnapshotAgain
        Case 'Remove-Volume -Force (with snapshots)' 'delete.after-mark' 'Remove-Volume -Force again' Initialize-CrashSnapshotted 'Remove-Volume -Name v -Force' Test-KilledDeletingWithSnapshots Invoke-RemoveWithSnapshotsAgain
        Case 'Remove-Volume -Force (with snapshots)' 'delete.after-mark' 'Repair-ReplicationState' Initialize-CrashSnapshotted 'Remove-Volume -Name v -Force' Test-KilledDeletingWithSnapshots Invoke-RemoveWithSnapshotsByRepair
        $restore = 'New-Volume -Name r1 -Snapshot s1'
        Case 'New-Volume -Snapshot' 'create.after-file' 'Repair-ReplicationState' Initialize-CrashSnapshotted $restore Test-KilledRestoringOneFile Invoke-RestoreGoneByRepair
        Case 'New-Volume -Snapshot' 'create.before-available' 'New-Volume -Snapshot again' Initialize-CrashSnapshotted $restore Test-KilledRestoringBothFiles Invoke-RestoreAgain
        # Set-Volume -VolumeType (issue 17): the replica recorded before it is made; its copy removed before the state drops it
        Case 'Set-Volume -VolumeType (plain to replicated)' 'retype.after-mark' 'Sync-VolumeReplica next' Initialize-CrashPlain 'Set-Volume -Name p -VolumeType replicated -Force' Test-KilledRetypedCopying Invoke-RetypeCopiedBySync
        Case 'Set-Volume -VolumeType (replicated to plain)' 'retype.after-replica-removed' 'Set-Volume again' Initialize-CrashSynced 'Set-Volume -Name v -VolumeType plain -Force' Test-KilledRetypedPlain Invoke-RetypePlainAgain
        # Resize-Volume (issue 17): the grow recorded as asked, the replica grows first, then the primary, then the size is recorded
        $resize = 'Resize-Volume -Name v -SizeBytes 24MB -Confirm:$false'
        Case 'Resize-Volume' 'extend.after-mark' 'Repair-ReplicationState' Initialize-CrashSynced $resize Test-KilledResizing Invoke-ResizeFinishedByRepair
        Case 'Resize-Volume' 'extend.after-mark' 'Sync-VolumeReplica next' Initialize-CrashSynced $resize Test-KilledResizing Invoke-ResizeFinishedBySync
        Case 'Resize-Volume' 'extend.after-replica' 'Repair-ReplicationState' Initialize-CrashSynced $resize Test-KilledResizing Invoke-ResizeFinishedByRepair
        Case 'Resize-Volume' 'extend.after-replica' 'Sync-VolumeReplica next' Initialize-CrashSynced $resize Test-KilledResizing Invoke-ResizeFinishedBySync
        Case 'Resize-Volume' 'extend.after-replica' 'Resize-Volume again' Initialize-CrashSynced $resize Test-KilledResizing Invoke-ResizeAgain
        Case 'Resize-Volume' 'extend.after-primary' 'Repair-ReplicationState' Initialize-CrashSynced $resize Test-KilledResizing Invoke-ResizeFinishedByRepair
        Case 'Resize-Volume' 'extend.after-primary' 'Resize-Volume again' Initialize-CrashSynced $resize Test-KilledResizing Invoke-ResizeAgain
        # Move-Volume (issue 17): recorded as pending, copied (a bulk copy, then a final delta), switched, old copies removed
        $move = 'Move-Volume -Name v -Backend dc3'
        Case 'Move-Volume' 'migrate.after-mark' 'Repair-ReplicationState' Initialize-CrashMovable $move Test-KilledMoving Invoke-MoveUndoneByRepair
        Case 'Move-Volume' 'migrate.after-mark' 'Move-Volume again' Initialize-CrashMovable $move Test-KilledMoving Invoke-MoveAgain
        Case 'Move-Volume' 'direct.after-block' 'Sync-VolumeReplica next' Initialize-CrashMovable $move Test-KilledMoving Invoke-MoveUndoneBySync
        Case 'Move-Volume' 'direct.after-block' 'Move-Volume again' Initialize-CrashMovable $move Test-KilledMoving Invoke-MoveAgain
        Case 'Move-Volume' 'migrate.after-copy' 'Repair-ReplicationState' Initialize-CrashMovable $move Test-KilledMoving Invoke-MoveUndoneByRepair
        Case 'Move-Volume' 'migrate.after-copy' 'Move-Volume again' Initialize-CrashMovable $move Test-KilledMoving Invoke-MoveAgain
        Case 'Move-Volume' 'migrate.after-record' 'Repair-ReplicationState' Initialize-CrashMovable $move Test-KilledMovedRecorded Invoke-MoveFinishedByRepair
        Case 'Move-Volume' 'migrate.after-record' 'Sync-VolumeReplica next' Initialize-CrashMovable $move Test-KilledMovedRecorded Invoke-MoveFinishedBySync
        Case 'Move-Volume' 'migrate.after-record' 'Move-Volume again' Initialize-CrashMovable $move Test-KilledMovedRecorded Invoke-MoveAgain
        # Sync-VolumeReplica of a consistent replica (a journaled round)
        Case 'Sync-VolumeReplica' 'journal.after-block' 'Repair-ReplicationState, then Sync-VolumeReplica' Initialize-CrashChanged $sync Test-KilledJournalOpen Invoke-SyncTruthOld
        Case 'Sync-VolumeReplica' 'journal.after-commit' 'Repair-ReplicationState, then Sync-VolumeReplica' Initialize-CrashChanged $sync Test-KilledJournalCommitted Invoke-SyncTruthNew
        Case 'Sync-VolumeReplica' 'apply.after-block' 'Repair-ReplicationState, then Sync-VolumeReplica' Initialize-CrashChanged $sync Test-KilledApplying Invoke-SyncTruthNew
        Case 'Sync-VolumeReplica' 'sync.after-apply' 'Repair-ReplicationState, then Sync-VolumeReplica' Initialize-CrashChanged $sync Test-KilledApplied Invoke-SyncTruthNew
        Case 'Sync-VolumeReplica' 'sync.after-record' 'Repair-ReplicationState, then Sync-VolumeReplica' Initialize-CrashChanged $sync Test-KilledRecorded Invoke-SyncTruthNew
        # A round applied and waiting for its pipeline's group commit (every Sync-VolumeReplica records that way)
        Case 'Sync-VolumeReplica' 'sync.before-batch-record' 'Repair-ReplicationState, then Sync-VolumeReplica' Initialize-CrashChanged $sync Test-KilledApplied Invoke-SyncTruthNew
        Case 'Sync-VolumeReplica' 'sync.before-batch-record' 'more writes, then Sync-VolumeReplica' Initialize-CrashChanged $sync Test-KilledApplied Invoke-SyncOnV2Finished
        Case 'Sync-VolumeReplica' 'journal.after-block' 'more writes, then Sync-VolumeReplica' Initialize-CrashChanged $sync Test-KilledJournalOpen Invoke-SyncOnV2Discarded
        Case 'Sync-VolumeReplica' 'journal.after-commit' 'more writes, then Sync-VolumeReplica' Initialize-CrashChanged $sync Test-KilledJournalCommitted Invoke-SyncOnV2Finished
        Case 'Sync-VolumeReplica' 'apply.after-block' 'more writes, then Sync-VolumeReplica' Initialize-CrashChanged $sync Test-KilledApplying Invoke-SyncOnV2Finished
        Case 'Sync-VolumeReplica' 'sync.after-apply' 'more writes, then Sync-VolumeReplica' Initialize-CrashChanged $sync Test-KilledApplied Invoke-SyncOnV2Finished
        Case 'Sync-VolumeReplica' 'apply.after-block' 'Invoke-ReplicaPromotion (unplanned) next' Initialize-CrashChanged $sync Test-KilledApplying Invoke-PromoteAfterSync
        Case 'Sync-VolumeReplica' 'apply.after-block' 'Disable-Replication next, Repair-ReplicationState, Enable-Replication' Initialize-CrashChanged $sync Test-KilledApplying Invoke-DisableThenRepair
        Case 'Sync-VolumeReplica' 'journal.after-commit' 'New-Volume -SourceReplica next' Initialize-CrashChanged $sync Test-KilledJournalCommitted Invoke-CloneAgainV1
        # Invoke-ReplicaPromotion -Planned (a final journaled round, then fence and swap)
        foreach ($point in 'journal.after-block', 'journal.after-commit', 'apply.after-block', 'sync.after-apply', 'sync.after-record') {
            Case 'Invoke-ReplicaPromotion -Planned' $point 'Repair-ReplicationState, the promotion again' Initialize-CrashChanged $planned Test-KilledStillPrimary Invoke-PlannedRetried
        }
        Case 'Invoke-ReplicaPromotion -Planned' 'promote.after-fence' 'Repair-ReplicationState, the promotion again' Initialize-CrashChanged $planned Test-KilledFenced Invoke-PlannedRetried
        Case 'Invoke-ReplicaPromotion -Planned' 'promote.after-swap' 'Repair-ReplicationState, Enable-Replication' Initialize-CrashChanged $planned Test-KilledSwapped Invoke-PlannedDone
        # Invoke-ReplicaPromotion (unplanned: the replica as last recorded)
        Case 'Invoke-ReplicaPromotion' 'promote.after-fence' 'Repair-ReplicationState, the promotion again' Initialize-CrashChanged $unplanned Test-KilledFenced Invoke-UnplannedRetried
        Case 'Invoke-ReplicaPromotion' 'promote.after-swap' 'Repair-ReplicationState, Enable-Replication' Initialize-CrashChanged $unplanned Test-KilledSwapped Invoke-UnplannedDone
        Case 'Invoke-ReplicaPromotion (finishing a killed sync)' 'apply.after-block' 'the promotion again' Initialize-CrashChanged $unplanned Test-KilledStillPrimary Invoke-UnplannedRetriedV1 -Before (Crash $sync 'sync.after-apply' Test-KilledApplied)
        # Enable-Replication after a promotion (reverse direction, a direct copy of the differing blocks) and after a replica fault
        foreach ($setup in 'Initialize-CrashPromoted', 'Initialize-CrashFaulted') {
            $what = if ($setup -eq 'Initialize-CrashPromoted') { 'Enable-Replication (after a promotion)' } else { 'Enable-Replication (after a replica fault)' }
            Case $what 'enable.after-copying' 'Enable-Replication again' $setup $enable Test-KilledCopying Invoke-EnableAgain
            Case $what 'direct.after-block' 'Enable-Replication again' $setup $enable Test-KilledCopying Invoke-EnableAgain
            Case $what 'sync.after-record' 'Repair-ReplicationState' $setup $enable Test-KilledNowActive Invoke-EnableAgain
        }
        # Sync-VolumeReplica of a replica left copying by a killed Enable-Replication (a direct copy, no journal)
        Case 'Sync-VolumeReplica (replica still copying)' 'direct.after-block' 'Sync-VolumeReplica again' Initialize-CrashPromoted $sync Test-KilledCopying Invoke-SyncCopyingAgain -Before (Crash $enable 'enable.after-copying' Test-KilledCopying)
        Case 'Sync-VolumeReplica (replica still copying)' 'sync.after-record' 'Repair-ReplicationState' Initialize-CrashPromoted $sync Test-KilledNowActive Invoke-SyncCopyingAgain -Before (Crash $enable 'enable.after-copying' Test-KilledCopying)
        # Enable-Replication resuming a paused replica (a journaled round)
        foreach ($point in 'journal.after-block', 'journal.after-commit', 'apply.after-block', 'sync.after-apply') {
            Case 'Enable-Replication (resume)' $point 'Repair-ReplicationState, Enable-Replication again' Initialize-CrashPaused $enable Test-KilledStillPaused Invoke-ResumeAgain
        }
        Case 'Enable-Replication (resume)' 'sync.after-record' 'Repair-ReplicationState' Initialize-CrashPaused $enable Test-KilledNowActive Invoke-ResumeAgain
        # the recoveries themselves killed
        Case 'Repair-ReplicationState (finishing a removal)' 'delete.after-replica-file' 'Repair-ReplicationState again' Initialize-CrashSynced $repair Test-KilledDeletingHalf Invoke-RemovedByRepair -Before (Crash $remove 'delete.after-mark' Test-KilledDeletingIntact)
        Case 'Repair-ReplicationState (rolling back a creation)' 'delete.after-replica-file' 'Repair-ReplicationState again' Initialize-CrashKeep $repair Test-KilledCreatingOneFile Invoke-RollBackByRepair -Before (Crash $new 'create.before-available' Test-KilledCreatingBothFiles)
        Case 'New-Volume (rolling back its abandoned namesake)' 'delete.after-replica-file' 'New-Volume again' Initialize-CrashKeep $new Test-KilledCreatingOneFile Invoke-NewAgain -Before (Crash $new 'create.before-available' Test-KilledCreatingBothFiles)
        Case 'Repair-ReplicationState (finishing a sync)' 'apply.after-block' 'Repair-ReplicationState again' Initialize-CrashChanged $repair Test-KilledApplying Invoke-SyncTruthNew -Before (Crash $sync 'journal.after-commit' Test-KilledJournalCommitted)
        Case 'Sync-VolumeReplica (finishing a killed sync)' 'apply.after-block' 'more writes, then Sync-VolumeReplica' Initialize-CrashChanged $sync Test-KilledApplying Invoke-SyncOnV2Finished -Before (Crash $sync 'sync.after-apply' Test-KilledApplied)
        Case 'New-Volume -SourceReplica (finishing a killed sync)' 'apply.after-block' 'New-Volume -SourceReplica again' Initialize-CrashChanged $clone Test-KilledCloneBeforeStart Invoke-CloneAgainV1 -Before (Crash $sync 'journal.after-commit' Test-KilledJournalCommitted)
        # Replication groups (g1, g2, g3): a group round stages every member, commits, then applies and records all of them
        Case 'Sync-VolumeReplica -Group' 'journal.after-block' 'Repair-ReplicationState, then Sync-VolumeReplica -Group' Initialize-CrashGroupChanged $groupSync Test-KilledGroupFirstJournalOpen Invoke-GroupTruthOld
        Case 'Sync-VolumeReplica -Group' 'journal.after-commit' 'Repair-ReplicationState, then Sync-VolumeReplica -Group' Initialize-CrashGroupChanged $groupSync Test-KilledGroupFirstJournalCommitted Invoke-GroupTruthOld
        Case 'Sync-VolumeReplica -Group' 'group.before-commit' 'Repair-ReplicationState, then Sync-VolumeReplica -Group' Initialize-CrashGroupChanged $groupSync Test-KilledGroupBeforeCommit Invoke-GroupTruthOld
        Case 'Sync-VolumeReplica -Group' 'group.before-commit' 'more writes, then Sync-VolumeReplica -Group' Initialize-CrashGroupChanged $groupSync Test-KilledGroupBeforeCommit Invoke-GroupSyncOnV2Discarded
        Case 'Sync-VolumeReplica -Group' 'group.before-commit' 'Invoke-ReplicaPromotion -Group (unplanned) next, Enable-Replication -Group' Initialize-CrashGroupChanged $groupSync Test-KilledGroupBeforeCommit Invoke-GroupPromoteNextOld
        Case 'Sync-VolumeReplica -Group' 'group.after-commit' 'Repair-ReplicationState, then Sync-VolumeReplica -Group' Initialize-CrashGroupChanged $groupSync Test-KilledGroupAfterCommit Invoke-GroupTruthNew
        Case 'Sync-VolumeReplica -Group' 'group.after-commit' 'more writes, then Sync-VolumeReplica -Group' Initialize-CrashGroupChanged $groupSync Test-KilledGroupAfterCommit Invoke-GroupSyncOnV2Finished
        Case 'Sync-VolumeReplica -Group' 'group.after-commit' 'Invoke-ReplicaPromotion -Group (unplanned) next, Enable-Replication -Group' Initialize-CrashGroupChanged $groupSync Test-KilledGroupAfterCommit Invoke-GroupPromoteNextNew
        Case 'Sync-VolumeReplica -Group' 'apply.after-block' 'more writes, then Sync-VolumeReplica -Group' Initialize-CrashGroupChanged $groupSync Test-KilledGroupApplying Invoke-GroupSyncOnV2Finished
        # Invoke-ReplicaPromotion -Group: intent, fence every old primary, swap every member in one transaction
        Case 'Invoke-ReplicaPromotion -Group -Planned' 'group.before-commit' 'Repair-ReplicationState, the promotion again, Enable-Replication -Group' Initialize-CrashGroupChanged $groupPlanned Test-KilledGroupPlannedBeforeCommit Invoke-GroupPlannedRoundRolledBack
        Case 'Invoke-ReplicaPromotion -Group -Planned' 'group.promote.after-fence' 'Repair-ReplicationState, the promotion again, Enable-Replication -Group' Initialize-CrashGroupChanged $groupPlanned Test-KilledGroupFenced Invoke-GroupPlannedRolledBack
        Case 'Invoke-ReplicaPromotion -Group -Planned' 'group.promote.after-fence' 'the promotion again, Enable-Replication -Group' Initialize-CrashGroupChanged $groupPlanned Test-KilledGroupFenced Invoke-GroupPlannedFinished
        Case 'Invoke-ReplicaPromotion -Group' 'group.promote.after-fence' 'the promotion again, Enable-Replication -Group' Initialize-CrashGroupChanged $groupUnplanned Test-KilledGroupFenced Invoke-GroupUnplannedFinished
        # Recovery points (issue 16): a round that makes a point, killed capturing, applying and pruning; a promotion at a point killed rolling back
        foreach ($point in 'undo.after-block', 'undo.after-commit') {
            Case 'Sync-VolumeReplica (keeping points)' $point 'Sync-VolumeReplica next, every point read' Initialize-CrashPoints $sync Test-KilledCapturing Invoke-PointsSyncNext
        }
        Case 'Sync-VolumeReplica (keeping points)' 'apply.after-block' 'Sync-VolumeReplica next, every point read' Initialize-CrashPoints $sync Test-KilledApplyingPoints Invoke-PointsSyncNext
        Case 'Sync-VolumeReplica (pruning a point)' 'points.after-sweep-one' 'more writes, Sync-VolumeReplica, every point read' Initialize-CrashPointsPruned $sync Test-KilledPruning Invoke-PointsPrunedNext
        foreach ($point in 'rollback.after-intent', 'rollback.after-block', 'rollback.after-record') {
            Case 'Invoke-ReplicaPromotion -RecoveryPoint' $point 'the promotion again' Initialize-CrashPoints 'Invoke-ReplicaPromotion -Name v -RecoveryPoint ((Get-VolumeReplica -Name v).SyncGeneration - 1) -Force' Test-KilledRollingBack Invoke-PointPromotionAgain
        }
    )

    $random = @{
        Runs  = [int]($env:REPLICATION_KILL_RUNS ?? 8)
        Seed  = [int]($env:REPLICATION_KILL_SEED ?? 6)
        Size  = 128MB
        Churn = 64
    }
}

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CrashRecovery/CrashRecovery.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CrashRecovery/CrashScenarios.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CrashRecovery/ResizeScenarios.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CrashRecovery/CloneScenarios.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CrashRecovery/RetypeScenarios.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CrashRecovery/MigrateScenarios.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CrashRecovery/PointScenarios.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CrashRecovery/SnapshotScenarios.psm1') -Force
    Initialize-CrashChildModule -ModulePath $env:REPLICATION_MODULE_PATH
    Enable-DefaultStateGuard
    $script:Clock = [Diagnostics.Stopwatch]::StartNew()
}

AfterAll {
    $figures = Get-CrashFigures
    Write-Host ("Kill test: {0} kill points exercised ({1}), {2} kills performed ({3} at crash points in {4} cases, {5} at random moments in {6} runs), {7} recoveries verified, in {8:N0} s ({9:N0} s in crash children)" -f
        $figures.Points.Count, ($figures.Points -join ', '), ($figures.Kills + $figures.RandomKills), $figures.Kills, $figures.Cases,
        $figures.RandomKills, $figures.RandomRuns, ($figures.Recoveries + $figures.RandomRecoveries), $script:Clock.Elapsed.TotalSeconds, $figures.ChildSeconds)
    Remove-DefaultStateGuard
    Remove-CrashChildModule
}

Describe 'Kill test: every crash point of every operation that passes it' -ForEach @(@{ Cases = $cases }) {
    BeforeAll {
        # The children for the crash steps in order: each is started (module imported) while the one before runs.
        Register-CrashPlan -Points @($Cases | ForEach-Object { $_.Crashes | ForEach-Object { $_.Point } })
    }
    AfterAll { Stop-CrashPlan }

    It '<Operation> killed at <Point>, recovered by <Recovery>: the state tells the truth, nothing is lost, no orphans' -ForEach $Cases {
        $problems = Invoke-CrashCase -Case $_
        $problems | Should -BeNullOrEmpty
    }
}

Describe 'Kill test: Sync-VolumeReplica of a <Churn> MiB change to a 128 MiB volume, SIGKILLed at <Runs> seeded random moments' -ForEach $random {
    It 'after each kill and recovery the replica is exactly one recorded round, and the last sync makes it equal the primary' {
        $run = Invoke-RandomKillRun -Runs $Runs -Seed $Seed -SizeBytes $Size -ChurnMiB $Churn
        Write-Host ("  random kills: {0} kills mid-operation in {1} attempts (an uninterrupted round in a child: {2} ms; delays {3} ms; found after the kill: {4}); seed {5}" -f $run.Kills, $run.Attempts, $run.RoundMs, ($run.Delays -join ', '), (($run.Phases.GetEnumerator() | Sort-Object Name | ForEach-Object { "$($_.Name) $($_.Value)" }) -join ', '), $Seed)
        $run.Problems | Should -BeNullOrEmpty
        $run.Kills | Should -Be $Runs -Because 'each kill must land while the sync runs, or the test proves little'
    }
}

Describe 'Kill test: a volume served over NBD, its export process killed mid-write' {
    BeforeEach {
        $site = New-ReplicationTestSite
        New-PairedBackends -Site $site
        $port = Get-FreeTcpPort
        $url = "nbd://127.0.0.1:$port/v"
        $writes = 'write -P 0x11 0 64k', 'write -P 0x22 1M 64k', 'write -P 0x33 2M 64k'
    }
    AfterEach {
        if ($child) { Stop-CrashChild $child }
        Remove-ReplicationTestSite $site
    }

    It 'synchronous: killed between the copies of the third write, the two acknowledged writes are on both copies, and a round copies only the written blocks' {
        New-ReplicatedVolumeType -Name syncrep -ExtraSpec @{ replication_type = '<in> sync' } | Out-Null
        New-Volume -Name v -SizeBytes 16MB -VolumeType syncrep | Out-Null
        Sync-VolumeReplica -Name v | Out-Null
        $child = Start-CrashChild -CrashAt 'export.between-copies@3'
        Send-CrashGo -Child $child -Site $site -Operation "Start-VolumeExport -Name v -Port $port -Wait -Confirm:`$false" | Out-Null
        Wait-VolumeExport -VolumeName v -Mode Mirroring | Out-Null

        $client = Invoke-QemuIo -Url $url -Command $writes
        $killed = Wait-CrashChild $child
        $child = $null

        $killed.Killed | Should -BeTrue -Because "the export must die at the third write: $($killed.Stderr)"
        $client.ExitCode | Should -Not -Be 0 -Because 'the third write was never acknowledged'
        $client.Output | Should -Match 'wrote 65536/65536 bytes at offset 0\b'
        $client.Output | Should -Match 'wrote 65536/65536 bytes at offset 1048576\b'
        $client.Output | Should -Not -Match 'at offset 2097152\b'
        $primary = (Get-VolumeConnection v).Path
        $replica = Get-ReplicaFile -VolumeName v
        foreach ($file in $primary, $replica) {
            Get-PatternCount -Path $file -Offset 0 -Count 64KB -Pattern 0x11 | Should -Be 64KB -Because "the first acknowledged write must be in $file"
            Get-PatternCount -Path $file -Offset 1MB -Count 64KB -Pattern 0x22 | Should -Be 64KB -Because "the second acknowledged write must be in $file"
        }
        (Get-VolumeExport -Name v).Mode | Should -Be 'Dead'
        Stop-VolumeExport -Name v -Force
        $round = Sync-VolumeReplica -Name v
        $round.BytesRead | Should -Be (3 * 64KB) -Because 'only the three written blocks are dirty, the one in flight included'
        Get-FileSha256 $replica | Should -Be (Get-FileSha256 $primary)
        [void](Get-CrashFigures).Points.Add('export.between-copies')
    }

    It 'asynchronous: killed after marking the third write, before writing it, the block in flight is dirty and the next round copies it' {
        New-ReplicatedVolumeType -Name replicated | Out-Null
        New-Volume -Name v -SizeBytes 16MB -VolumeType replicated | Out-Null
        Write-VolumeBytes -Path (Get-VolumeConnection v).Path -Offset 4MB -Bytes (Get-RandomBytes -Count 4MB -Seed 3)
        Sync-VolumeReplica -Name v | Out-Null
        $child = Start-CrashChild -CrashAt 'export.after-mark@3'
        Send-CrashGo -Child $child -Site $site -Operation "Start-VolumeExport -Name v -Port $port -Wait -Confirm:`$false" | Out-Null
        Wait-VolumeExport -VolumeName v -Mode Tracking | Out-Null
        # The first round of an exported volume reads it; from then on its bitmap covers every write.
        Sync-VolumeReplica -Name v | Out-Null

        $client = Invoke-QemuIo -Url $url -Command $writes
        $killed = Wait-CrashChild $child
        $child = $null

        $killed.Killed | Should -BeTrue -Because "the export must die at the third write: $($killed.Stderr)"
        $client.ExitCode | Should -Not -Be 0
        $primary = (Get-VolumeConnection v).Path
        Get-PatternCount -Path $primary -Offset 2MB -Count 64KB -Pattern 0x33 | Should -Be 0 -Because 'the export died before writing the third write'
        Stop-VolumeExport -Name v -Force
        $round = Sync-VolumeReplica -Name v
        "$($round.Mode)" | Should -Be 'TrackedWrites'
        $round.BytesRead | Should -Be (3 * 64KB) -Because 'the two written blocks and the one in flight are dirty, and nothing else is read'
        Get-FileSha256 (Get-ReplicaFile -VolumeName v) | Should -Be (Get-FileSha256 $primary)
        [void](Get-CrashFigures).Points.Add('export.after-mark')
    }
}

Describe 'Kill test coverage' {
    It 'every crash point in the engine was reached by a kill' {
        $inSource = Get-CrashPointsInSource -SourceRoot (Join-Path $PSScriptRoot '../../src')
        $inSource.Count | Should -BeGreaterThan 0
        $missing = @($inSource | Where-Object { -not (Get-CrashFigures).Points.Contains($_) })
        $missing | Should -BeNullOrEmpty -Because 'each crash point needs a kill case'
    }
}
