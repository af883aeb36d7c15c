# Fault injection (issue 6): real faults under a replicated volume on dc1 replicating to dc2, against the built module in
# a real pwsh. The partner folder goes missing (renamed away), read-only (chattr -R +i), full (a tmpfs too small for the
# changed blocks); volume files are truncated or removed behind the module's back; the state file is damaged or is not
# SQLite at all; a committed sync journal (left by a pwsh SIGKILLed at journal.after-commit) is damaged on disk.
# For each: the right ErrorId and category, the replication status and extended status, the primary's bytes untouched,
# no half-written rows, and recovery once the fault is removed, with the replica's bytes equal to the primary's.
#
# Needs Linux and root: chattr +i (CAP_LINUX_IMMUTABLE, on ext4/xfs/btrfs) and mount -t tmpfs (CAP_SYS_ADMIN). The
# describes that need them FAIL, with what is missing, where they cannot inject their fault: a fault test never skips.

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'Faults/FaultInjection.psm1') -Force
    Enable-DefaultStateGuard

    $Figures = [ordered]@{ FaultsInjected = 0; ErrorsChecked = 0; RecoveriesVerified = 0; CorruptStateCommands = 0 }
    $FaultNames = [Collections.Generic.List[string]]::new()
    $RecoveryNames = [Collections.Generic.List[string]]::new()
    $FileWatch = [Diagnostics.Stopwatch]::StartNew()

    function Add-Fault([string] $What) { $Figures.FaultsInjected++; $FaultNames.Add($What) }

    function Add-Recovery([string] $What) { $Figures.RecoveriesVerified++; $RecoveryNames.Add($What) }

    function Invoke-Captured {
        <#
        .SYNOPSIS
            Runs a command as a runbook would (ErrorAction Continue) and returns its output, its non-terminating errors
            and the terminating error if it threw.
        #>
        param([Parameter(Mandatory)] [scriptblock] $Command)
        $ErrorActionPreference = 'Continue'
        $all = @()
        $terminating = $null
        try { $all = @(& $Command 2>&1) } catch { $terminating = $_ }
        [pscustomobject]@{
            Output      = @($all | Where-Object { $_ -isnot [Management.Automation.ErrorRecord] })
            Errors      = @($all | Where-Object { $_ -is [Management.Automation.ErrorRecord] })
            Terminating = $terminating
        }
    }

    function Assert-OneError {
        <#
        .SYNOPSIS
            Exactly one non-terminating error with the ErrorId, one of the categories, the target; an engine error, not
            a raw .NET exception. Returns it.
        #>
        param([Parameter(Mandatory)] $Captured, [Parameter(Mandatory)] [string] $ErrorId, [Parameter(Mandatory)] [string[]] $Category, [string] $Target)
        $Captured.Terminating | Should -BeNullOrEmpty -Because 'a fault of one volume is a non-terminating error'
        $Captured.Errors | Should -HaveCount 1
        $record = $Captured.Errors[0]
        $record.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*" -Because "the message was: $($record.Exception.Message)"
        "$($record.CategoryInfo.Category)" | Should -BeIn $Category
        $record.Exception.GetType().FullName | Should -Be 'Replication.Engine.Errors.ReplicationException' -Because 'a fault is reported by the engine, not as a raw .NET exception'
        if ($Target) { "$($record.TargetObject)" | Should -Be $Target }
        $Figures.ErrorsChecked++
        $record
    }

    function New-FaultVolume {
        <#
        .SYNOPSIS
            A 32 MiB replicated volume on dc1 with 2.25 MiB of data in three places, synced to dc2 and checked equal.
        #>
        param([Parameter(Mandatory)] [string] $Name, [int] $Seed = 1)
        $volume = New-Volume -Name $Name -SizeBytes 32MB -VolumeType replicated -ErrorAction Stop
        if ($volume.Backend -ne 'dc1') { throw "Setup: '$Name' was placed on '$($volume.Backend)', not dc1." }
        $primary = Get-BackendVolumeFile -BackendName dc1 -VolumeName $Name
        Write-VolumeBytes -Path $primary -Offset 0 -Bytes (Get-RandomBytes -Count 1MB -Seed $Seed)
        Write-VolumeBytes -Path $primary -Offset 8MB -Bytes (Get-RandomBytes -Count 1MB -Seed ($Seed + 100))
        Write-VolumeBytes -Path $primary -Offset 30MB -Bytes (Get-RandomBytes -Count 256KB -Seed ($Seed + 200))
        $sync = Sync-VolumeReplica -Name $Name -ErrorAction Stop
        if ("$($sync.Status)" -ne 'Active') { throw "Setup: the first sync of '$Name' ended $($sync.Status)." }
        $replica = Get-ReplicaFile -VolumeName $Name
        if ((Get-FileSha256 $primary) -ne (Get-FileSha256 $replica)) { throw "Setup: the replica of '$Name' differs from its primary." }
        [pscustomobject]@{ Name = $Name; Id = $volume.Id; Primary = $primary; Replica = $replica; Leaf = Split-Path -Leaf $primary }
    }

    function Initialize-FullPartner {
        <#
        .SYNOPSIS
            Puts dc2 of the site on an 8 MiB tmpfs (64 inodes) and vol01 synced to it, then writes 12 MiB of new blocks
            on its primary: more than the file system holds beside the 2.25 MiB replica. Returns the volume.
        #>
        param([Parameter(Mandatory)] $Site, [Parameter(Mandatory)] [int] $Seed)
        Assert-FaultInjectionSupport -Probe $Site.Root -Mount
        Mount-SmallTmpfs -Path $Site.Dc2 -Size 8m -Inodes 64
        New-PairedBackends -Site $Site
        New-ReplicatedVolumeType -Name replicated | Out-Null
        $vol = New-FaultVolume -Name vol01
        Write-NewData -Volume $vol -Offset 12MB -Count 12MB -Seed $Seed
        $vol
    }

    function Write-NewData {
        <# New data on the primary since the last round, so a sync has changed blocks to write. #>
        param([Parameter(Mandatory)] $Volume, [long] $Offset = 4MB, [int] $Count = 1MB, [int] $Seed = 42)
        Write-VolumeBytes -Path $Volume.Primary -Offset $Offset -Bytes (Get-RandomBytes -Count $Count -Seed $Seed)
    }

    function Get-RowSummary {
        <# What must not change half-way: every volume's name, status, placement and replicated round. #>
        @(Get-VolumeReplica | Sort-Object VolumeName | ForEach-Object {
                $v = Get-Volume -Name $_.VolumeName
                '{0}|{1}|{2}|{3}|{4}' -f $_.VolumeName, $v.Status, $_.PrimaryBackend, $_.ReplicaBackend, $_.SyncGeneration
            })
    }

    function Get-FolderListing([string] $Path) {
        if (-not (Test-Path -LiteralPath $Path)) { return @() }
        @(Get-ChildItem -LiteralPath $Path -Recurse -File -Force | Sort-Object FullName | ForEach-Object { '{0}|{1}' -f $_.FullName, $_.Length })
    }

    function Get-JournalFiles([string] $BackendFolder) {
        $folder = Join-Path $BackendFolder '.replication'
        if (-not (Test-Path -LiteralPath $folder)) { return @() }
        # The mark of the state store (store) is the folder's own, not a journal.
        @(Get-ChildItem -LiteralPath $folder -File -Force | Where-Object Name -NE 'store')
    }

    function Assert-Recovered {
        <# Active again, bytes equal to the primary's, no journal left; the fault's text gone from the extended status. #>
        param([Parameter(Mandatory)] [string] $Name, [string] $FaultText)
        $replica = Get-VolumeReplica -Name $Name
        "$($replica.Status)" | Should -Be 'Active' -Because "the extended status says: $($replica.ExtendedStatus)"
        $primaryFile = (Get-VolumeConnection -Name $Name).Path
        $replicaFile = Get-ReplicaFile -VolumeName $Name
        Test-Path -LiteralPath $replicaFile | Should -BeTrue
        Get-FileSha256 $replicaFile | Should -Be (Get-FileSha256 $primaryFile) -Because 'the recovered replica holds the primary''s bytes'
        $id = (Get-Volume -Name $Name).Id
        Get-JournalFiles (Split-Path -Parent $replicaFile) | Where-Object Name -Like "volume-$id.*" | Should -BeNullOrEmpty
        if ($FaultText) { $replica.ExtendedStatus | Should -Not -Match ([regex]::Escape($FaultText)) }
        $last = Get-ReplicationEvent -Name $Name -Newest 1
        $last.ToStatus | Should -Be 'active' -Because "the newest event of '$Name' ($($last.Operation): $($last.Message)) records the recovery"
    }
}

