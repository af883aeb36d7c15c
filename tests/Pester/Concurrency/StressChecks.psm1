# Runs the concurrency stress (pwsh child processes or ForEach-Object -Parallel runspaces) and checks every invariant
# afterwards. Each Test-* function returns the problems it found as strings (none when all is well), so a failing test
# says exactly what broke.

Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1')

$script:WorkerScript = Join-Path $PSScriptRoot 'StressWorker.ps1'
$script:EntryScript = Join-Path $PSScriptRoot 'Start-StressWorker.ps1'

# Refusals a concurrent run legitimately gives: another worker created, removed or changed the volume first, or held it
# for longer than the lease wait. VolumeFileGone is the harness's own: a volume file removed between lookup and write.
$script:ExpectedErrorIds = @(
    'VolumeExists', 'VolumeNotFound', 'VolumeNotAvailable', 'SyncNotAllowed', 'PromotionNotAllowed', 'ReenableNotAllowed',
    'PauseNotAllowed', 'CloneFromReplicaNotAllowed', 'VolumeBusy', 'VolumeFileGone')

# What each successful operation records (event operation => count). Enable-Replication is checked apart: from
# active-stopped it records one ResumeReplication, from inactive or error two EnableReplication (start copying, round).
# A volume's first sync round also records, before its first write, the move from active to copying (an event of the
# same operation); those are set apart too, as the history check follows them.
$script:EventsPerOperation = @{
    create  = @{ CreateVolume = 2 }
    clone   = @{ CreateVolume = 2 }
    sync    = @{ SyncReplica = 1 }
    disable = @{ DisableReplication = 1 }
    remove  = @{ DeleteVolume = 2 }
    write   = @{}
}

function New-StressPool {
    <#
    .SYNOPSIS
        The shared pool of volume names; half of them exist before the workers start (sizes 4-16 MiB).
    #>
    param([int] $PoolSize, [int] $Seed)
    $random = [Random]::new($Seed)
    $names = @(0..($PoolSize - 1) | ForEach-Object { "pool$_" })
    foreach ($name in $names | Select-Object -First ([Math]::Ceiling($PoolSize / 2))) {
        New-Volume -Name $name -SizeBytes ([long]$random.Next(4, 17) * 1MB) -VolumeType replicated | Out-Null
    }
    $names
}

function Get-StressWorkerSeed {
    <# Well-spread worker seeds from the run's seed: .NET's seeded Random gives nearly the same first numbers for nearby seeds. #>
    param([int] $Seed, [int] $Worker)
    $master = [Random]::new($Seed)
    $value = 0
    for ($i = 0; $i -lt $Worker; $i++) { $value = $master.Next() }
    $value
}

