# Kill test (issue 6): every crash point of every operation that passes it. Each case builds a fresh site (own temp
# folder and state file, dc1/dc2 paired, 16 MiB replicated volumes with a few MiB of random data at scattered offsets),
# runs the operation in a child pwsh that SIGKILLs itself at the point (REPLICATION_POWERSHELL_CRASH_AT, set for that
# child only), checks the operation did not complete, lets the dead process's lease lapse, runs the recovery a user
# would (the same command again, Repair-ReplicationState, or the next normal command) and checks that the state tells
# the truth (replica bytes are exactly the recorded round's version, never a mix), nothing is lost, and no file is
# orphaned. Then a time-based test kills a larger sync at seeded random moments. Figures are printed at the end.
#
# Helpers: CrashRecovery/CrashRecovery.psm1 (children, lease clock, block hashes, invariants), CrashRecovery/Invoke-CrashChild.ps1.
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

    # --- setups: 'keep' is a bystander volume that must come through every crash untouched
    $keepOnly = { param($c) New-CrashVolume $c keep -Seed 101 | Out-Null }
    $synced = { param($c) New-CrashVolume $c keep -Seed 101 | Out-Null; New-CrashVolume $c v -Seed 11 | Out-Null }
    # v's replica holds V0 (recorded), its primary V1 (not synced yet)
    $changed = { param($c) New-CrashVolume $c keep -Seed 101 | Out-Null; New-CrashVolume $c v -Seed 11 | Out-Null; Write-CrashVersion $c v V1 -Seed 12 }
    $paused = { param($c) New-CrashVolume $c keep -Seed 101 | Out-Null; New-CrashVolume $c v -Seed 11 | Out-Null; Disable-Replication -Name v | Out-Null; Write-CrashVersion $c v V1 -Seed 12 }
    # promoted unplanned: dc-primary serves V0, the fenced old primary holds V1; then V2 is written to the new primary
    $promoted = { param($c) & $changed $c; Invoke-ReplicaPromotion -Name v -Force | Out-Null; Write-ScatteredData -Path (Get-CrashVolumeRow $c.Site v).PrimaryPath -Seed 13; [void]$c.SameAsPrimary.Add('v') }
    # the replica file vanished, Repair recorded error; V1 written since
    $faulted = { param($c) & $synced $c; Remove-Item -LiteralPath $c.Rows.v.ReplicaPath; Repair-ReplicationState -Confirm:$false | Out-Null; Write-ScatteredData -Path $c.Rows.v.PrimaryPath -Seed 12; [void]$c.SameAsPrimary.Add('v') }

    # --- checks right after a kill (the operation did not complete)
    $creating = { param($c, $files) $r = Get-CrashVolumeRow $c.Site v; Test-CrashRow $c v @{ Status = 'creating' }; if ($r) { $c.Rows.v = $r; $n = @(@($r.PrimaryPath, $r.ReplicaPath) | Where-Object { $_ -and (Test-Path -LiteralPath $_) }).Count; if ($n -ne $files) { Add-CrashProblem $c "$n of the new volume's files exist, expected $files" } } }
    $creating1 = { param($c) & $creating $c 1 }
    $creating2 = { param($c) & $creating $c 2 }
    $cloning = { param($c) $r = Get-CrashVolumeRow $c.Site t1; Test-CrashRow $c t1 @{ Status = 'creating' }; if ($r) { $c.Rows.t1 = $r }; Test-CrashRow $c v @{ ReplicationStatus = 'active'; SyncGeneration = $c.Rows.v.SyncGeneration } }
    $deletingIntact = { param($c) Test-CrashRow $c v @{ Status = 'deleting' }; Test-CrashCopy $c v $c.Rows.v.PrimaryPath V0 'the primary'; Test-CrashCopy $c v $c.Rows.v.ReplicaPath V0 'the replica' }
    $deletingHalf = { param($c) Test-CrashRow $c v @{ Status = 'deleting' }; Test-CrashCopy $c v $c.Rows.v.PrimaryPath V0 'the primary'; Test-CrashFile $c $c.Rows.v.ReplicaPath $false 'the replica' }
    $g = { param($c, $plus) $c.Rows.v.SyncGeneration + $plus }
    $journalOpen = { param($c) Test-CrashRow $c v @{ SyncGeneration = (& $g $c 0) }; Test-CrashFile $c "$($c.Rows.v.JournalPath).tmp" $true 'the uncommitted journal'; Test-CrashFile $c $c.Rows.v.JournalPath $false 'a committed journal'; Test-CrashCopy $c v $c.Rows.v.ReplicaPath V0 'the replica' }
    $journalCommitted = { param($c) Test-CrashRow $c v @{ SyncGeneration = (& $g $c 0) }; Test-CrashFile $c $c.Rows.v.JournalPath $true 'the committed journal'; Test-CrashCopy $c v $c.Rows.v.ReplicaPath V0 'the replica' }
    $applying = { param($c) Test-CrashRow $c v @{ SyncGeneration = (& $g $c 0) }; Test-CrashFile $c $c.Rows.v.JournalPath $true 'the committed journal' }
    $applied = { param($c) Test-CrashRow $c v @{ SyncGeneration = (& $g $c 0) }; Test-CrashFile $c $c.Rows.v.JournalPath $true 'the committed journal'; Test-CrashCopy $c v $c.Rows.v.ReplicaPath V1 'the replica' }
    $recorded = { param($c) Test-CrashRow $c v @{ SyncGeneration = (& $g $c 1) }; Test-CrashFile $c $c.Rows.v.JournalPath $true 'the journal of the recorded round'; Test-CrashCopy $c v $c.Rows.v.ReplicaPath V1 'the replica' }
    $stillPrimary = { param($c) Test-CrashRow $c v @{ Backend = $c.Rows.v.Backend; ReplicationStatus = 'active' } }
    $fenced = { param($c) Test-CrashRow $c v @{ Backend = $c.Rows.v.Backend; ReplicationStatus = 'active' }; if (-not (Get-Item -LiteralPath $c.Rows.v.PrimaryPath).IsReadOnly) { Add-CrashProblem $c 'the old primary is not fenced (read-only) yet' } }
    $swapped = { param($c) Test-CrashRow $c v @{ Backend = $c.Rows.v.ReplicaBackend; ReplicationStatus = 'inactive'; ReplicaFenced = $true } }
    $copying = { param($c) Test-CrashRow $c v @{ ReplicationStatus = 'copying'; ReplicaFenced = $false } }
    $nowActive = { param($c) Test-CrashRow $c v @{ ReplicationStatus = 'active' } }
    $pausedStill = { param($c) Test-CrashRow $c v @{ ReplicationStatus = 'active-stopped' } }

    # --- recoveries
    $repairThen = { param($c) Invoke-RecoveryStep $c 'Repair-ReplicationState' { Repair-ReplicationState -Confirm:$false | Out-Null } | Out-Null }
    $newAgain = { param($c) if (Invoke-RecoveryStep $c 'New-Volume v again' { New-Volume -Name v -SizeBytes 16MB -VolumeType replicated | Out-Null }) { Test-CrashRow $c v @{ Status = 'available'; ReplicationStatus = 'active' }; [void]$c.SameAsPrimary.Add('v') }
        if ($c.Rows.Contains('v')) { Test-CrashFile $c $c.Rows.v.PrimaryPath $false 'the crashed creation''s primary file'; if ($c.Rows.v.ReplicaPath) { Test-CrashFile $c $c.Rows.v.ReplicaPath $false 'the crashed creation''s replica file' } } }
    $rolledBackByRepair = { param($c) & $repairThen $c; Test-CrashGone $c v; & $newAgain $c }
    $cloneGoneByRepair = { param($c) & $repairThen $c; Test-CrashGone $c t1 }
    $cloneAgain = { param($c, $label) if (Invoke-RecoveryStep $c 'New-Volume t1 -SourceReplica v again' { New-Volume -Name t1 -SourceReplica v | Out-Null }) { Test-CrashRow $c t1 @{ Status = 'available' }; Test-CrashCopy $c v (Get-CrashVolumeRow $c.Site t1).PrimaryPath $label 'the test volume' }
        if ($c.Rows.Contains('t1')) { Test-CrashFile $c $c.Rows.t1.PrimaryPath $false 'the crashed clone''s file' } }
    $cloneAgainV0 = { param($c) & $cloneAgain $c V0 }
    $cloneAgainV1 = { param($c) & $cloneAgain $c V1; Test-CrashRow $c v @{ SyncGeneration = (& $g $c 1) } }
    $removeAgain = { param($c) Invoke-RecoveryStep $c 'Remove-Volume v again' { Remove-Volume -Name v -Confirm:$false } | Out-Null; Test-CrashGone $c v; [void]$c.Gone.Add('v') }
    $removedByRepair = { param($c) & $repairThen $c; Test-CrashGone $c v; [void]$c.Gone.Add('v') }
    # after a crashed sync: Repair must leave the replica at exactly the recorded round (old, or new if committed)...
    $syncTruth = { param($c, $plus) & $repairThen $c; Test-CrashRow $c v @{ ReplicationStatus = 'active'; SyncGeneration = (& $g $c $plus) }; Test-CrashReplicaRecorded $c v
        # ...and the next sync brings it to the primary
        Invoke-RecoveryStep $c 'Sync-VolumeReplica v' { Sync-VolumeReplica -Name v | Out-Null } | Out-Null; [void]$c.SameAsPrimary.Add('v') }
    $syncTruthOld = { param($c) & $syncTruth $c 0 }
    $syncTruthNew = { param($c) & $syncTruth $c 1 }
    # the next sync without Repair, after more writes (V2): it finishes the committed round (V1), then syncs V2
    $syncOnV2 = { param($c) $round = & $g $c 2; Write-CrashVersion $c v V2 -Seed 14 -Round $round
        Invoke-RecoveryStep $c 'Sync-VolumeReplica v' { Sync-VolumeReplica -Name v | Out-Null } | Out-Null; Test-CrashRow $c v @{ ReplicationStatus = 'active'; SyncGeneration = $round } }
    $enableAfterPromotion = { param($c) Invoke-RecoveryStep $c 'Enable-Replication v' { Enable-Replication -Name v -Force | Out-Null } | Out-Null; Test-CrashRow $c v @{ ReplicationStatus = 'active'; ReplicaFenced = $false }; [void]$c.SameAsPrimary.Add('v') }
    $promotionRetried = { param($c, $planned, $label) & $repairThen $c; Test-CrashNotPromoted $c v; Test-CrashReplicaRecorded $c v
        if (Invoke-RecoveryStep $c 'Invoke-ReplicaPromotion v again' { Invoke-ReplicaPromotion -Name v -Force -Planned:$planned | Out-Null }) { Test-CrashPromoted $c v $label }
        & $enableAfterPromotion $c }
    $plannedRetried = { param($c) & $promotionRetried $c $true V1 }
    $unplannedRetried = { param($c) & $promotionRetried $c $false V0 }
    $unplannedRetriedV1 = { param($c) Step-LeaseClock $c.Site
        if (Invoke-RecoveryStep $c 'Invoke-ReplicaPromotion v again' { Invoke-ReplicaPromotion -Name v -Force | Out-Null }) { Test-CrashPromoted $c v V1 }
        & $enableAfterPromotion $c }
    $promotedThenEnable = { param($c, $label) & $repairThen $c; Test-CrashPromoted $c v $label; & $enableAfterPromotion $c }
    $plannedDone = { param($c) & $promotedThenEnable $c V1 }
    $unplannedDone = { param($c) & $promotedThenEnable $c V0 }
    # the next command after a sync killed mid-apply: an unplanned promotion must first finish the committed round
    $promoteAfterSync = { param($c) if (Invoke-RecoveryStep $c 'Invoke-ReplicaPromotion v (unplanned)' { Invoke-ReplicaPromotion -Name v -Force | Out-Null }) { Test-CrashPromoted $c v V1 }; & $enableAfterPromotion $c }
    # a crashed Enable-Replication is run again and reaches active with equal bytes (if it stopped short of active)
    $enableAgain = { param($c) & $repairThen $c
        if ((Get-CrashVolumeRow $c.Site v).ReplicationStatus -ne 'active') {
            if (-not (Invoke-RecoveryStep $c 'Enable-Replication v again' { Enable-Replication -Name v -Force | Out-Null })) {
                # what else a user could do, so the bytes are still checked
                Invoke-RecoveryStep $c 'Sync-VolumeReplica v (after Enable-Replication was refused)' { Sync-VolumeReplica -Name v | Out-Null } | Out-Null
            }
        }
        Test-CrashRow $c v @{ ReplicationStatus = 'active' }; [void]$c.SameAsPrimary.Add('v') }
    # a crashed resume: Repair leaves the replica at the recorded round; Enable-Replication again resumes
    $resumeAgain = { param($c) & $repairThen $c; Test-CrashReplicaRecorded $c v; & $enableAgain $c }

    $cases = @(
        # New-Volume
        @{ Operation = 'New-Volume'; Point = 'create.after-file'; Recovery = 'Repair-ReplicationState'; Setup = $keepOnly; Crashes = @(@{ Operation = $new; Point = 'create.after-file'; Partial = $creating1 }); Recover = $rolledBackByRepair }
        @{ Operation = 'New-Volume'; Point = 'create.after-file'; Recovery = 'New-Volume again'; Setup = $keepOnly; Crashes = @(@{ Operation = $new; Point = 'create.after-file'; Partial = $creating1 }); Recover = $newAgain }
        @{ Operation = 'New-Volume'; Point = 'create.before-available'; Recovery = 'Repair-ReplicationState'; Setup = $keepOnly; Crashes = @(@{ Operation = $new; Point = 'create.before-available'; Partial = $creating2 }); Recover = $rolledBackByRepair }
        @{ Operation = 'New-Volume'; Point = 'create.before-available'; Recovery = 'New-Volume again'; Setup = $keepOnly; Crashes = @(@{ Operation = $new; Point = 'create.before-available'; Partial = $creating2 }); Recover = $newAgain }
        @{ Operation = 'New-Volume (plain type)'; Point = 'create.after-file'; Recovery = 'Repair-ReplicationState'; Setup = $keepOnly; Crashes = @(@{ Operation = 'New-Volume -Name v -SizeBytes 16MB -VolumeType plain'; Point = 'create.after-file'; Partial = $creating1 }); Recover = { param($c) & $repairThen $c; Test-CrashGone $c v; [void]$c.Gone.Add('v') } }
        # New-Volume -SourceReplica (a DR test volume cloned from the replica)
        @{ Operation = 'New-Volume -SourceReplica'; Point = 'direct.after-block'; Recovery = 'Repair-ReplicationState'; Setup = $synced; Crashes = @(@{ Operation = $clone; Point = 'direct.after-block'; Partial = $cloning }); Recover = $cloneGoneByRepair }
        @{ Operation = 'New-Volume -SourceReplica'; Point = 'direct.after-block'; Recovery = 'New-Volume -SourceReplica again'; Setup = $synced; Crashes = @(@{ Operation = $clone; Point = 'direct.after-block'; Partial = $cloning }); Recover = $cloneAgainV0 }
        @{ Operation = 'New-Volume -SourceReplica'; Point = 'create.before-available'; Recovery = 'Repair-ReplicationState'; Setup = $synced; Crashes = @(@{ Operation = $clone; Point = 'create.before-available'; Partial = $cloning }); Recover = $cloneGoneByRepair }
        @{ Operation = 'New-Volume -SourceReplica'; Point = 'create.before-available'; Recovery = 'New-Volume -SourceReplica again'; Setup = $synced; Crashes = @(@{ Operation = $clone; Point = 'create.before-available'; Partial = $cloning }); Recover = $cloneAgainV0 }
        # Remove-Volume
        @{ Operation = 'Remove-Volume'; Point = 'delete.after-mark'; Recovery = 'Remove-Volume again'; Setup = $synced; Crashes = @(@{ Operation = $remove; Point = 'delete.after-mark'; Partial = $deletingIntact }); Recover = $removeAgain }
        @{ Operation = 'Remove-Volume'; Point = 'delete.after-mark'; Recovery = 'Repair-ReplicationState'; Setup = $synced; Crashes = @(@{ Operation = $remove; Point = 'delete.after-mark'; Partial = $deletingIntact }); Recover = $removedByRepair }
        @{ Operation = 'Remove-Volume'; Point = 'delete.after-replica-file'; Recovery = 'Remove-Volume again'; Setup = $synced; Crashes = @(@{ Operation = $remove; Point = 'delete.after-replica-file'; Partial = $deletingHalf }); Recover = $removeAgain }
        @{ Operation = 'Remove-Volume'; Point = 'delete.after-replica-file'; Recovery = 'Repair-ReplicationState'; Setup = $synced; Crashes = @(@{ Operation = $remove; Point = 'delete.after-replica-file'; Partial = $deletingHalf }); Recover = $removedByRepair }
        # Sync-VolumeReplica of a consistent replica (journaled round)
        @{ Operation = 'Sync-VolumeReplica'; Point = 'journal.after-block'; Recovery = 'Repair-ReplicationState, then Sync-VolumeReplica'; Setup = $changed; Crashes = @(@{ Operation = $sync; Point = 'journal.after-block'; Partial = $journalOpen }); Recover = $syncTruthOld }
        @{ Operation = 'Sync-VolumeReplica'; Point = 'journal.after-commit'; Recovery = 'Repair-ReplicationState, then Sync-VolumeReplica'; Setup = $changed; Crashes = @(@{ Operation = $sync; Point = 'journal.after-commit'; Partial = $journalCommitted }); Recover = $syncTruthNew }
        @{ Operation = 'Sync-VolumeReplica'; Point = 'apply.after-block'; Recovery = 'Repair-ReplicationState, then Sync-VolumeReplica'; Setup = $changed; Crashes = @(@{ Operation = $sync; Point = 'apply.after-block'; Partial = $applying }); Recover = $syncTruthNew }
        @{ Operation = 'Sync-VolumeReplica'; Point = 'sync.after-apply'; Recovery = 'Repair-ReplicationState, then Sync-VolumeReplica'; Setup = $changed; Crashes = @(@{ Operation = $sync; Point = 'sync.after-apply'; Partial = $applied }); Recover = $syncTruthNew }
        @{ Operation = 'Sync-VolumeReplica'; Point = 'sync.after-record'; Recovery = 'Repair-ReplicationState, then Sync-VolumeReplica'; Setup = $changed; Crashes = @(@{ Operation = $sync; Point = 'sync.after-record'; Partial = $recorded }); Recover = $syncTruthNew }
        @{ Operation = 'Sync-VolumeReplica'; Point = 'journal.after-block'; Recovery = 'more writes, then Sync-VolumeReplica'; Setup = $changed; Crashes = @(@{ Operation = $sync; Point = 'journal.after-block'; Partial = $journalOpen }); Recover = { param($c) $round = & $g $c 1; Write-CrashVersion $c v V2 -Seed 14 -Round $round
                Invoke-RecoveryStep $c 'Sync-VolumeReplica v' { Sync-VolumeReplica -Name v | Out-Null } | Out-Null; Test-CrashRow $c v @{ ReplicationStatus = 'active'; SyncGeneration = $round } } }
        @{ Operation = 'Sync-VolumeReplica'; Point = 'journal.after-commit'; Recovery = 'more writes, then Sync-VolumeReplica'; Setup = $changed; Crashes = @(@{ Operation = $sync; Point = 'journal.after-commit'; Partial = $journalCommitted }); Recover = $syncOnV2 }
        @{ Operation = 'Sync-VolumeReplica'; Point = 'apply.after-block'; Recovery = 'more writes, then Sync-VolumeReplica'; Setup = $changed; Crashes = @(@{ Operation = $sync; Point = 'apply.after-block'; Partial = $applying }); Recover = $syncOnV2 }
        @{ Operation = 'Sync-VolumeReplica'; Point = 'sync.after-apply'; Recovery = 'more writes, then Sync-VolumeReplica'; Setup = $changed; Crashes = @(@{ Operation = $sync; Point = 'sync.after-apply'; Partial = $applied }); Recover = $syncOnV2 }
        @{ Operation = 'Sync-VolumeReplica'; Point = 'apply.after-block'; Recovery = 'Invoke-ReplicaPromotion (unplanned) next'; Setup = $changed; Crashes = @(@{ Operation = $sync; Point = 'apply.after-block'; Partial = $applying }); Recover = $promoteAfterSync }
        @{ Operation = 'Sync-VolumeReplica'; Point = 'journal.after-commit'; Recovery = 'New-Volume -SourceReplica next'; Setup = $changed; Crashes = @(@{ Operation = $sync; Point = 'journal.after-commit'; Partial = $journalCommitted }); Recover = $cloneAgainV1 }
        # Invoke-ReplicaPromotion -Planned (a final journaled sync, then fence and swap)
        @{ Operation = 'Invoke-ReplicaPromotion -Planned'; Point = 'journal.after-block'; Recovery = 'Repair-ReplicationState, promotion again'; Setup = $changed; Crashes = @(@{ Operation = $planned; Point = 'journal.after-block'; Partial = $stillPrimary }); Recover = $plannedRetried }
        @{ Operation = 'Invoke-ReplicaPromotion -Planned'; Point = 'journal.after-commit'; Recovery = 'Repair-ReplicationState, promotion again'; Setup = $changed; Crashes = @(@{ Operation = $planned; Point = 'journal.after-commit'; Partial = $stillPrimary }); Recover = $plannedRetried }
        @{ Operation = 'Invoke-ReplicaPromotion -Planned'; Point = 'apply.after-block'; Recovery = 'Repair-ReplicationState, promotion again'; Setup = $changed; Crashes = @(@{ Operation = $planned; Point = 'apply.after-block'; Partial = $stillPrimary }); Recover = $plannedRetried }
        @{ Operation = 'Invoke-ReplicaPromotion -Planned'; Point = 'sync.after-apply'; Recovery = 'Repair-ReplicationState, promotion again'; Setup = $changed; Crashes = @(@{ Operation = $planned; Point = 'sync.after-apply'; Partial = $stillPrimary }); Recover = $plannedRetried }
        @{ Operation = 'Invoke-ReplicaPromotion -Planned'; Point = 'sync.after-record'; Recovery = 'Repair-ReplicationState, promotion again'; Setup = $changed; Crashes = @(@{ Operation = $planned; Point = 'sync.after-record'; Partial = $stillPrimary }); Recover = $plannedRetried }
        @{ Operation = 'Invoke-ReplicaPromotion -Planned'; Point = 'promote.after-fence'; Recovery = 'Repair-ReplicationState, promotion again'; Setup = $changed; Crashes = @(@{ Operation = $planned; Point = 'promote.after-fence'; Partial = $fenced }); Recover = $plannedRetried }
        @{ Operation = 'Invoke-ReplicaPromotion -Planned'; Point = 'promote.after-swap'; Recovery = 'Repair-ReplicationState, Enable-Replication'; Setup = $changed; Crashes = @(@{ Operation = $planned; Point = 'promote.after-swap'; Partial = $swapped }); Recover = $plannedDone }
        # Invoke-ReplicaPromotion (unplanned: the replica as last recorded)
        @{ Operation = 'Invoke-ReplicaPromotion'; Point = 'promote.after-fence'; Recovery = 'Repair-ReplicationState, promotion again'; Setup = $changed; Crashes = @(@{ Operation = $unplanned; Point = 'promote.after-fence'; Partial = $fenced }); Recover = $unplannedRetried }
        @{ Operation = 'Invoke-ReplicaPromotion'; Point = 'promote.after-swap'; Recovery = 'Repair-ReplicationState, Enable-Replication'; Setup = $changed; Crashes = @(@{ Operation = $unplanned; Point = 'promote.after-swap'; Partial = $swapped }); Recover = $unplannedDone }
        @{ Operation = 'Invoke-ReplicaPromotion (finishing a killed sync)'; Point = 'apply.after-block'; Recovery = 'promotion again'; Setup = $changed
            Crashes = @(@{ Operation = $sync; Point = 'sync.after-apply'; Partial = $applied }, @{ Operation = $unplanned; Point = 'apply.after-block'; Partial = $stillPrimary }); Recover = $unplannedRetriedV1 }
        # Enable-Replication after a promotion (reverse direction, direct copy of differing blocks)
        @{ Operation = 'Enable-Replication (after promotion)'; Point = 'enable.after-copying'; Recovery = 'Enable-Replication again'; Setup = $promoted; Crashes = @(@{ Operation = $enable; Point = 'enable.after-copying'; Partial = $copying }); Recover = $enableAgain }
        @{ Operation = 'Enable-Replication (after promotion)'; Point = 'direct.after-block'; Recovery = 'Enable-Replication again'; Setup = $promoted; Crashes = @(@{ Operation = $enable; Point = 'direct.after-block'; Partial = $copying }); Recover = $enableAgain }
        @{ Operation = 'Enable-Replication (after promotion)'; Point = 'sync.after-record'; Recovery = 'Enable-Replication again'; Setup = $promoted; Crashes = @(@{ Operation = $enable; Point = 'sync.after-record'; Partial = $nowActive }); Recover = $enableAgain }
        # Enable-Replication after a replica fault (status error)
        @{ Operation = 'Enable-Replication (after a fault)'; Point = 'enable.after-copying'; Recovery = 'Enable-Replication again'; Setup = $faulted; Crashes = @(@{ Operation = $enable; Point = 'enable.after-copying'; Partial = $copying }); Recover = $enableAgain }
        @{ Operation = 'Enable-Replication (after a fault)'; Point = 'direct.after-block'; Recovery = 'Enable-Replication again'; Setup = $faulted; Crashes = @(@{ Operation = $enable; Point = 'direct.after-block'; Partial = $copying }); Recover = $enableAgain }
        @{ Operation = 'Enable-Replication (after a fault)'; Point = 'sync.after-record'; Recovery = 'Enable-Replication again'; Setup = $faulted; Crashes = @(@{ Operation = $enable; Point = 'sync.after-record'; Partial = $nowActive }); Recover = $enableAgain }
        # Enable-Replication resuming a paused replica (journaled round)
        @{ Operation = 'Enable-Replication (resume)'; Point = 'journal.after-block'; Recovery = 'Repair-ReplicationState, Enable-Replication again'; Setup = $paused; Crashes = @(@{ Operation = $enable; Point = 'journal.after-block'; Partial = $pausedStill }); Recover = $resumeAgain }
        @{ Operation = 'Enable-Replication (resume)'; Point = 'journal.after-commit'; Recovery = 'Repair-ReplicationState, Enable-Replication again'; Setup = $paused; Crashes = @(@{ Operation = $enable; Point = 'journal.after-commit'; Partial = $pausedStill }); Recover = $resumeAgain }
        @{ Operation = 'Enable-Replication (resume)'; Point = 'apply.after-block'; Recovery = 'Repair-ReplicationState, Enable-Replication again'; Setup = $paused; Crashes = @(@{ Operation = $enable; Point = 'apply.after-block'; Partial = $pausedStill }); Recover = $resumeAgain }
        @{ Operation = 'Enable-Replication (resume)'; Point = 'sync.after-apply'; Recovery = 'Repair-ReplicationState, Enable-Replication again'; Setup = $paused; Crashes = @(@{ Operation = $enable; Point = 'sync.after-apply'; Partial = $pausedStill }); Recover = $resumeAgain }
        @{ Operation = 'Enable-Replication (resume)'; Point = 'sync.after-record'; Recovery = 'Repair-ReplicationState'; Setup = $paused; Crashes = @(@{ Operation = $enable; Point = 'sync.after-record'; Partial = $nowActive }); Recover = $resumeAgain }
        # the recoveries themselves killed
        @{ Operation = 'Repair-ReplicationState (finishing a removal)'; Point = 'delete.after-replica-file'; Recovery = 'Repair-ReplicationState again'; Setup = $synced
            Crashes = @(@{ Operation = $remove; Point = 'delete.after-mark'; Partial = $deletingIntact }, @{ Operation = $repair; Point = 'delete.after-replica-file'; Partial = $deletingHalf }); Recover = $removedByRepair }
        @{ Operation = 'Repair-ReplicationState (rolling back a creation)'; Point = 'delete.after-replica-file'; Recovery = 'Repair-ReplicationState again'; Setup = $keepOnly
            Crashes = @(@{ Operation = $new; Point = 'create.before-available'; Partial = $creating2 }, @{ Operation = $repair; Point = 'delete.after-replica-file'; Partial = $creating1 }); Recover = $rolledBackByRepair }
        @{ Operation = 'New-Volume (rolling back its abandoned namesake)'; Point = 'delete.after-replica-file'; Recovery = 'New-Volume again'; Setup = $keepOnly
            Crashes = @(@{ Operation = $new; Point = 'create.before-available'; Partial = $creating2 }, @{ Operation = $new; Point = 'delete.after-replica-file'; Partial = $creating1 }); Recover = $newAgain }
        @{ Operation = 'Repair-ReplicationState (finishing a sync)'; Point = 'apply.after-block'; Recovery = 'Repair-ReplicationState again'; Setup = $changed
            Crashes = @(@{ Operation = $sync; Point = 'journal.after-commit'; Partial = $journalCommitted }, @{ Operation = $repair; Point = 'apply.after-block'; Partial = $applying }); Recover = $syncTruthNew }
        @{ Operation = 'Sync-VolumeReplica (finishing a killed sync)'; Point = 'apply.after-block'; Recovery = 'more writes, then Sync-VolumeReplica'; Setup = $changed
            Crashes = @(@{ Operation = $sync; Point = 'sync.after-apply'; Partial = $applied }, @{ Operation = $sync; Point = 'apply.after-block'; Partial = $applying }); Recover = $syncOnV2 }
        @{ Operation = 'New-Volume -SourceReplica (finishing a killed sync)'; Point = 'apply.after-block'; Recovery = 'New-Volume -SourceReplica again'; Setup = $changed
            Crashes = @(@{ Operation = $sync; Point = 'journal.after-commit'; Partial = $journalCommitted }, @{ Operation = $clone; Point = 'apply.after-block'; Partial = { param($c) & $applying $c; if (Get-CrashVolumeRow $c.Site t1) { Add-CrashProblem $c 't1 has a row although the clone was killed before it began' } } }); Recover = $cloneAgainV1 }
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
    Enable-DefaultStateGuard
    $script:Clock = [Diagnostics.Stopwatch]::StartNew()
}