AfterAll {
    $FileWatch.Stop()
    Write-Host ("Faults injected: {0} ({1})" -f $Figures.FaultsInjected, ($FaultNames -join '; '))
    Write-Host ("Errors checked for ErrorId, category, target and engine exception: {0}; commands run against damaged state files: {1}" -f $Figures.ErrorsChecked, $Figures.CorruptStateCommands)
    Write-Host ("Recoveries verified (active again, replica bytes = primary bytes): {0} ({1}); {2:n1} s" -f $Figures.RecoveriesVerified, ($RecoveryNames -join '; '), $FileWatch.Elapsed.TotalSeconds)
    Remove-DefaultStateGuard
}

Describe 'Fault: the partner folder is missing (dc2 renamed away)' {
    BeforeAll {
        $site = New-ReplicationStory
        $away = "$($site.Dc2)-away"
        $vol = New-FaultVolume -Name vol01
        Write-NewData -Volume $vol
        $primaryHash = Get-FileSha256 $vol.Primary
        $replicaHash = Get-FileSha256 $vol.Replica
        $before = Get-VolumeReplica -Name vol01
        $rowsBefore = Get-RowSummary
        $lastEvent = Get-LastEventId
        Move-Item -LiteralPath $site.Dc2 -Destination $away
        Add-Fault 'partner missing'
        $sync = Invoke-Captured { Sync-VolumeReplica -Name vol01 }
        $afterSync = Get-VolumeReplica -Name vol01
        $eventsAfterSync = Get-EventsAfter $lastEvent
        $rowsAfterSync = Get-RowSummary
    }
    AfterAll {
        try { if ((Test-Path -LiteralPath $away) -and -not (Test-Path -LiteralPath $site.Dc2)) { Move-Item -LiteralPath $away -Destination $site.Dc2 } }
        finally { Remove-ReplicationTestSite $site }
    }

    It 'Sync-VolumeReplica writes one non-terminating ReplicaUnwritable error naming the volume and the replica''s path' {
        $record = Assert-OneError $sync -ErrorId ReplicaUnwritable -Category WriteError, ReadError -Target vol01
        $record.Exception.Message | Should -Match ([regex]::Escape($site.Dc2))
        $sync.Output | Should -BeNullOrEmpty
    }

    It 'replication status is error and the extended status says what failed, where' {
        "$($afterSync.Status)" | Should -Be 'Error'
        $afterSync.ExtendedStatus | Should -Match 'ReplicaUnwritable'
        $afterSync.ExtendedStatus | Should -Match ([regex]::Escape($vol.Leaf))
        $afterSync.SyncGeneration | Should -Be $before.SyncGeneration -Because 'no round was recorded'
        $afterSync.DataTimestamp | Should -Be $before.DataTimestamp
    }

    It 'the primary''s bytes and the replica in the renamed-away folder are untouched; the folder was not recreated' {
        Get-FileSha256 $vol.Primary | Should -Be $primaryHash
        Get-FileSha256 (Join-Path $away $vol.Leaf) | Should -Be $replicaHash
        Test-Path -LiteralPath $site.Dc2 | Should -BeFalse -Because 'a missing partner folder (an unmounted site) is not recreated by a sync'
        Get-JournalFiles $away | Should -BeNullOrEmpty
    }

    It 'the state holds the failure as one event (active -> error) and no half-written row' {
        $eventsAfterSync | Should -HaveCount 1
        $eventsAfterSync[0].Operation | Should -Be 'SyncReplicaFailed'
        $eventsAfterSync[0].FromStatus | Should -Be 'active'
        $eventsAfterSync[0].ToStatus | Should -Be 'error'
        ($rowsAfterSync -join "`n") | Should -Be ($rowsBefore -join "`n")
        (Get-Volume -Name vol01).Status | Should -Be 'Available'
    }

    It 'New-Volume while the partner folder is missing fails with VolumeFileFault and leaves no file and no row' {
        $dc1Before = Get-FolderListing $site.Dc1
        $result = Invoke-Captured { New-Volume -Name vol02 -SizeBytes 32MB -VolumeType replicated }
        Assert-OneError $result -ErrorId VolumeFileFault -Category WriteError, ResourceUnavailable | Out-Null
        @(Get-Volume | Where-Object Name -EQ 'vol02') | Should -BeNullOrEmpty
        (Get-FolderListing $site.Dc1) -join "`n" | Should -Be ($dc1Before -join "`n")
        Test-Path -LiteralPath $site.Dc2 | Should -BeFalse
    }

    It 'Enable-Replication while the folder is still missing fails the same way and leaves status error' {
        $result = Invoke-Captured { Enable-Replication -Name vol01 -Force }
        Assert-OneError $result -ErrorId ReplicaUnwritable -Category WriteError, ReadError -Target vol01 | Out-Null
        "$((Get-VolumeReplica -Name vol01).Status)" | Should -Be 'Error'
        Get-FileSha256 $vol.Primary | Should -Be $primaryHash
    }

    It 'once the folder is back, Enable-Replication -Force brings the replica back to active with the primary''s bytes' {
        Move-Item -LiteralPath $away -Destination $site.Dc2
        $enabled = Enable-Replication -Name vol01 -Force -PassThru -ErrorAction Stop
        "$($enabled.Status)" | Should -Be 'Active'
        Assert-Recovered -Name vol01 -FaultText 'ReplicaUnwritable'
        Get-FileSha256 $vol.Primary | Should -Be $primaryHash
        Write-NewData -Volume $vol -Offset 12MB -Seed 43
        "$((Sync-VolumeReplica -Name vol01 -ErrorAction Stop).Status)" | Should -Be 'Active'
        Assert-Recovered -Name vol01
        Add-Recovery 'partner missing'
    }
}