function Invoke-StressInProcesses {
    <#
    .SYNOPSIS
        Starts one pwsh per worker on the shared state file, releases them together, waits, and returns each worker's log.
    #>
    param([Parameter(Mandatory)] $Site, [int] $Processes, [int] $Operations, [string[]] $Names, [int] $Seed, [string] $ModulePath, [int] $TimeoutSeconds = 90)
    $work = Join-Path $Site.Root 'stress'
    $locks = Join-Path $work 'locks'
    New-Item -ItemType Directory -Path $locks -Force | Out-Null
    $signal = Join-Path $work 'start'
    $hostCommand = Get-PwshCommand
    $children = foreach ($worker in 1..$Processes) {
        $logPath = Join-Path $work "worker$worker.json"
        $arguments = @($hostCommand.Prefix) + @('-NoProfile', '-NonInteractive', '-File', $script:EntryScript,
            '-ModulePath', $ModulePath, '-StatePath', $Site.State, '-WorkerId', $worker, '-Seed', (Get-StressWorkerSeed $Seed $worker),
            '-Operations', $Operations, '-Names', ($Names -join ','), '-LockFolder', $locks, '-LogPath', $logPath, '-StartSignal', $signal)
        $quoted = $arguments | ForEach-Object { if ("$_" -match '[\s"]') { '"' + ("$_" -replace '"', '\"') + '"' } else { "$_" } }
        $stdout = Join-Path $work "worker$worker.out"
        $stderr = Join-Path $work "worker$worker.err"
        $process = Start-Process -FilePath $hostCommand.File -ArgumentList ($quoted -join ' ') -PassThru -NoNewWindow `
            -RedirectStandardOutput $stdout -RedirectStandardError $stderr
        $null = $process.Handle   # keeps the exit code readable after the process is gone
        [pscustomobject]@{ Worker = $worker; Process = $process; LogPath = $logPath; Stdout = $stdout; Stderr = $stderr }
    }

    # Every child imports the module and says it is ready; the clock starts when they are all released at once.
    $readyBy = [DateTime]::UtcNow.AddSeconds(60)
    while (@($children | Where-Object { -not (Test-Path -LiteralPath "$($_.LogPath).ready") -and -not $_.Process.HasExited }).Count -gt 0 -and [DateTime]::UtcNow -lt $readyBy) {
        Start-Sleep -Milliseconds 20
    }
    $watch = [Diagnostics.Stopwatch]::StartNew()
    New-Item -ItemType File -Path $signal | Out-Null
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    $results = foreach ($child in $children) {
        $left = [Math]::Max(0, ($deadline - [DateTime]::UtcNow).TotalMilliseconds)
        $exited = $child.Process.WaitForExit([int]$left)
        if (-not $exited) { $child.Process.Kill($true); $child.Process.WaitForExit() }
        $log = if (Test-Path -LiteralPath $child.LogPath) { Get-Content -LiteralPath $child.LogPath -Raw | ConvertFrom-Json } else { $null }
        [pscustomobject]@{
            Worker     = $child.Worker
            Pid        = $child.Process.Id
            ExitCode   = if ($exited) { $child.Process.ExitCode } else { 'killed after timeout' }
            Completed  = [bool]($log -and $log.Completed)
            Fatal      = if ($log) { $log.Fatal } else { 'no log written' }
            Stderr     = (Get-Content -LiteralPath $child.Stderr -Raw -ErrorAction Ignore)
            Operations = if ($log) { @($log.Operations) } else { @() }
        }
    }
    $watch.Stop()
    [pscustomobject]@{ Workers = @($results); Elapsed = $watch.Elapsed }
}

function Invoke-StressInRunspaces {
    <#
    .SYNOPSIS
        The same workers as runspaces of this process (ForEach-Object -Parallel); each imports the module and sets the
        state file itself, since Set-ReplicationStateStore is per runspace.
    #>
    param([Parameter(Mandatory)] $Site, [int] $Runspaces, [int] $Operations, [string[]] $Names, [int] $Seed, [string] $ModulePath, [int] $TimeoutSeconds = 90)
    $locks = Join-Path $Site.Root 'stress/locks'
    New-Item -ItemType Directory -Path $locks -Force | Out-Null
    $workerScript = $script:WorkerScript
    $statePath = $Site.State
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $seeds = @(0) + @(1..$Runspaces | ForEach-Object { Get-StressWorkerSeed $Seed $_ })
    $results = 1..$Runspaces | ForEach-Object -ThrottleLimit $Runspaces -TimeoutSeconds $TimeoutSeconds -Parallel {
        $result = [ordered]@{ Worker = $_; Pid = $PID; ExitCode = 0; Completed = $false; Fatal = $null; Stderr = $null; Operations = @() }
        try {
            $ErrorActionPreference = 'Stop'
            Import-Module $using:ModulePath
            Set-ReplicationStateStore -Path $using:statePath
            . $using:workerScript
            $result.Operations = @(Invoke-ReplicationStressWorker -WorkerId $_ -Seed ($using:seeds)[$_] -Operations $using:Operations -Names $using:Names -LockFolder $using:locks)
            $result.Completed = $true
        }
        catch {
            $result.Fatal = "$($_.FullyQualifiedErrorId): $($_.Exception.Message)`n$($_.ScriptStackTrace)"
        }
        [pscustomobject]$result
    }
    $watch.Stop()
    $missing = @(1..$Runspaces | Where-Object { $_ -notin @($results).Worker })
    $all = @($results) + @($missing | ForEach-Object { [pscustomobject]@{ Worker = $_; Pid = $PID; ExitCode = 'timed out'; Completed = $false; Fatal = 'no result (timed out?)'; Stderr = $null; Operations = @() } })
    [pscustomobject]@{ Workers = $all; Elapsed = $watch.Elapsed }
}

