<#
.SYNOPSIS
    A whole-site drill over fifty volumes: freeze and thaw, planned failover, failback, unplanned failover with its
    data-loss window, an interrupted group promotion, and RPO health.
.DESCRIPTION
    Two sites (LocalFile backends dc1 and dc2) in a temporary folder, fifty replicated volumes on dc1, two of them
    groups of five (erp, web), five of them in a volume type with a tight RPO target. Each phase is checked on the
    real files (SHA-256 of every copy) and reported with its time and the bytes it copied:

      1. Freeze dc1: creating, removing and promoting are refused, syncing goes on; thaw allows them again.
      2. Planned failover of dc1: a final sync, then every volume served from dc2 with the same bytes (no loss).
      3. Failback to dc1 after writes on dc2: only the changed blocks are copied back, the original layout returns.
      4. Unplanned failover with dc1 gone (its folder moved away): every volume served from its last synced round,
         each result says how many seconds of writes were lost, then dc1 returns and is failed back.
      5. A group promotion whose process is killed after fencing: the next Invoke-ReplicaPromotion -Group finishes it.
      6. Health: replicas older than their type's RPO target are Critical in Measure-VolumeReplica.

    The drill stops with an error when a check fails. Run it through build.ps1 (dotnet pwsh ./build.ps1 -Task
    SiteDrill), which builds the module first.
.PARAMETER ModulePath
    The built module's manifest (build.ps1 passes out/module/Replication.PowerShell/Replication.PowerShell.psd1).
.PARAMETER VolumeCount
    How many volumes (at least 16: two groups of five and five with a tight RPO target, the rest on their own).
.PARAMETER VolumeSizeBytes
    The size of each volume; a quarter of it is written with random data at the start.
.PARAMETER PassThru
    Returns one object per phase (what the tests check) besides printing the table.
.PARAMETER KeepFiles
    Leaves the temporary folder (state file and volume files) for a look afterwards.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [ValidateRange(16, 1000)] [int] $VolumeCount = 50,
    [long] $VolumeSizeBytes = 32MB,
    [switch] $PassThru,
    [switch] $KeepFiles
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force

$block = 64KB
function Step([string] $Text) { Write-Host "`n== $Text" -ForegroundColor Cyan }
function Write-At([string] $Path, [long] $Offset, [byte[]] $Bytes) {
    $stream = [IO.File]::Open($Path, 'Open', 'ReadWrite', 'ReadWrite')
    try { $stream.Position = $Offset; $stream.Write($Bytes, 0, $Bytes.Length); $stream.Flush($true) } finally { $stream.Dispose() }
}
function New-Data([int] $Count, [Random] $Random) { $b = [byte[]]::new($Count); $Random.NextBytes($b); , $b }
# An application writing: $Blocks random 64 KiB blocks of each volume's current primary.
function Write-Blocks([string[]] $Names, [int] $Blocks, [Random] $Random) {
    $blocksPerVolume = [int]($VolumeSizeBytes / $block)
    foreach ($name in $Names) {
        $path = (Get-VolumeConnection -Name $name).Path
        for ($i = 0; $i -lt $Blocks; $i++) { Write-At $path ($Random.Next($blocksPerVolume) * $block) (New-Data $block $Random) }
    }
}
function Get-Hashes([string[]] $Names) {
    $hashes = @{}
    foreach ($name in $Names) { $hashes[$name] = (Get-FileHash (Get-VolumeConnection -Name $name).Path -Algorithm SHA256).Hash }
    $hashes
}
function Assert-Served([string] $What, [hashtable] $Expected, [string] $Backend) {
    $wrong = foreach ($name in $Expected.Keys) {
        $connection = Get-VolumeConnection -Name $name
        if ($connection.Backend -ne $Backend) { "$name is served from $($connection.Backend)" }
        elseif ((Get-FileHash $connection.Path -Algorithm SHA256).Hash -ne $Expected[$name]) { "$name does not hold the expected bytes" }
    }
    if ($wrong) { throw "Check failed: $What - $($wrong -join '; ')" }
    Write-Host "check: $What - all $($Expected.Count) volumes served from $Backend with the expected bytes (SHA-256)" -ForegroundColor Green
}
function Assert-Refused([string] $ErrorId, [scriptblock] $Action) {
    try { & $Action; throw "Check failed: expected $ErrorId, but the command succeeded." }
    catch [Management.Automation.ActionPreferenceStopException], [Management.Automation.RuntimeException] {
        if ($_.FullyQualifiedErrorId -notlike "$ErrorId,*") { throw }
        Write-Host "check: refused with $ErrorId" -ForegroundColor Green
    }
}
# Brings every replica up to date: groups with a group round, the others one by one.
function Sync-All { Get-ReplicationGroup | Sync-VolumeReplica; Get-VolumeReplica | Where-Object { -not $_.GroupName } | Sync-VolumeReplica }