Describe 'Fault: the partner folder is read-only (chattr -R +i on dc2)' {
    BeforeAll {
        $site = New-ReplicationStory
        Assert-FaultInjectionSupport -Probe $site.Root -Immutable
        $vol = New-FaultVolume -Name vol01
        Write-NewData -Volume $vol
        $primaryHash = Get-FileSha256 $vol.Primary
        $replicaHash = Get-FileSha256 $vol.Replica
        $rowsBefore = Get-RowSummary
        $lastEvent = Get-LastEventId
        Set-FolderImmutable -Path $site.Dc2
        Add-Fault 'partner read-only'
        $filesBefore = Get-VolumeFileSnapshot -Site $site
        $sync = Invoke-Captured { Sync-VolumeReplica -Name vol01 }
        $afterSync = Get-VolumeReplica -Name vol01
        $eventsAfterSync = Get-EventsAfter $lastEvent
        $rowsAfterSync = Get-RowSummary
        $filesAfterSync = Get-VolumeFileSnapshot -Site $site
    }
    AfterAll {
        try { Clear-FolderImmutable -Path $site.Dc2 }
        finally { Remove-ReplicationTestSite $site }
    }

    It 'the fault is real: dc2 is immutable and refuses a new file' {
        Test-FolderImmutable -Path $site.Dc2 | Should -BeTrue
        { [IO.File]::WriteAllBytes((Join-Path $site.Dc2 'probe'), [byte[]]@(1)) } | Should -Throw
    }

    It 'Sync-VolumeReplica writes one non-terminating ReplicaUnwritable error naming the volume and the replica' {
        $record = Assert-OneError $sync -ErrorId ReplicaUnwritable -Category WriteError, ReadError -Target vol01
        $record.Exception.Message | Should -Match ([regex]::Escape($vol.Leaf))
    }

    It 'replication status stays active (the replica, read again, still holds its round) and the extended status says what failed, where' {
        "$($afterSync.Status)" | Should -Be 'Active'
        $afterSync.ExtendedStatus | Should -Match 'ReplicaUnwritable'
        $afterSync.ExtendedStatus | Should -Match ([regex]::Escape($vol.Leaf))
        $afterSync.ExtendedStatus | Should -Match 'read again, it still holds round \d+, and it stays active'
    }

    It 'the primary''s bytes and every file in both folders are untouched' {
        Get-FileSha256 $vol.Primary | Should -Be $primaryHash
        Get-FileSha256 $vol.Replica | Should -Be $replicaHash
        ($filesAfterSync -join "`n") | Should -Be ($filesBefore -join "`n")
    }

    It 'the state holds the failure as one event (active -> active) and no half-written row' {
        $eventsAfterSync | Should -HaveCount 1
        $eventsAfterSync[0].Operation | Should -Be 'SyncReplicaFailed'
        "$($eventsAfterSync[0].FromStatus) -> $($eventsAfterSync[0].ToStatus)" | Should -Be 'active -> active'
        ($rowsAfterSync -join "`n") | Should -Be ($rowsBefore -join "`n")
    }

    It 'New-Volume onto the read-only partner fails with VolumeFileFault and leaves no file and no row' {
        $filesBefore = Get-VolumeFileSnapshot -Site $site
        $result = Invoke-Captured { New-Volume -Name vol02 -SizeBytes 32MB -VolumeType replicated }
        Assert-OneError $result -ErrorId VolumeFileFault -Category WriteError, PermissionDenied | Out-Null
        @(Get-Volume | Where-Object Name -EQ 'vol02') | Should -BeNullOrEmpty
        (Get-VolumeFileSnapshot -Site $site) -join "`n" | Should -Be ($filesBefore -join "`n")
        (@(Get-ReplicationEvent -Name vol02).Operation -join ', ') | Should -Be 'CreateVolume, CreateVolumeFailed'
    }

    It 'once writable again, the next Sync-VolumeReplica brings the replica to the primary''s bytes' {
        Clear-FolderImmutable -Path $site.Dc2
        "$((Sync-VolumeReplica -Name vol01 -ErrorAction Stop).Status)" | Should -Be 'Active'
        Assert-Recovered -Name vol01 -FaultText 'ReplicaUnwritable'
        Get-FileSha256 $vol.Primary | Should -Be $primaryHash
        Write-NewData -Volume $vol -Offset 12MB -Seed 43
        "$((Sync-VolumeReplica -Name vol01 -ErrorAction Stop).Status)" | Should -Be 'Active'
        Assert-Recovered -Name vol01
        Add-Recovery 'partner read-only'
    }
}

Describe 'Fault: the partner folder is full (dc2 on an 8 MiB tmpfs, 12 MiB of new data)' {
    BeforeAll {
        $site = New-ReplicationTestSite
        $vol = Initialize-FullPartner -Site $site -Seed 44
        $primaryHash = Get-FileSha256 $vol.Primary
        $replicaHash = Get-FileSha256 $vol.Replica
        $freeBefore = Get-FreeBytes $site.Dc2
        $dc2Before = Get-FolderListing $site.Dc2
        $rowsBefore = Get-RowSummary
        $lastEvent = Get-LastEventId
        Add-Fault 'partner full'
        $sync = Invoke-Captured { Sync-VolumeReplica -Name vol01 }
        $afterSync = Get-VolumeReplica -Name vol01
        $eventsAfterSync = Get-EventsAfter $lastEvent
        $rowsAfterSync = Get-RowSummary
        $freeAfter = Get-FreeBytes $site.Dc2
    }
    AfterAll {
        try { Dismount-SmallTmpfs -Path $site.Dc2 }
        finally { Remove-ReplicationTestSite $site }
    }

    It 'the fault is real: dc2 is a tmpfs with less free space than the changed blocks' {
        Test-MountPoint $site.Dc2 | Should -BeTrue
        $freeBefore | Should -BeLessThan 12MB
    }

    It 'Sync-VolumeReplica writes one non-terminating ReplicaUnwritable error that says the space ran out' {
        $record = Assert-OneError $sync -ErrorId ReplicaUnwritable -Category WriteError -Target vol01
        $record.Exception.Message | Should -Match 'space'
    }

    It 'replication status stays active (the replica still holds its round) and the extended status says the partner ran out of space' {
        "$($afterSync.Status)" | Should -Be 'Active'
        $afterSync.ExtendedStatus | Should -Match 'ReplicaUnwritable'
        $afterSync.ExtendedStatus | Should -Match 'space'
        $afterSync.ExtendedStatus | Should -Match 'read again, it still holds round \d+, and it stays active'
    }

    It 'the primary''s and the replica''s bytes are untouched, and the half-written journal is gone (no space leaked)' {
        Get-FileSha256 $vol.Primary | Should -Be $primaryHash
        Get-FileSha256 $vol.Replica | Should -Be $replicaHash
        Get-JournalFiles $site.Dc2 | Should -BeNullOrEmpty
        (Get-FolderListing $site.Dc2) -join "`n" | Should -Be ($dc2Before -join "`n")
        $freeAfter | Should -Be $freeBefore
    }

    It 'the state holds the failure as one event (active -> active) and no half-written row' {
        $eventsAfterSync | Should -HaveCount 1
        $eventsAfterSync[0].Operation | Should -Be 'SyncReplicaFailed'
        "$($eventsAfterSync[0].FromStatus) -> $($eventsAfterSync[0].ToStatus)" | Should -Be 'active -> active'
        ($rowsAfterSync -join "`n") | Should -Be ($rowsBefore -join "`n")
    }

    It 'New-Volume onto the full partner (no block, no inode left) fails with VolumeFileFault and leaves no file and no row' {
        $fillers = Set-FileSystemFull -Path $site.Dc2
        try {
            Get-FreeBytes $site.Dc2 | Should -BeLessThan 64KB
            $filesBefore = Get-VolumeFileSnapshot -Site $site
            $result = Invoke-Captured { New-Volume -Name vol02 -SizeBytes 32MB -VolumeType replicated }
            $record = Assert-OneError $result -ErrorId VolumeFileFault -Category WriteError
            $record.Exception.Message | Should -Match 'space'
            @(Get-Volume | Where-Object Name -EQ 'vol02') | Should -BeNullOrEmpty
            (Get-VolumeFileSnapshot -Site $site) -join "`n" | Should -Be ($filesBefore -join "`n")
        }
        finally { $fillers | Remove-Item -Force -ErrorAction SilentlyContinue }
    }

    It 'once the file system is grown, the next Sync-VolumeReplica brings the replica to the primary''s bytes' {
        Resize-SmallTmpfs -Path $site.Dc2 -Size 64m
        "$((Sync-VolumeReplica -Name vol01 -ErrorAction Stop).Status)" | Should -Be 'Active'
        Assert-Recovered -Name vol01 -FaultText 'ReplicaUnwritable'
        Get-FileSha256 $vol.Primary | Should -Be $primaryHash
        Add-Recovery 'partner full'
    }
}