function Get-StressOperations {
    param([Parameter(Mandatory)] $Run)
    @($Run.Workers | ForEach-Object { $_.Operations })
}

function Test-StressWorkers {
    <# A worker that crashed, timed out, wrote to stderr or did not run all its operations. #>
    param([Parameter(Mandatory)] $Run, [int] $Operations)
    foreach ($worker in $Run.Workers) {
        if (-not $worker.Completed) { "worker $($worker.Worker) (pid $($worker.Pid)) did not complete: exit $($worker.ExitCode); $($worker.Fatal); stderr: $($worker.Stderr)" }
        elseif ("$($worker.ExitCode)" -ne '0') { "worker $($worker.Worker) (pid $($worker.Pid)) exited with $($worker.ExitCode)" }
        elseif (-not [string]::IsNullOrWhiteSpace($worker.Stderr)) { "worker $($worker.Worker) (pid $($worker.Pid)) wrote to stderr: $($worker.Stderr)" }
        # A promotion adds its Enable-Replication, so a worker logs at least as many entries as operations.
        elseif (@($worker.Operations).Count -lt $Operations) { "worker $($worker.Worker) logged $(@($worker.Operations).Count) of $Operations operations" }
    }
}

function Test-StressOutcomes {
    <# Every failed operation whose ErrorId is not an expected refusal, with the log line. #>
    param([Parameter(Mandatory)] [AllowEmptyCollection()] [object[]] $Operations)
    $describe = { param($op) "worker $($op.Worker) (pid $($op.Pid)) #$($op.Seq) $($op.Op) '$($op.Name)' [$([DateTime]::new([long]$op.StartTicks, 'Utc').ToString('HH:mm:ss.fff')) +$($op.Ms) ms]" }
    foreach ($op in $Operations | Where-Object { -not $_.Ok -and $_.ErrorId -notin $script:ExpectedErrorIds }) {
        # The other workers' operations on the same volume that overlapped it in time: what it raced with.
        $end = [long]$op.StartTicks + [long]$op.Ms * 10000
        $overlapping = @($Operations | Where-Object {
                $_.Name -eq $op.Name -and -not [object]::ReferenceEquals($_, $op) -and [long]$_.StartTicks -le $end -and ([long]$_.StartTicks + [long]$_.Ms * 10000) -ge [long]$op.StartTicks
            } | ForEach-Object { "$(& $describe $_) $(if ($_.Ok) { 'ok' } else { $_.ErrorId })" })
        "$(& $describe $op): $($op.FullyQualifiedErrorId) [$($op.ExceptionType)] $($op.Message)" +
            $(if ($overlapping) { " -- overlapping: " + ($overlapping -join '; ') } else { '' })
    }
}