$phases = [Collections.Generic.List[object]]::new()
function Add-Phase([string] $Phase, [TimeSpan] $Time, [int] $Volumes, [long] $BytesCopied, [string] $Detail, [hashtable] $Extra = @{}) {
    $phases.Add([pscustomobject](@{ Phase = $Phase; Seconds = [Math]::Round($Time.TotalSeconds, 3); Volumes = $Volumes; BytesCopied = $BytesCopied; Detail = $Detail } + $Extra))
}

$random = [Random]::new(20261125)
$root = Join-Path ([IO.Path]::GetTempPath()) ("replication-site-drill-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory $root | Out-Null
try {
    Set-ReplicationStateStore -Path (Join-Path $root 'state.db')
    Write-Host "State file and backend folders: $root"

    Step "Two sites, $VolumeCount volumes on dc1 replicated to dc2, groups erp and web, five volumes with a 6 s RPO target"
    New-StorageBackend -Name dc1 -Driver LocalFile -Path (Join-Path $root 'dc1') -ReplicationPartner dc2 -Capability @{ site = 'north' } | Out-Null
    New-StorageBackend -Name dc2 -Driver LocalFile -Path (Join-Path $root 'dc2') -ReplicationPartner dc1 -Capability @{ site = 'south' } | Out-Null
    New-ReplicatedVolumeType -Name replicated -ExtraSpec @{ 'capabilities:site' = 'north'; 'replication:rpo_minutes' = '60' } | Out-Null
    New-ReplicatedVolumeType -Name tight -ExtraSpec @{ 'capabilities:site' = 'north'; 'replication:rpo_minutes' = '0.1' } | Out-Null
    $names = 1..$VolumeCount | ForEach-Object { 'vol{0:d2}' -f $_ }
    $tight = $names | Select-Object -Last 5
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $names | ForEach-Object { [pscustomobject]@{ Name = $_; SizeBytes = $VolumeSizeBytes; VolumeType = $(if ($_ -in $tight) { 'tight' } else { 'replicated' }) } } | New-Volume | Out-Null
    $names[0..4] | New-ReplicationGroup -Name erp | Out-Null
    $names[5..9] | New-ReplicationGroup -Name web | Out-Null
    Write-Blocks $names ([int]($VolumeSizeBytes / $block / 4)) $random
    $initial = Sync-All
    Add-Phase 'Initial sync' $clock.Elapsed $VolumeCount ($initial | Measure-Object BytesWritten -Sum).Sum "$VolumeCount volumes, a quarter of each written"
    Get-ReplicationGroup | Format-Table | Out-String -Width 160 | Write-Host

    Step 'Phase 1: freeze dc1 - changes to its volumes are refused, replication keeps running; thaw allows them again'
    Suspend-StorageBackend -Name dc1
    Assert-Refused 'NoValidBackend' { New-Volume -Name extra -SizeBytes 16MB -VolumeType replicated }
    Assert-Refused 'BackendFrozen' { Remove-Volume -Name $names[-1] -Force }
    Assert-Refused 'BackendFrozen' { Invoke-ReplicaPromotion -Name $names[-1] -Force }
    Write-Blocks $names[-1] 2 $random
    $frozenSync = Sync-VolumeReplica -Name $names[-1]
    Write-Host "check: a sync while frozen copied $($frozenSync.BytesWritten) bytes" -ForegroundColor Green
    Resume-StorageBackend -Name dc1
    New-Volume -Name extra -SizeBytes 16MB -VolumeType replicated | Remove-Volume -Force
    Write-Host 'check: after the thaw a volume was created and removed' -ForegroundColor Green

    Step 'Phase 2: planned failover of dc1 - 1% of the blocks written since the last sync, a final sync, no loss'
    Write-Blocks $names ([Math]::Max(1, [int]($VolumeSizeBytes / $block / 100))) $random
    $beforePlanned = Get-Hashes $names
    $clock.Restart()
    $planned = Invoke-BackendFailover -Name dc1 -Planned -Force
    $plannedTime = $clock.Elapsed
    if (@($planned | Where-Object { -not $_.Succeeded }).Count) { throw "Check failed: planned failover - $(($planned | Where-Object { -not $_.Succeeded }).Detail -join '; ')" }
    Assert-Served 'planned failover lost nothing' $beforePlanned 'dc2'
    Add-Phase 'Planned failover' $plannedTime $planned.Count ($planned | Measure-Object BytesCopied -Sum).Sum 'final sync, then every volume served from dc2; no data lost' @{ MaxDataLossSeconds = ($planned | Measure-Object DataLossSeconds -Maximum).Maximum }

    Step 'Phase 3: failback to dc1 - 1% of the blocks written on dc2 meanwhile; only changed blocks copied back'
    Write-Blocks $names ([Math]::Max(1, [int]($VolumeSizeBytes / $block / 100))) $random
    $beforeFailback = Get-Hashes $names
    $clock.Restart()
    $failback = Invoke-BackendFailback -Name dc1 -Force
    $failbackTime = $clock.Elapsed
    if (@($failback | Where-Object { -not $_.Succeeded }).Count) { throw "Check failed: failback - $(($failback | Where-Object { -not $_.Succeeded }).Detail -join '; ')" }
    Assert-Served 'failback restored the layout' $beforeFailback 'dc1'
    $failbackBytes = ($failback | Measure-Object BytesCopied -Sum).Sum
    $notBack = @(Get-VolumeReplica | Where-Object { $_.PrimaryBackend -ne 'dc1' -or $_.ReplicaBackend -ne 'dc2' -or $_.Status -ne 'Active' })
    if ($notBack.Count) { throw "Check failed: after failback $($notBack.Count) volumes are not dc1 -> dc2 active" }
    Add-Phase 'Failback' $failbackTime $failback.Count $failbackBytes ("resync of changed blocks and switch back; {0:P1} of the {1:N0} bytes allocated" -f ($failbackBytes / ($initial | Measure-Object BytesRead -Sum).Sum), ($initial | Measure-Object BytesRead -Sum).Sum)

    Step 'Phase 4: unplanned failover - writes after the last sync, then dc1 is lost (its folder moved away)'
    Sync-All | Out-Null
    $synced = Get-Hashes $names
    $dataTimestamps = @{}; Get-VolumeReplica | ForEach-Object { $dataTimestamps[$_.VolumeName] = $_.DataTimestamp }
    Write-Blocks $names 2 $random
    Move-Item (Join-Path $root 'dc1') (Join-Path $root 'dc1.lost')
    $clock.Restart()
    $failoverStart = [DateTimeOffset]::UtcNow
    $unplanned = Invoke-BackendFailover -Name dc1 -Force
    $failoverEnd = [DateTimeOffset]::UtcNow
    $unplannedTime = $clock.Elapsed
    if (@($unplanned | Where-Object { -not $_.Succeeded }).Count) { throw "Check failed: unplanned failover - $(($unplanned | Where-Object { -not $_.Succeeded }).Detail -join '; ')" }
    Assert-Served 'unplanned failover serves the last synced round' $synced 'dc2'
    $windowWrong = foreach ($result in $unplanned) {
        $low = ($failoverStart - $dataTimestamps[$result.VolumeName]).TotalSeconds
        $high = ($failoverEnd - $dataTimestamps[$result.VolumeName]).TotalSeconds
        if ($result.DataLossSeconds -lt $low - 0.001 -or $result.DataLossSeconds -gt $high + 0.001) { "$($result.VolumeName): $($result.DataLossSeconds) s, not within $low..$high s" }
    }
    if ($windowWrong) { throw "Check failed: data-loss window - $($windowWrong -join '; ')" }
    Write-Host 'check: each result''s data-loss window is the time since its replica''s last synced round' -ForegroundColor Green
    $unplanned | Sort-Object DataLossSeconds -Descending | Select-Object -First 3 | Format-Table VolumeName, PrimaryBackend, DataLossSeconds, Detail | Out-String -Width 160 | Write-Host
    Add-Phase 'Unplanned failover' $unplannedTime $unplanned.Count ($unplanned | Measure-Object BytesCopied -Sum).Sum 'dc1 lost; every volume served from its last synced round on dc2' @{ MaxDataLossSeconds = ($unplanned | Measure-Object DataLossSeconds -Maximum).Maximum }

    Step 'dc1 returns (with the writes it took before it was lost); failback discards them, as reported'
    Move-Item (Join-Path $root 'dc1.lost') (Join-Path $root 'dc1')
    $clock.Restart()
    $secondFailback = Invoke-BackendFailback -Name dc1 -DiscardFencedWrites -Force
    $secondFailbackTime = $clock.Elapsed
    if (@($secondFailback | Where-Object { -not $_.Succeeded }).Count) { throw "Check failed: failback after loss - $(($secondFailback | Where-Object { -not $_.Succeeded }).Detail -join '; ')" }
    Assert-Served 'failback after the loss serves the promoted data from dc1' $synced 'dc1'
    Add-Phase 'Failback after loss' $secondFailbackTime $secondFailback.Count ($secondFailback | Measure-Object BytesCopied -Sum).Sum 'dc1 overwritten with the data served from dc2 (its unsynced writes discarded), then switched back'

    Step 'Phase 5: a group promotion killed after its fences - the next command finishes it'
    Sync-VolumeReplica -Group erp | Out-Null
    $erp = (Get-ReplicationGroup erp).Members
    $erpHashes = Get-Hashes $erp
    # This pwsh again: pwsh itself, or dotnet plus pwsh.dll when it runs as a .NET local tool.
    $pwsh = [Environment]::ProcessPath
    $pwshArguments = @(if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { [Reflection.Assembly]::GetEntryAssembly().Location })
    $promote = "Import-Module '$ModulePath'; Set-ReplicationStateStore -Path '$(Join-Path $root 'state.db')'; Invoke-ReplicaPromotion -Group erp -Force"
    $env:REPLICATION_POWERSHELL_CRASH_AT = 'group.promote.after-fence'
    try { & $pwsh @pwshArguments -NoProfile -NonInteractive -Command $promote } finally { $env:REPLICATION_POWERSHELL_CRASH_AT = $null }
    Write-Host "the promoting process exited with code $LASTEXITCODE (killed at the crash point)"
    $interrupted = Get-ReplicationGroup erp
    if (-not $interrupted.PromotionUnfinishedSince) { throw 'Check failed: the killed promotion is not recorded as unfinished.' }
    Assert-Refused 'GroupPromotionUnfinished' { Sync-VolumeReplica -Group erp }
    $clock.Restart()
    $finished = Invoke-ReplicaPromotion -Group erp -Force
    $finishTime = $clock.Elapsed
    Assert-Served 'the next promotion finished the group' $erpHashes 'dc2'
    Enable-Replication -Group erp -Force
    Invoke-ReplicaPromotion -Group erp -Planned -Force | Out-Null
    Enable-Replication -Group erp -Force
    Assert-Served 'the group is back on dc1 after a planned promotion back' $erpHashes 'dc1'
    Add-Phase 'Interrupted group promotion' $finishTime $finished.Count 0 'killed after fencing; Invoke-ReplicaPromotion -Group again finished it (then reversed and promoted back, planned)'

    Step 'Phase 6: health - every replica synced, then the 6 s RPO target of the tight type passes'
    Sync-All | Out-Null
    $healthy = Measure-VolumeReplica
    if ($healthy.Health -ne 'Normal') { throw "Check failed: right after a sync the health is $($healthy.Health): $($healthy.Problems -join '; ')" }
    Start-Sleep -Seconds 7
    $clock.Restart()
    $late = Measure-VolumeReplica
    $measureTime = $clock.Elapsed
    $late | Format-List | Out-String -Width 160 | Write-Host
    if ($late.Health -ne 'Critical' -or (Compare-Object @($late.OverRpoTarget) @($tight))) { throw "Check failed: health after the RPO target is $($late.Health), over target: $($late.OverRpoTarget -join ', ')" }
    Write-Host "check: Critical, and exactly the $($tight.Count) volumes of the tight type are over their RPO target" -ForegroundColor Green
    Add-Phase 'RPO health' $measureTime $VolumeCount 0 "Normal after a sync; Critical once $($tight.Count) replicas were older than 6 s (the time is Measure-VolumeReplica's)"

    Step 'Summary'
    $phases | Format-Table Phase, Seconds, Volumes, @{ n = 'Copied'; e = { '{0:N1} MiB' -f ($_.BytesCopied / 1MB) } }, Detail -Wrap | Out-String -Width 160 | Write-Host
    if ($PassThru) { $phases }
}
finally {
    Set-ReplicationStateStore -Default
    if ($KeepFiles) { Write-Host "Kept: $root" } else { Remove-Item $root -Recurse -Force -ErrorAction SilentlyContinue }
}