Describe 'Fault: the partner folder is full during a planned promotion (dc2 on an 8 MiB tmpfs, 12 MiB of new data)' {
    BeforeAll {
        # The final sync's journal of the 12 MiB cannot fit beside the replica.
        $site = New-ReplicationTestSite
        $vol = Initialize-FullPartner -Site $site -Seed 45
        $lastRound = Get-FileSha256 $vol.Replica
        $primaryHash = Get-FileSha256 $vol.Primary
        $lastEvent = Get-LastEventId
        Add-Fault 'partner full during a planned promotion'
        $planned = Invoke-Captured { Invoke-ReplicaPromotion -Name vol01 -Planned -Force }
        $afterPlanned = Get-VolumeReplica -Name vol01
        $eventsAfterPlanned = Get-EventsAfter $lastEvent
    }
    AfterAll {
        try { Dismount-SmallTmpfs -Path $site.Dc2 }
        finally { Remove-ReplicationTestSite $site }
    }

    It 'the planned promotion writes one PlannedPromotionFailed error that holds ReplicaUnwritable and the space that ran out' {
        $record = Assert-OneError $planned -ErrorId PlannedPromotionFailed -Category ResourceUnavailable -Target vol01
        $record.Exception.Message | Should -Match 'ReplicaUnwritable'
        $record.Exception.Message | Should -Match 'space'
        $record.Exception.Message | Should -Match 'the replica was not changed'
    }

    It 'nothing changed: the volume is still active and promotable from dc1, its copies untouched, the failure in the extended status and an event' {
        "$($afterPlanned.Status)|$($afterPlanned.PrimaryBackend)|$($afterPlanned.ReplicaFenced)" | Should -Be 'Active|dc1|False'
        $afterPlanned.ExtendedStatus | Should -Match '^PlannedPromotionSync failed at .*\(ReplicaUnwritable\)'
        $afterPlanned.ExtendedStatus | Should -Match 'read again, it still holds round \d+, and it stays active'
        $eventsAfterPlanned | Should -HaveCount 1
        "$($eventsAfterPlanned[0].Operation): $($eventsAfterPlanned[0].FromStatus) -> $($eventsAfterPlanned[0].ToStatus)" | Should -Be 'PlannedPromotionSyncFailed: active -> active'
        Get-FileSha256 $vol.Primary | Should -Be $primaryHash
        Get-FileSha256 $vol.Replica | Should -Be $lastRound
        Get-JournalFiles $site.Dc2 | Should -BeNullOrEmpty
        (Get-Item -LiteralPath $vol.Primary).IsReadOnly | Should -BeFalse
    }

    It 'an unplanned promotion then serves the volume from dc2 with the last round''s bytes (the way out if dc1 is lost now)' {
        $promotion = Invoke-ReplicaPromotion -Name vol01 -Force -ErrorAction Stop
        "$($promotion.PrimaryBackend)|$($promotion.ReplicaVerified)|$($promotion.Status)" | Should -Be 'dc2|True|Inactive'
        Get-FileSha256 (Get-VolumeConnection -Name vol01).Path | Should -Be $lastRound
        Add-Recovery 'partner full during a planned promotion'
    }
}