function Test-StressStateRows {
    <# Duplicates, volumes not available, leases and block maps left behind, statuses a clean run cannot leave. #>
    param([Parameter(Mandatory)] $Site)
    $query = { param($sql) @(Invoke-TestStateQuery -StatePath $Site.State -Sql $sql) }
    foreach ($row in & $query 'SELECT lower(name) AS name, COUNT(*) AS n FROM volumes GROUP BY lower(name) HAVING COUNT(*) > 1') { "duplicate volume name '$($row.name)' ($($row.n) rows)" }
    foreach ($row in & $query 'SELECT id, COUNT(*) AS n FROM volumes GROUP BY id HAVING COUNT(*) > 1') { "duplicate volume id $($row.id) ($($row.n) rows)" }
    foreach ($row in & $query "SELECT name, status FROM volumes WHERE status <> 'available' COLLATE NOCASE") { "volume '$($row.name)' is stuck in status '$($row.status)'" }
    foreach ($row in & $query 'SELECT volume_id, holder, actor, operation, acquired_at, expires_at FROM volume_leases') { "lease left behind: volume $($row.volume_id), $($row.operation) by $($row.actor) since $($row.acquired_at)" }
    foreach ($row in & $query 'SELECT volume_id FROM block_maps WHERE volume_id NOT IN (SELECT id FROM volumes)') { "block map of a volume that no longer exists: $($row.volume_id)" }

    $volumes = @(Get-Volume)
    $rowCount = (& $query 'SELECT COUNT(*) AS n FROM volumes')[0].n
    if ($volumes.Count -ne $rowCount) { "Get-Volume lists $($volumes.Count) volumes, the volumes table holds $rowCount" }
    foreach ($dup in $volumes | Group-Object Name | Where-Object Count -gt 1) { "Get-Volume lists '$($dup.Name)' $($dup.Count) times" }
    foreach ($dup in $volumes | Group-Object Id | Where-Object Count -gt 1) { "Get-Volume lists id $($dup.Name) $($dup.Count) times" }
    foreach ($volume in $volumes) {
        if ("$($volume.Status)" -ne 'Available') { "Get-Volume shows '$($volume.Name)' as $($volume.Status)" }
        if ($volume.SourceReplica) {
            if ("$($volume.ReplicationStatus)" -ne 'Disabled') { "test volume '$($volume.Name)' is replicated ($($volume.ReplicationStatus))" }
        }
        elseif ("$($volume.ReplicationStatus)" -notin 'Active', 'active-stopped', 'Inactive') {
            # copying or error after a run with no fault: a round failed or was left half-way.
            $replica = Get-VolumeReplica -Name $volume.Name
            "volume '$($volume.Name)' was left in replication status $($volume.ReplicationStatus): $($replica.ExtendedStatus)"
        }
    }
}

function Get-StressExpectedFiles {
    <# Every volume file the state references: the primary, and the replica where there is one. #>
    $folders = @{}
    Get-StorageBackend | ForEach-Object { $folders[$_.Name] = [IO.Path]::GetFullPath($_.Path) }
    foreach ($volume in Get-Volume) {
        [pscustomobject]@{ Volume = $volume.Name; Role = 'primary'; SizeBytes = $volume.SizeBytes; Path = Join-Path $folders[$volume.Backend] "volume-$($volume.Id).img" }
        if ($volume.ReplicaBackend) {
            [pscustomobject]@{ Volume = $volume.Name; Role = 'replica'; SizeBytes = $volume.SizeBytes; Path = Join-Path $folders[$volume.ReplicaBackend] "volume-$($volume.Id).img" }
        }
    }
}

function Test-StressFiles {
    <# Each referenced file exists at the volume's size; nothing else (orphan volume files, journals, probes) is left. #>
    param([Parameter(Mandatory)] $Site)
    $expected = @(Get-StressExpectedFiles)
    foreach ($file in $expected) {
        $item = Get-Item -LiteralPath $file.Path -ErrorAction Ignore
        if (-not $item) { "the $($file.Role) file of '$($file.Volume)' is missing: $($file.Path)" }
        elseif ($item.Length -ne $file.SizeBytes) { "the $($file.Role) file of '$($file.Volume)' is $($item.Length) bytes, the volume $($file.SizeBytes)" }
    }
    # Each backend folder also holds its state store's mark.
    $marks = @($Site.Dc1, $Site.Dc2 | ForEach-Object { Join-Path $_ '.replication/store' })
    $known = [Collections.Generic.HashSet[string]]::new([string[]]@(@($expected.Path) + $marks))
    $present = @(Get-ChildItem -LiteralPath $Site.Dc1, $Site.Dc2 -Recurse -File -Force -ErrorAction Ignore)
    foreach ($file in $present | Where-Object { -not $known.Contains($_.FullName) }) {
        $kind = if ($file.Name -like '*.sync-journal*') { 'leftover sync journal' } elseif ($file.Name -like 'volume-*.img') { 'orphan volume file (no volume references it)' } else { 'stray file' }
        "${kind}: $($file.FullName) ($($file.Length) bytes)"
    }
}