AfterAll {
    $figures = Get-CrashFigures
    Write-Host ("Kill test: {0} kill points exercised ({1}), {2} kills performed ({3} at crash points in {4} cases, {5} at random moments in {6} runs), {7} recoveries verified, in {8:N0} s" -f
        $figures.Points.Count, ($figures.Points -join ', '), ($figures.Kills + $figures.RandomKills), $figures.Kills, $figures.Cases,
        $figures.RandomKills, $figures.RandomRuns, ($figures.Recoveries + $figures.RandomRecoveries), $script:Clock.Elapsed.TotalSeconds)
    Remove-DefaultStateGuard
}

Describe 'Kill test: <Operation> killed at <Point>' -ForEach $cases {
    It 'dies by SIGKILL at the point without completing; after <Recovery> the state tells the truth, nothing is lost, no orphans' {
        $problems = Invoke-CrashCase -Case $_
        $problems | Should -BeNullOrEmpty
    }
}

Describe 'Kill test: Sync-VolumeReplica of a <Churn> MiB change to a 128 MiB volume, SIGKILLed at <Runs> seeded random moments' -ForEach $random {
    It 'after each kill and recovery the replica is exactly one recorded round, and the last sync makes it equal the primary' {
        $run = Invoke-RandomKillRun -Runs $Runs -Seed $Seed -SizeBytes $Size -ChurnMiB $Churn
        Write-Host ("  random kills: {0} of {1} runs killed mid-operation (delays {2} ms; phases hit: {3}); seed {4}" -f $run.Kills, $Runs, ($run.Delays -join ', '), (($run.Phases.GetEnumerator() | Sort-Object Name | ForEach-Object { "$($_.Name) $($_.Value)" }) -join ', '), $Seed)
        $run.Problems | Should -BeNullOrEmpty
        $run.Kills | Should -BeGreaterOrEqual ([Math]::Ceiling($Runs / 2)) -Because 'most kills must land while the sync runs, or the test proves little'
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