Describe 'Fault: the primary file is truncated behind the module''s back' {
    BeforeAll {
        $site = New-ReplicationStory
        $vol = New-FaultVolume -Name vol01
        Write-NewData -Volume $vol -Offset 20MB
        $backup = Join-Path $site.Root 'vol01-primary.backup'
        Copy-Item -LiteralPath $vol.Primary -Destination $backup
        $replicaHash = Get-FileSha256 $vol.Replica
        $before = Get-VolumeReplica -Name vol01
        $rowsBefore = Get-RowSummary
        $lastEvent = Get-LastEventId
        Set-FileLength -Path $vol.Primary -Length 16MB
        Add-Fault 'primary truncated'
        $truncatedHash = Get-FileSha256 $vol.Primary
        $sync = Invoke-Captured { Sync-VolumeReplica -Name vol01 }
        $afterSync = Get-VolumeReplica -Name vol01
        $eventsAfterSync = Get-EventsAfter $lastEvent
        $rowsAfterSync = Get-RowSummary
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'Sync-VolumeReplica writes one non-terminating PrimaryUnreadable error that says the file was resized' {
        $record = Assert-OneError $sync -ErrorId PrimaryUnreadable -Category InvalidData, ReadError -Target vol01
        $record.Exception.Message | Should -Match ([regex]::Escape($vol.Leaf))
        $record.Exception.Message | Should -Match "$(16MB)"
    }

    It 'replication status stays active (the replica is fine) and the extended status tells that the primary cannot be read' {
        "$($afterSync.Status)" | Should -Be 'Active'
        $afterSync.ExtendedStatus | Should -Match 'PrimaryUnreadable'
        $afterSync.ExtendedStatus | Should -Match "$(16MB)"
        $afterSync.SyncGeneration | Should -Be $before.SyncGeneration
        $afterSync.DataTimestamp | Should -Be $before.DataTimestamp
    }

    It 'neither copy is touched: the truncated primary is left as found, the replica holds the last round' {
        (Get-Item -LiteralPath $vol.Primary).Length | Should -Be 16MB
        Get-FileSha256 $vol.Primary | Should -Be $truncatedHash
        Get-FileSha256 $vol.Replica | Should -Be $replicaHash
        Get-JournalFiles $site.Dc2 | Should -BeNullOrEmpty
    }

    It 'the state holds the failure as one event (status unchanged) and no half-written row' {
        $eventsAfterSync | Should -HaveCount 1
        $eventsAfterSync[0].Operation | Should -Be 'SyncReplicaFailed'
        "$($eventsAfterSync[0].FromStatus) -> $($eventsAfterSync[0].ToStatus)" | Should -Be 'active -> active'
        ($rowsAfterSync -join "`n") | Should -Be ($rowsBefore -join "`n")
    }

    It 'a planned promotion is refused with PlannedPromotionFailed and nothing is promoted or fenced' {
        $result = Invoke-Captured { Invoke-ReplicaPromotion -Name vol01 -Planned -Force }
        $record = Assert-OneError $result -ErrorId PlannedPromotionFailed -Category ResourceUnavailable -Target vol01
        $record.Exception.Message | Should -Match 'PrimaryUnreadable'
        $replica = Get-VolumeReplica -Name vol01
        "$($replica.Status)" | Should -Be 'Active'
        $replica.PrimaryBackend | Should -Be 'dc1'
        $replica.ReplicaFenced | Should -BeFalse
        (Get-Item -LiteralPath $vol.Primary).IsReadOnly | Should -BeFalse
        (Get-Item -LiteralPath $vol.Replica).IsReadOnly | Should -BeFalse
        Get-FileSha256 $vol.Primary | Should -Be $truncatedHash
        Get-FileSha256 $vol.Replica | Should -Be $replicaHash
    }

    It 'Repair-ReplicationState reports MissingPrimary once, records it, and leaves the replica active' {
        $findings = @(Repair-ReplicationState -Confirm:$false -ErrorAction Stop | Where-Object Target -EQ 'vol01')
        $findings | Should -HaveCount 1
        $findings[0].Kind | Should -Be 'MissingPrimary'
        $findings[0].Applied | Should -BeTrue
        $replica = Get-VolumeReplica -Name vol01
        "$($replica.Status)" | Should -Be 'Active'
        $replica.ExtendedStatus | Should -Match "$(16MB)"
        @(Repair-ReplicationState -Confirm:$false -ErrorAction Stop | Where-Object Target -EQ 'vol01') | Should -BeNullOrEmpty
        Get-FileSha256 $vol.Primary | Should -Be $truncatedHash
    }

    It 'once the primary is restored, the next Sync-VolumeReplica brings the replica to the primary''s bytes' {
        Copy-Item -LiteralPath $backup -Destination $vol.Primary -Force
        $result = Sync-VolumeReplica -Name vol01 -ErrorAction Stop
        "$($result.Status)" | Should -Be 'Active'
        $result.BytesWritten | Should -BeGreaterThan 0 -Because 'the data written before the truncation reaches the replica now'
        Assert-Recovered -Name vol01 -FaultText 'PrimaryUnreadable'
        Get-FileSha256 $vol.Primary | Should -Be (Get-FileSha256 $backup)
        Add-Recovery 'primary truncated'
    }
}

Describe 'Fault: the primary file is removed behind the module''s back' {
    BeforeAll {
        $site = New-ReplicationStory
        $vol = New-FaultVolume -Name vol01
        $replicaHash = Get-FileSha256 $vol.Replica
        $before = Get-VolumeReplica -Name vol01
        $rowsBefore = Get-RowSummary
        $lastEvent = Get-LastEventId
        Remove-Item -LiteralPath $vol.Primary
        Add-Fault 'primary removed'
        $repair = Invoke-Captured { Repair-ReplicationState -Confirm:$false }
        $afterRepair = Get-VolumeReplica -Name vol01
        $sync = Invoke-Captured { Sync-VolumeReplica -Name vol01 }
        $afterSync = Get-VolumeReplica -Name vol01
        $eventsAfterSync = Get-EventsAfter $lastEvent
        $rowsAfterSync = Get-RowSummary
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'Repair-ReplicationState reports MissingPrimary, records it in the extended status and leaves the replica active' {
        $repair.Terminating | Should -BeNullOrEmpty
        $repair.Errors | Should -BeNullOrEmpty
        $finding = @($repair.Output | Where-Object Target -EQ 'vol01')
        $finding | Should -HaveCount 1
        $finding[0].Kind | Should -Be 'MissingPrimary'
        $finding[0].Applied | Should -BeTrue
        "$($afterRepair.Status)" | Should -Be 'Active'
        $afterRepair.ExtendedStatus | Should -Match 'missing'
    }

    It 'Sync-VolumeReplica writes one non-terminating PrimaryUnreadable error (ReadError) naming the file' {
        $record = Assert-OneError $sync -ErrorId PrimaryUnreadable -Category ReadError -Target vol01
        $record.Exception.Message | Should -Match ([regex]::Escape($vol.Leaf))
    }

    It 'replication status stays active and the extended status tells that the primary cannot be read' {
        "$($afterSync.Status)" | Should -Be 'Active'
        $afterSync.ExtendedStatus | Should -Match 'PrimaryUnreadable'
        $afterSync.SyncGeneration | Should -Be $before.SyncGeneration
    }

    It 'no copy is touched: the primary is not recreated, the replica holds the last round' {
        Test-Path -LiteralPath $vol.Primary | Should -BeFalse
        Get-FileSha256 $vol.Replica | Should -Be $replicaHash
        Get-JournalFiles $site.Dc2 | Should -BeNullOrEmpty
    }

    It 'the state holds one event per failure (status unchanged) and no half-written row' {
        ($eventsAfterSync.Operation -join ', ') | Should -Be 'CheckVolumeFilesFailed, SyncReplicaFailed'
        foreach ($event in $eventsAfterSync) { "$($event.FromStatus) -> $($event.ToStatus)" | Should -Be 'active -> active' }
        ($rowsAfterSync -join "`n") | Should -Be ($rowsBefore -join "`n")
    }

    It 'a planned promotion is refused with PlannedPromotionFailed and nothing is promoted or fenced' {
        $result = Invoke-Captured { Invoke-ReplicaPromotion -Name vol01 -Planned -Force }
        Assert-OneError $result -ErrorId PlannedPromotionFailed -Category ResourceUnavailable -Target vol01 | Out-Null
        $replica = Get-VolumeReplica -Name vol01
        "$($replica.Status)" | Should -Be 'Active'
        $replica.PrimaryBackend | Should -Be 'dc1'
        (Get-Item -LiteralPath $vol.Replica).IsReadOnly | Should -BeFalse
        Get-FileSha256 $vol.Replica | Should -Be $replicaHash
    }

    It 'an unplanned promotion serves the volume from dc2 with the data of the last round' {
        $promotion = Invoke-ReplicaPromotion -Name vol01 -Force -ErrorAction Stop
        $promotion.PrimaryBackend | Should -Be 'dc2'
        $promotion.FencedOnDisk | Should -BeFalse -Because 'there is no file left to fence'
        "$((Get-VolumeReplica -Name vol01).Status)" | Should -Be 'Inactive'
        $served = (Get-VolumeConnection -Name vol01).Path
        $served | Should -Be $vol.Replica
        Get-FileSha256 $served | Should -Be $replicaHash
    }

    It 'Enable-Replication -Force then recreates the lost copy on dc1 and replication is active, bytes equal' {
        $enabled = Enable-Replication -Name vol01 -Force -PassThru -ErrorAction Stop
        "$($enabled.Status)" | Should -Be 'Active'
        Assert-Recovered -Name vol01 -FaultText 'PrimaryUnreadable'
        Get-FileSha256 $vol.Primary | Should -Be $replicaHash -Because 'dc1 now holds a replica of the promoted copy'
        Add-Recovery 'primary removed'
    }
}

Describe 'Fault: the replica file is truncated or removed behind the module''s back' {
    BeforeAll {
        $site = New-ReplicationStory
        # One volume per fault and command, so each sees the fault first-hand.
        $faults = [ordered]@{
            'rm-sync'      = 'replica removed, then sync'
            'trunc-sync'   = 'replica truncated, then sync'
            'rm-promote'   = 'replica removed, then promotion'
            'rm-clone'     = 'replica removed, then clone'
            'trunc-repair' = 'replica truncated, then repair'
            'rm-repair'    = 'replica removed, then repair'
        }
        $vols = @{}
        $primaryHashes = @{}
        $seed = 1
        foreach ($name in $faults.Keys) {
            $vols[$name] = New-FaultVolume -Name $name -Seed $seed
            Write-NewData -Volume $vols[$name] -Seed ($seed + 50)
            $primaryHashes[$name] = Get-FileSha256 $vols[$name].Primary
            $seed++
        }
        foreach ($name in $faults.Keys) {
            if ($name -like 'rm-*') { Remove-Item -LiteralPath $vols[$name].Replica }
            else { Set-FileLength -Path $vols[$name].Replica -Length $(if ($name -eq 'trunc-sync') { 16MB } else { 8MB }) }
            Add-Fault $faults[$name]
        }
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'Sync-VolumeReplica of a <_> replica: ReplicaUnwritable, status error, extended status says what, primary untouched, one event' -ForEach 'rm-sync', 'trunc-sync' {
        $name = $_
        $lastEvent = Get-LastEventId
        $sync = Invoke-Captured { Sync-VolumeReplica -Name $name }
        $record = Assert-OneError $sync -ErrorId ReplicaUnwritable -Category WriteError, ReadError -Target $name
        $record.Exception.Message | Should -Match ([regex]::Escape($vols[$name].Leaf))
        $replica = Get-VolumeReplica -Name $name
        "$($replica.Status)" | Should -Be 'Error'
        $replica.ExtendedStatus | Should -Match 'ReplicaUnwritable'
        $replica.ExtendedStatus | Should -Match $(if ($name -like 'rm-*') { 'missing' } else { "$(16MB)" })
        Get-FileSha256 $vols[$name].Primary | Should -Be $primaryHashes[$name]
        $events = Get-EventsAfter $lastEvent
        $events | Should -HaveCount 1
        "$($events[0].Operation): $($events[0].FromStatus) -> $($events[0].ToStatus)" | Should -Be 'SyncReplicaFailed: active -> error'
        if ($name -like 'rm-*') { Test-Path -LiteralPath $vols[$name].Replica | Should -BeFalse -Because 'a consistent replica that vanished is not silently recreated by an incremental round' }
    }

    It 'Invoke-ReplicaPromotion with the replica removed is refused, status error, and the old primary is not fenced' {
        $result = Invoke-Captured { Invoke-ReplicaPromotion -Name rm-promote -Force }
        Assert-OneError $result -ErrorId VolumeFileFault -Category ResourceUnavailable -Target rm-promote | Out-Null
        $replica = Get-VolumeReplica -Name rm-promote
        "$($replica.Status)" | Should -Be 'Error'
        $replica.ExtendedStatus | Should -Match 'missing'
        $replica.PrimaryBackend | Should -Be 'dc1'
        $replica.ReplicaFenced | Should -BeFalse
        (Get-Item -LiteralPath $vols['rm-promote'].Primary).IsReadOnly | Should -BeFalse
        Get-FileSha256 $vols['rm-promote'].Primary | Should -Be $primaryHashes['rm-promote']
        (Get-VolumeConnection -Name rm-promote).Path | Should -Be $vols['rm-promote'].Primary
    }

    It 'New-Volume -SourceReplica with the replica removed fails cleanly (no file, no row) and records the replica as error' {
        $filesBefore = Get-VolumeFileSnapshot -Site $site
        $result = Invoke-Captured { New-Volume -Name rm-clone-test -SourceReplica rm-clone }
        Assert-OneError $result -ErrorId VolumeFileFault -Category ReadError, ResourceUnavailable, WriteError | Out-Null
        @(Get-Volume | Where-Object Name -EQ 'rm-clone-test') | Should -BeNullOrEmpty
        (Get-VolumeFileSnapshot -Site $site) -join "`n" | Should -Be ($filesBefore -join "`n")
        Get-FileSha256 $vols['rm-clone'].Primary | Should -Be $primaryHashes['rm-clone']
        $replica = Get-VolumeReplica -Name rm-clone
        "$($replica.Status)" | Should -Be 'Error' -Because 'the module has just found the replica gone; it must not go on reporting it active'
        $replica.ExtendedStatus | Should -Match 'missing'
    }

    It 'Repair-ReplicationState reports MissingReplica for a truncated and a removed replica and sets status error with the fault' {
        $findings = @(Repair-ReplicationState -Confirm:$false -ErrorAction Stop)
        foreach ($case in @(@{ Name = 'trunc-repair'; Says = "$(8MB)" }, @{ Name = 'rm-repair'; Says = 'missing' })) {
            $mine = @($findings | Where-Object Target -EQ $case.Name)
            $mine | Should -HaveCount 1
            $mine[0].Kind | Should -Be 'MissingReplica'
            $mine[0].Applied | Should -BeTrue
            $replica = Get-VolumeReplica -Name $case.Name
            "$($replica.Status)" | Should -Be 'Error'
            $replica.ExtendedStatus | Should -Match $case.Says
            Get-FileSha256 $vols[$case.Name].Primary | Should -Be $primaryHashes[$case.Name]
        }
        @(Get-VolumeReplica | Where-Object { "$($_.Status)" -ne 'Error' }).VolumeName | Should -BeNullOrEmpty -Because 'every volume here has lost its replica'
    }

    It 'a sync of a replica in error is refused by rule (SyncNotAllowed) and changes nothing' {
        $filesBefore = Get-VolumeFileSnapshot -Site $site
        $result = Invoke-Captured { Sync-VolumeReplica -Name trunc-repair }
        $record = Assert-OneError $result -ErrorId SyncNotAllowed -Category InvalidOperation -Target trunc-repair
        $record.Exception.Message | Should -Match '^Rule:'
        (Get-VolumeFileSnapshot -Site $site) -join "`n" | Should -Be ($filesBefore -join "`n")
    }

    It 'Enable-Replication -Force brings the <_> replica back to active with its primary''s bytes' -ForEach 'rm-sync', 'trunc-sync', 'rm-promote', 'rm-clone', 'trunc-repair', 'rm-repair' {
        $name = $_
        $result = Invoke-Captured { Enable-Replication -Name $name -Force -PassThru }
        $result.Terminating | Should -BeNullOrEmpty
        $result.Errors | ForEach-Object { $_.Exception.Message } | Should -BeNullOrEmpty
        "$($result.Output[0].Status)" | Should -Be 'Active'
        Assert-Recovered -Name $name
        Get-FileSha256 $vols[$name].Primary | Should -Be $primaryHashes[$name]
        Add-Recovery $faults[$name]
    }
}

Describe 'Fault: the state file is damaged (<Kind>)' -ForEach @(
    @{ Kind = 'garbage over the middle of the file'; Short = 'state file with garbage in the middle' }
    @{ Kind = 'not SQLite at all'; Short = 'state file not SQLite' }
) {
    BeforeAll {
        $site = New-ReplicationStory
        $vol = New-FaultVolume -Name vol01
        New-FaultVolume -Name vol02 -Seed 2 | Out-Null
        foreach ($round in 1..3) {
            Write-NewData -Volume $vol -Offset ($round * 2MB) -Seed (60 + $round)
            Sync-VolumeReplica -Name vol01 -ErrorAction Stop | Out-Null
        }
        Disable-Replication -Name vol02 -Force | Out-Null

        # A complete, checkpointed copy of the state file, as a module that closed cleanly leaves it, then damaged.
        $damaged = Join-Path $site.Root 'damaged-state.db'
        if ($Kind -like 'garbage*') {
            Copy-StateFile -Source $site.State -Destination $damaged
            $connection = [Microsoft.Data.Sqlite.SqliteConnection]::new("Data Source=$damaged;Pooling=False")
            try {
                $connection.Open()
                $command = $connection.CreateCommand()
                $command.CommandText = 'PRAGMA wal_checkpoint(TRUNCATE);'
                $command.ExecuteNonQuery() | Out-Null
            }
            finally { $connection.Dispose() }
            $length = (Get-Item -LiteralPath $damaged).Length
            if ($length -lt 64KB) { throw "Setup: the state file is only $length bytes; the test needs a few pages to damage the middle." }
            Write-Garbage -Path $damaged -Offset ([long]($length / 3)) -Count ([int]($length / 3))
        }
        else {
            Set-Content -LiteralPath $damaged -Value (@('This is a runbook log, not a database.') * 2000) -Encoding utf8
        }
        Add-Fault $Short
        $damagedHash = Get-FileSha256 $damaged
        $filesBefore = Get-VolumeFileSnapshot -Site $site

        $commands = [ordered]@{
            'Get-StorageBackend'          = { Get-StorageBackend }
            'Get-VolumeType'              = { Get-VolumeType }
            'Get-Volume'                  = { Get-Volume }
            'Get-VolumeReplica'           = { Get-VolumeReplica }
            'Get-VolumeConnection'        = { Get-VolumeConnection -Name vol01 }
            'Get-ReplicationEvent'        = { Get-ReplicationEvent }
            'New-StorageBackend'          = { New-StorageBackend -Name dc3 -Driver LocalFile -Path (Join-Path $site.Root 'dc3') }
            'New-VolumeType'              = { New-VolumeType -Name another }
            'New-Volume'                  = { New-Volume -Name vol03 -SizeBytes 32MB -VolumeType replicated }
            'New-Volume -SourceReplica'   = { New-Volume -Name vol01-test -SourceReplica vol01 }
            'Sync-VolumeReplica'          = { Sync-VolumeReplica -Name vol01 }
            'Disable-Replication'         = { Disable-Replication -Name vol01 -Confirm:$false }
            'Enable-Replication'          = { Enable-Replication -Name vol02 -Force }
            'Invoke-ReplicaPromotion'     = { Invoke-ReplicaPromotion -Name vol01 -Force }
            'Remove-Volume'               = { Remove-Volume -Name vol02 -Force }
            'Remove-VolumeType'           = { Remove-VolumeType -Name plain -Confirm:$false }
            'Remove-StorageBackend'       = { Remove-StorageBackend -Name dc2 -Confirm:$false }
            'Repair-ReplicationState'     = { Repair-ReplicationState -Confirm:$false -RemoveOrphanFiles }
            'Set-ReplicationStateStore'   = { Set-ReplicationStateStore -Path $damaged }
        }
        $outcomes = [Collections.Generic.List[object]]::new()
        $savedEnvironment = $env:REPLICATION_POWERSHELL_STATE
        try {
            # The damaged file is the session's default state file, as REPLICATION_POWERSHELL_STATE names it for a runbook host.
            $env:REPLICATION_POWERSHELL_STATE = $damaged
            Set-ReplicationStateStore -Default
            foreach ($entry in $commands.GetEnumerator()) {
                $captured = Invoke-Captured $entry.Value
                $Figures.CorruptStateCommands++
                $outcomes.Add([pscustomobject]@{
                        Command     = $entry.Key
                        Terminating = $captured.Terminating
                        ErrorIds    = @($captured.Errors | ForEach-Object { ($_.FullyQualifiedErrorId -split ',')[0] })
                        Output      = $captured.Output.Count
                    })
            }
        }
        finally {
            $env:REPLICATION_POWERSHELL_STATE = $savedEnvironment
            Set-ReplicationStateStore -Path $site.State
        }
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'every command stops with a terminating StateStoreCorrupt error (InvalidData) that names the file' {
        $wrong = foreach ($outcome in $outcomes) {
            $t = $outcome.Terminating
            if (-not $t) {
                "$($outcome.Command): no terminating error (non-terminating: $($outcome.ErrorIds -join ', '); $($outcome.Output) objects written)"
            }
            elseif ($t.FullyQualifiedErrorId -notlike 'StateStoreCorrupt,*' -or "$($t.CategoryInfo.Category)" -ne 'InvalidData' -or $t.Exception.Message -notmatch [regex]::Escape($damaged)) {
                "$($outcome.Command): $($t.FullyQualifiedErrorId) ($($t.CategoryInfo.Category)): $($t.Exception.Message)"
            }
        }
        $outcomes | Should -HaveCount $commands.Count
        $wrong | Should -BeNullOrEmpty
    }

    It 'nothing is written: the damaged file keeps its bytes, no write-ahead log holds anything, no volume file changes' {
        Get-FileSha256 $damaged | Should -Be $damagedHash
        if (Test-Path -LiteralPath "$damaged-wal") { (Get-Item -LiteralPath "$damaged-wal").Length | Should -Be 0 }
        (Get-VolumeFileSnapshot -Site $site) -join "`n" | Should -Be ($filesBefore -join "`n")
        Test-Path -LiteralPath (Join-Path $site.Root 'dc3') | Should -BeFalse
    }

    It 'Set-ReplicationStateStore refuses the damaged file and the session keeps its good state file' {
        try {
            $result = Invoke-Captured { Set-ReplicationStateStore -Path $damaged }
            $result.Terminating | Should -Not -BeNullOrEmpty
            $result.Terminating.FullyQualifiedErrorId | Should -BeLike 'StateStoreCorrupt,*'
            (Get-ReplicationStateStore).Path | Should -Be $site.State
            @(Get-Volume).Count | Should -Be 2
        }
        finally { Set-ReplicationStateStore -Path $site.State }
    }

    It 'the good state file was never touched: every volume is as it was, and it recovers by going back to it' {
        Set-ReplicationStateStore -Path $site.State
        "$((Get-VolumeReplica -Name vol01).Status)" | Should -Be 'Active'
        "$((Get-VolumeReplica -Name vol02).Status)" | Should -Be 'active-stopped'
        Write-NewData -Volume $vol -Offset 24MB -Seed 70
        "$((Sync-VolumeReplica -Name vol01 -ErrorAction Stop).Status)" | Should -Be 'Active'
        Assert-Recovered -Name vol01
        Add-Recovery "$Short (back to the good state file)"
    }
}

Describe 'Fault: a committed sync journal is damaged on disk (left by a pwsh SIGKILLed at journal.after-commit)' {
    BeforeAll {
        $site = New-ReplicationStory
        $crashed = [ordered]@{}
        foreach ($name in 'vol01', 'vol02') {
            $vol = New-FaultVolume -Name $name -Seed $(if ($name -eq 'vol01') { 1 } else { 2 })
            Write-NewData -Volume $vol -Offset 20MB -Count 2MB -Seed 80
            $entry = [pscustomobject]@{
                Volume = $vol; PrimaryHash = Get-FileSha256 $vol.Primary; ReplicaHash = Get-FileSha256 $vol.Replica
                Before = Get-VolumeReplica -Name $name; Journal = Join-Path $site.Dc2 ".replication/volume-$($vol.Id).sync-journal"
                Child = $null; JournalExisted = $false; ReplicaAfterCrash = $null
            }
            # A runbook host killed (SIGKILL) right after the round's journal was committed, before it was applied.
            $script = "Import-Module '$($env:REPLICATION_MODULE_PATH)'; Set-ReplicationStateStore -Path '$($site.State)'; Sync-VolumeReplica -Name $name | Out-Null; exit 3"
            $entry.Child = Invoke-ChildPwsh -Script $script -Environment @{ REPLICATION_POWERSHELL_CRASH_AT = 'journal.after-commit' }
            $entry.JournalExisted = Test-Path -LiteralPath $entry.Journal
            $entry.ReplicaAfterCrash = Get-FileSha256 $vol.Replica
            if ($entry.JournalExisted) {
                Invoke-FlipBytes -Path $entry.Journal -Offset ([long]((Get-Item -LiteralPath $entry.Journal).Length / 2)) -Count 16
                Add-Fault "sync journal corrupt, then $(if ($name -eq 'vol01') { 'sync' } else { 'promotion' })"
            }
            $crashed[$name] = $entry
        }
        $vol = $crashed['vol01'].Volume
        $lastEvent = Get-LastEventId
        $rowsBefore = Get-RowSummary
        $sync = Invoke-Captured { Sync-VolumeReplica -Name vol01 }
        $afterSync = Get-VolumeReplica -Name vol01
        $eventsAfterSync = Get-EventsAfter $lastEvent
        $rowsAfterSync = Get-RowSummary
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'the crash is real: the child pwsh of <_> died by SIGKILL after committing its journal, before applying it' -ForEach 'vol01', 'vol02' {
        $entry = $crashed[$_]
        $entry.Child.ExitCode | Should -Not -Be 3 -Because "the crash point must fire (child output: $($entry.Child.Stdout) $($entry.Child.Stderr))"
        $entry.Child.ExitCode | Should -Be 137 -Because 'SIGKILL gives 128 + 9'
        $entry.JournalExisted | Should -BeTrue
        $entry.ReplicaAfterCrash | Should -Be $entry.ReplicaHash
    }

    It 'Sync-VolumeReplica writes one non-terminating SyncJournalCorrupt error (InvalidData) naming the journal' {
        $record = Assert-OneError $sync -ErrorId SyncJournalCorrupt -Category InvalidData -Target vol01
        $record.Exception.Message | Should -Match ([regex]::Escape("volume-$($vol.Id).sync-journal"))
    }

    It 'replication status is error and the extended status says the journal is damaged' {
        "$($afterSync.Status)" | Should -Be 'Error'
        $afterSync.ExtendedStatus | Should -Match 'SyncJournalCorrupt'
        $afterSync.ExtendedStatus | Should -Match 'journal'
        $afterSync.SyncGeneration | Should -Be $crashed['vol01'].Before.SyncGeneration
    }

    It 'the primary''s bytes are untouched and the damaged journal was not applied to the replica' {
        Get-FileSha256 $vol.Primary | Should -Be $crashed['vol01'].PrimaryHash
        Get-FileSha256 $vol.Replica | Should -Be $crashed['vol01'].ReplicaHash
    }

    It 'the state holds the failure as one event (active -> error) and no half-written row' {
        $eventsAfterSync | Should -HaveCount 1
        $eventsAfterSync[0].Operation | Should -BeLike '*Failed'
        "$($eventsAfterSync[0].FromStatus) -> $($eventsAfterSync[0].ToStatus)" | Should -Be 'active -> error'
        ($rowsAfterSync -join "`n") | Should -Be ($rowsBefore -join "`n")
    }

    It 'Invoke-ReplicaPromotion of a replica with a damaged journal is refused: SyncJournalCorrupt, status error, nothing fenced' {
        $entry = $crashed['vol02']
        $result = Invoke-Captured { Invoke-ReplicaPromotion -Name vol02 -Force }
        Assert-OneError $result -ErrorId SyncJournalCorrupt -Category InvalidData -Target vol02 | Out-Null
        $replica = Get-VolumeReplica -Name vol02
        "$($replica.Status)" | Should -Be 'Error'
        $replica.ExtendedStatus | Should -Match 'SyncJournalCorrupt'
        $replica.PrimaryBackend | Should -Be 'dc1'
        $replica.ReplicaFenced | Should -BeFalse
        (Get-Item -LiteralPath $entry.Volume.Primary).IsReadOnly | Should -BeFalse
        Get-FileSha256 $entry.Volume.Primary | Should -Be $entry.PrimaryHash
        Get-FileSha256 $entry.Volume.Replica | Should -Be $entry.ReplicaHash
    }

    It 'Enable-Replication -Force drops the damaged journal of <_> and brings the replica to the primary''s bytes, active' -ForEach 'vol01', 'vol02' {
        $entry = $crashed[$_]
        $enabled = Enable-Replication -Name $_ -Force -PassThru -ErrorAction Stop
        "$($enabled.Status)" | Should -Be 'Active'
        Assert-Recovered -Name $_ -FaultText 'SyncJournalCorrupt'
        Test-Path -LiteralPath $entry.Journal | Should -BeFalse
        Get-FileSha256 $entry.Volume.Primary | Should -Be $entry.PrimaryHash
        Add-Recovery "sync journal corrupt ($_)"
    }
}