function Test-StressEvents {
    <#
    .SYNOPSIS
        Every successful operation has exactly its events (same process, volume and operation) and no event in the run's
        range lacks an operation: per process, volume and event operation, the count recorded equals the count expected.
    #>
    param([Parameter(Mandatory)] [AllowEmptyCollection()] [object[]] $Operations, [Parameter(Mandatory)] [AllowEmptyCollection()] [object[]] $Events, [int[]] $Pids)
    $pidOf = { param($actor) if ($actor -match '\((\d+)\)\s*$') { [int]$Matches[1] } else { -1 } }
    $expected = @{}
    $enables = @{}
    foreach ($op in $Operations | Where-Object Ok) {
        $key = "$($op.Pid)|$($op.Name)"
        if ($op.Op -eq 'enable') { $enables[$key] = 1 + [int]$enables[$key]; continue }
        $counts = if ($op.Op -eq 'promote') {
            if ($op.Planned) { @{ PromoteReplica = 1; PlannedPromotionSync = 1 } } else { @{ PromoteReplica = 1 } }
        }
        else { $script:EventsPerOperation[$op.Op] }
        foreach ($eventOp in $counts.Keys) { $expected["$key|$eventOp"] = $counts[$eventOp] + [int]$expected["$key|$eventOp"] }
    }
    $actual = @{}
    foreach ($event in $Events) {
        $eventPid = & $pidOf $event.Actor
        if ($Pids -and $eventPid -notin $Pids) { "event #$($event.Id) $($event.Operation) '$($event.ObjectName)' by $($event.Actor), not by a worker"; continue }
        if ($event.Operation -in 'SyncReplica', 'PlannedPromotionSync' -and $event.FromStatus -eq 'active' -and $event.ToStatus -eq 'copying') { continue }
        $key = "$eventPid|$($event.ObjectName)|$($event.Operation)"
        $actual[$key] = 1 + [int]$actual[$key]
    }
    foreach ($key in $enables.Keys) {
        $resumed = [int]$actual["$key|ResumeReplication"]
        $reenabled = [int]$actual["$key|EnableReplication"]
        if ($reenabled % 2 -ne 0 -or $resumed + $reenabled / 2 -ne $enables[$key]) {
            "pid|volume $key`: $($enables[$key]) successful Enable-Replication, events: $resumed ResumeReplication + $reenabled EnableReplication (expected one Resume or two Enable each)"
        }
        $actual.Remove("$key|ResumeReplication")
        $actual.Remove("$key|EnableReplication")
    }
    foreach ($key in @($expected.Keys) + @($actual.Keys) | Sort-Object -Unique) {
        if ([int]$expected[$key] -ne [int]$actual[$key]) {
            "pid|volume|event $key`: $([int]$expected[$key]) expected from the successful operations, $([int]$actual[$key]) recorded"
        }
    }
}

function Test-StressHistory {
    <#
    .SYNOPSIS
        The event history of every volume (by id, in commit order) is one unbroken chain: each change starts from the
        replication status the previous change left, and the last one left the status the volume has now. Two
        operations interleaving on one volume, or a change recorded over another, breaks the chain.
    #>
    $normal = { param($status) if ($null -eq $status) { $null } else { ("$status" -replace '-', '').ToLowerInvariant() } }
    $last = @{}
    foreach ($event in Get-ReplicationEvent | Where-Object VolumeId | Sort-Object Id) {
        $key = "$($event.VolumeId)"
        if ($event.FromStatus -and $last.ContainsKey($key) -and (& $normal $event.FromStatus) -ne (& $normal $last[$key].ToStatus)) {
            $previous = $last[$key]
            "'$($event.ObjectName)' ($key): event #$($event.Id) $($event.Operation) by $($event.Actor) starts from '$($event.FromStatus)', but #$($previous.Id) $($previous.Operation) by $($previous.Actor) had left '$($previous.ToStatus)'"
        }
        if ($event.ToStatus) { $last[$key] = $event }
    }
    foreach ($volume in Get-Volume) {
        $recorded = $last["$($volume.Id)"]
        if (-not $recorded) { "'$($volume.Name)' ($($volume.Id)) has no recorded status change"; continue }
        if ((& $normal $recorded.ToStatus) -ne (& $normal $volume.ReplicationStatus)) {
            "'$($volume.Name)' is $($volume.ReplicationStatus), but its last recorded change #$($recorded.Id) $($recorded.Operation) left '$($recorded.ToStatus)'"
        }
    }
}

function Invoke-StressFinalSync {
    <#
    .SYNOPSIS
        Brings every replica up to date (Sync-VolumeReplica when copying or active, Enable-Replication -Force when paused,
        promoted or in error), then compares primary and replica byte for byte. Returns problems; fills $Figures.
    #>
    param([Parameter(Mandatory)] [hashtable] $Figures)
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $replicated = @(Get-Volume | Where-Object ReplicaBackend)
    foreach ($volume in $replicated) {
        $status = "$((Get-VolumeReplica -Name $volume.Name).Status)"
        try {
            if ($status -in 'Active', 'Copying') { Sync-VolumeReplica -Name $volume.Name -ErrorAction Stop | Out-Null }
            else { Enable-Replication -Name $volume.Name -Force -ErrorAction Stop | Out-Null }
        }
        catch { "final sync of '$($volume.Name)' (was $status) failed: $($_.FullyQualifiedErrorId): $($_.Exception.Message)" }
    }
    $Figures.FinalSyncSeconds = $watch.Elapsed.TotalSeconds
    $compared = 0
    foreach ($file in Get-StressExpectedFiles | Group-Object Volume | Where-Object Count -eq 2) {
        $primary = $file.Group | Where-Object Role -eq primary
        $replica = $file.Group | Where-Object Role -eq replica
        $status = "$((Get-VolumeReplica -Name $file.Name).Status)"
        if ($status -ne 'Active') { "after the final sync '$($file.Name)' is $status, not Active" }
        if (-not (Test-Path -LiteralPath $primary.Path) -or -not (Test-Path -LiteralPath $replica.Path)) { "'$($file.Name)': a copy is missing after the final sync"; continue }
        $left = (Get-FileHash -LiteralPath $primary.Path -Algorithm SHA256).Hash
        $right = (Get-FileHash -LiteralPath $replica.Path -Algorithm SHA256).Hash
        $compared++
        if ($left -ne $right) { "'$($file.Name)': primary $($primary.Path) and replica $($replica.Path) differ after the final sync (SHA256 $left vs $right)" }
    }
    $Figures.VolumesCompared = $compared
}

function Write-StressFigures {
    param([Parameter(Mandatory)] [string] $Title, [Parameter(Mandatory)] $Run, [Parameter(Mandatory)] [AllowEmptyCollection()] [object[]] $Operations, [int] $Seed)
    $ok = @($Operations | Where-Object Ok)
    $refused = @($Operations | Where-Object { -not $_.Ok })
    $byOp = ($Operations | Group-Object Op | Sort-Object Name | ForEach-Object { '{0} {1}/{2}' -f $_.Name, @($_.Group | Where-Object Ok).Count, $_.Count }) -join ', '
    $byError = ($refused | Group-Object ErrorId | Sort-Object Count -Descending | ForEach-Object { "$($_.Name) $($_.Count)" }) -join ', '
    $slowest = ($Operations | Measure-Object Ms -Maximum).Maximum
    # Peak number of operations in flight at once, from each operation's start and duration: proof the run overlapped.
    $edges = foreach ($op in $Operations) {
        $start = [long]$op.StartTicks
        [pscustomobject]@{ At = $start; Delta = 1 }
        [pscustomobject]@{ At = $start + [long]$op.Ms * 10000; Delta = -1 }
    }
    $inFlight = 0; $peak = 0
    foreach ($edge in $edges | Sort-Object At, Delta) { $inFlight += $edge.Delta; $peak = [Math]::Max($peak, $inFlight) }
    Write-Host ("{0}: seed {1}; {2} operations in {3:N1} s; {4} succeeded, {5} refused; slowest {6} ms; up to {7} in flight at once" -f $Title, $Seed, $Operations.Count, $Run.Elapsed.TotalSeconds, $ok.Count, $refused.Count, $slowest, $peak)
    Write-Host "  succeeded/run by operation: $byOp"
    Write-Host "  refusals by ErrorId: $(if ($byError) { $byError } else { 'none' })"
}
