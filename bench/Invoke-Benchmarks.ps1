#Requires -Version 7.0
<#
.SYNOPSIS
    Benchmarks Replication.PowerShell against the tools an admin would otherwise use (cp, rsync, dd), in one run.
.DESCRIPTION
    Issue 7's benchmark. Every comparison runs in this one process on temporary folders on a real disk (never tmpfs),
    repeated, with the page cache dropped (sync; echo 3 > /proc/sys/vm/drop_caches) before every timed cold run when
    the process may do that (root on Linux); otherwise every figure is warm-cache and says so. Medians are reported,
    with ratios against the baselines and a met/missed verdict per target.

      1. Initial sync of a 1 GiB volume (512 MiB random data in alternating 4 MiB runs, 512 MiB holes): the module's
         first round after the data was written, and a copying round (Enable-Replication onto an empty old side),
         against cp --sparse=always and rsync --sparse to a fresh target (each also with the fsync the module does).
      2. Incremental sync after 1% of the 64 KiB blocks changed at random places: the module against
         rsync --inplace --no-whole-file onto the previous copy, dd of the whole file, and a read of the allocated data.
      3. Sync of an unchanged volume, 1 GiB and 16 GiB.
      4. Control plane: pwsh start with and without Import-Module (hyperfine), 1,000 New-Volume in one pipeline
         (replicated and not), Get-Volume and Get-VolumeReplica over 10,000 volumes, sync rounds over 1,000 volumes.
      5. Growth: sync time against volume size (1, 4, 16 GiB) and volume count (10, 100, 1,000), charted.
      6. Memory: peak resident set of a child pwsh during the sync of each size (16 GiB is the target).
      7. NBD export (issue 9): incremental sync of a 1 GiB volume after 1% of its blocks were written through the export
         (bytes read against one full read), and write latency and throughput (qemu-img bench) straight to the file,
         through an asynchronous export (tracked) and through a synchronous one (mirrored). Run it alone with
         -Phase Export.
      8. Fleet (issue 21; not in the default run, -Phase Fleet): Get-Volume and the pipelines a runbook runs over a
         fleet (Get-Volume | Get-VolumeReplica, | Measure-VolumeReplica, | Get-VolumeExport, names no volume has into
         Get-VolumeReplica and Test-VolumeReplica, | Sync-VolumeReplica with nothing changed) against fleet size
         (-FleetSizes, 1,000 and 10,000 volumes of 1 MiB), with the New-Volume rate and the state file's size.
      Micro-benchmarks (BenchmarkDotNet, bench/Replication.Benchmarks): block hashing, extra-spec matching, placement.

    Writes results.json, results.md, chart.svg and chart.png (when chromium can render it) to -OutputFolder; the
    fleet phase draws fleet-chart.svg (and .png) beside them.
.PARAMETER ModulePath
    The built module's manifest: out/module/Replication.PowerShell/Replication.PowerShell.psd1 after build.ps1.
.PARAMETER OutputFolder
    Where the results go (bench/results in the repository).
.PARAMETER WorkFolder
    A folder on the disk to benchmark (needs about 8 GiB free). Default: the system temp folder unless it is tmpfs,
    else bench/.work. A fresh subfolder is made and removed at the end.
.PARAMETER Repetitions
    Repetitions of each comparison (the median is reported); the growth runs use at most 3, the 1,000-volume changed
    round 1.
.PARAMETER SkipMicro
    Leaves out the BenchmarkDotNet micro-benchmarks.
.PARAMETER KeepFiles
    Leaves the work folder in place for a look afterwards.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Invoke-Benchmarks.ps1 -ModulePath out/module/Replication.PowerShell/Replication.PowerShell.psd1 -OutputFolder bench/results
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $OutputFolder = (Join-Path $PSScriptRoot 'results'),
    [string] $WorkFolder,
    [ValidateRange(1, 20)] [int] $Repetitions = 5,
    [switch] $SkipMicro,
    [switch] $KeepFiles,
    # A phase waits up to this long for the 1-minute load average to drop under 1.5 (0: never wait).
    [ValidateRange(0, 600)] [int] $QuietWaitSeconds = 0,
    # Run only some parts (comma-separated with -File): Initial, Incremental, Layouts, Size, Startup, Count, Export, Micro, Fleet.
    # Fleet takes minutes at 10,000 volumes, so it runs only when named.
    [string[]] $Phase = @('Initial', 'Incremental', 'Layouts', 'Size', 'Startup', 'Count', 'Export', 'Micro'),
    # The fleet sizes of -Phase Fleet (volumes of 1 MiB, made through New-Volume); comma-separated with -File.
    [string[]] $FleetSizes = @('1000', '10000')
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$Phase = @($Phase | ForEach-Object { $_ -split ',' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })
$unknown = @($Phase | Where-Object { $_ -notin 'Initial', 'Incremental', 'Layouts', 'Size', 'Startup', 'Count', 'Export', 'Micro', 'Fleet' })
if ($unknown) { throw "Unknown phase(s) $($unknown -join ', '): use Initial, Incremental, Layouts, Size, Startup, Count, Export, Micro, Fleet." }
$fleetCounts = [int[]]@($FleetSizes | ForEach-Object { $_ -split ',' } | ForEach-Object { [int]::Parse($_.Trim(), [Globalization.CultureInfo]::InvariantCulture) } | Sort-Object -Unique)
if (@($fleetCounts | Where-Object { $_ -lt 10 }).Count -gt 0) { throw "Fleet sizes start at 10 volumes: $($fleetCounts -join ', ')." }
Set-StrictMode -Version Latest
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$runClock = [Diagnostics.Stopwatch]::StartNew()
$startedAt = [DateTimeOffset]::UtcNow
$GiB = 1GB
$MiB = 1MB
$BlockSize = 64KB

$ModulePath = [IO.Path]::GetFullPath($ModulePath, (Get-Location).Path)
$OutputFolder = [IO.Path]::GetFullPath($OutputFolder, (Get-Location).Path)
if (-not (Test-Path $ModulePath)) { throw "No module at '$ModulePath'. Build it first: dotnet pwsh ./build.ps1 -Task Build" }
New-Item -ItemType Directory $OutputFolder -Force | Out-Null
$pwshDll = Join-Path $PSHOME 'pwsh.dll'
$benchProject = Join-Path $PSScriptRoot 'Replication.Benchmarks'
# Built with its own artifacts path, so this never writes into src/*/bin or obj while others build there.
$benchArtifacts = Join-Path $benchProject 'bin/artifacts'
$benchDll = Join-Path $benchArtifacts 'bin/Replication.Benchmarks/release/Replication.Benchmarks.dll'
$phaseSeconds = [ordered]@{}
$phaseLoad = [ordered]@{}
$phaseFailures = [ordered]@{}
$waitedSeconds = 0
$QuietLoad = 1.5

#region helpers

function Write-Phase([string] $Text) {
    Write-Host ("[{0,6:N1} s] == {1}" -f $runClock.Elapsed.TotalSeconds, $Text) -ForegroundColor Cyan
}

function Get-LoadAverage { [double]((Get-Content /proc/loadavg) -split ' ')[0] }

# Other work on the machine (test suites of other sessions) skews every figure: the 1-minute load average is kept per
# phase, and a phase that starts on a busy machine waits up to -QuietWaitSeconds for it to calm down.
function Invoke-Phase([string] $Key, [string] $Name, [scriptblock] $Body) {
    if ($Key -notin $Phase) { return }
    $waited = [Diagnostics.Stopwatch]::StartNew()
    while ((Get-LoadAverage) -gt $script:QuietLoad -and $waited.Elapsed.TotalSeconds -lt $QuietWaitSeconds) { Start-Sleep -Seconds 2 }
    $script:waitedSeconds += [Math]::Floor($waited.Elapsed.TotalSeconds)
    $loadBefore = Get-LoadAverage
    Write-Phase ("{0} (load average {1:N2}{2})" -f $Name, $loadBefore, $(if ($waited.Elapsed.TotalSeconds -ge 2) { ", waited $([Math]::Round($waited.Elapsed.TotalSeconds)) s for a quieter machine" } else { '' }))
    $clock = [Diagnostics.Stopwatch]::StartNew()
    try { & $Body }
    catch {
        # One broken part must not cost the others' figures: it is reported as a failed target instead.
        Write-Warning "Phase '$Name' failed: $_"
        $script:phaseFailures[$Name] = "$_"
        Add-Target $Key "Phase '$Name'" 'runs' "FAILED: $(("$_" -split "`n")[0])" $false
    }
    $phaseSeconds[$Name] = [Math]::Round($clock.Elapsed.TotalSeconds, 1)
    $script:phaseLoad[$Name] = [ordered]@{ before = $loadBefore; after = Get-LoadAverage }
}

function Invoke-Native {
    param([string] $FilePath, [string[]] $Arguments, [switch] $Quiet)
    if ($Quiet) { $output = & $FilePath @Arguments 2>&1 } else { & $FilePath @Arguments }
    if ($LASTEXITCODE -ne 0) { throw "$FilePath $($Arguments -join ' ') exited with $LASTEXITCODE $(if ($Quiet) { $output | Out-String })" }
}

# Wall time of an external command, start-up included (a few ms for cp, dd, rsync).
function Measure-Native {
    param([string] $FilePath, [string[]] $Arguments)
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $output = & $FilePath @Arguments 2>&1
    $clock.Stop()
    if ($LASTEXITCODE -ne 0) { throw "$FilePath $($Arguments -join ' ') exited with $LASTEXITCODE`n$($output | Out-String)" }
    [pscustomobject]@{ Seconds = $clock.Elapsed.TotalSeconds; Output = ($output | Out-String) }
}

function Measure-Block([scriptblock] $Body) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $value = & $Body
    $clock.Stop()
    [pscustomobject]@{ Seconds = $clock.Elapsed.TotalSeconds; Value = $value }
}

function Get-Median([double[]] $Values) {
    if (-not $Values -or $Values.Count -eq 0) { return $null }
    $sorted = [double[]]($Values | Sort-Object)
    $middle = [int][Math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { return $sorted[$middle] }
    ($sorted[$middle - 1] + $sorted[$middle]) / 2
}

function Round([double] $Value, [int] $Digits = 3) { [Math]::Round($Value, $Digits) }

# Flushes dirty pages, then evicts the page cache, so the next read comes from the disk (or the host's cache).
function Clear-PageCache {
    & sync
    if ($script:CanDropCaches) { & sh -c 'echo 3 > /proc/sys/vm/drop_caches' }
}

function New-SparseFile([string] $Path, [long] $Size) {
    $file = [IO.File]::Open($Path, 'CreateNew', 'ReadWrite', 'None')
    try { $file.SetLength($Size) } finally { $file.Dispose() }
}

# Writes random bytes at each offset, without flushing. The generator is unseeded on purpose: a seeded System.Random
# takes the legacy algorithm (about 0.2 GB/s here), the unseeded one about 5 GB/s; where the blocks go is seeded.
function Write-RandomRuns([string] $Path, [long[]] $Offsets, [int] $Length) {
    $random = [Random]::new()
    $buffer = [byte[]]::new($Length)
    $file = [IO.FileStream]::new($Path, 'Open', 'ReadWrite', 'ReadWrite', 1)
    try {
        foreach ($offset in $Offsets) {
            $random.NextBytes($buffer)
            $file.Position = $offset
            $file.Write($buffer, 0, $Length)
        }
    }
    finally { $file.Dispose() }
}

# Data runs of RunLength bytes every Stride bytes over Size.
function Get-RunOffsets([long] $Size, [long] $Stride) {
    $count = [long][Math]::Floor($Size / $Stride)
    , [long[]](0..($count - 1) | ForEach-Object { $_ * $Stride })
}

# Rewrites a fraction of the 64 KiB blocks, chosen at random over the whole volume (holes included); returns the count.
function Set-RandomBlocks([string] $Path, [long] $Size, [double] $Fraction, [int] $Seed) {
    $blocks = [long]($Size / $BlockSize)
    $count = [int][Math]::Round($blocks * $Fraction)
    $random = [Random]::new($Seed)
    $chosen = [Collections.Generic.HashSet[long]]::new()
    while ($chosen.Count -lt $count) { [void]$chosen.Add($random.NextInt64($blocks)) }
    Write-RandomRuns $Path ([long[]]@($chosen | ForEach-Object { $_ * $BlockSize })) $BlockSize
    $count
}

# Sets a file's modification time in the past, so the next round's stamp is trusted (the 2 s quiet period has passed).
function Set-Aged([string] $Path) {
    [IO.File]::SetLastWriteTimeUtc($Path, [DateTime]::UtcNow.AddSeconds(-10))
}

function Test-SameContent([string] $PathA, [string] $PathB) {
    & cmp -s $PathA $PathB
    $LASTEXITCODE -eq 0
}

function Get-AllocatedBytes([string] $Path) {
    $blocks, $unit = "$(& stat -c '%b %B' $Path)" -split ' '
    [long]$blocks * [long]$unit
}

# A fresh state file and two paired LocalFile backends (dc1, dc2) in a folder of the work folder.
function New-Lab([string] $Name) {
    $root = Join-Path $script:Work $Name
    New-Item -ItemType Directory $root -Force | Out-Null
    $state = Join-Path $root 'state.db'
    Set-ReplicationStateStore -Path $state
    New-StorageBackend -Name dc1 -Driver LocalFile -Path (Join-Path $root 'dc1') -ReplicationPartner dc2 | Out-Null
    New-StorageBackend -Name dc2 -Driver LocalFile -Path (Join-Path $root 'dc2') -ReplicationPartner dc1 | Out-Null
    New-ReplicatedVolumeType -Name rep | Out-Null
    New-VolumeType -Name plain | Out-Null
    [pscustomobject]@{ Root = $root; State = $state }
}

function Get-PrimaryPath([string] $Name) { (Get-VolumeConnection -Name $Name).Path }

function Get-ReplicaPath([object] $Lab, [string] $Name) {
    $volume = Get-Volume -Name $Name
    Join-Path $Lab.Root $volume.ReplicaBackend ("volume-{0}.img" -f $volume.Id)
}

# One sync round of one volume, timed in this process (cmdlet, SQLite and engine included).
function Measure-Sync([string] $Name, [switch] $Full) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $result = Sync-VolumeReplica -Name $Name -Full:$Full -Confirm:$false
    $clock.Stop()
    [pscustomobject]@{
        Seconds       = $clock.Elapsed.TotalSeconds
        Mode          = "$($result.Mode)"
        BytesRead     = $result.BytesRead
        BytesWritten  = $result.BytesWritten
        BlocksWritten = $result.BlocksWritten
    }
}

# A sync round in a child pwsh: time measured inside it, and the peak resident set of the round alone (VmHWM is reset
# through /proc/self/clear_refs just before the round) and of the whole process.
function Invoke-ChildSync([object] $Lab, [string] $Name) {
    $resultFile = Join-Path $script:Work "child-$Name.json"
    Invoke-Native dotnet @($pwshDll, '-NoProfile', '-NonInteractive', '-File', $script:ChildScript, '-ModulePath', $ModulePath, '-StatePath', $Lab.State, '-Name', $Name, '-ResultPath', $resultFile)
    Get-Content $resultFile -Raw | ConvertFrom-Json
}

# The sync modes seen in timed pipeline runs (Measure-Block values holding SyncResults), e.g. "Unchanged".
function Get-Modes([object[]] $Runs) {
    (@($Runs | ForEach-Object { $_.Value } | ForEach-Object { "$($_.Mode)" }) | Select-Object -Unique) -join ','
}

# Where the rounds' time went, in milliseconds per round, from each SyncResult's Phases.
function Get-PhaseAverage([object[]] $Results) {
    $average = [ordered]@{}
    foreach ($phase in 'ExtentWalk', 'Read', 'Hash', 'Journal', 'ReplicaWrites', 'Fsync', 'State', 'Other') {
        $average[$phase] = [Math]::Round((($Results | ForEach-Object { $_.Phases.$phase.TotalMilliseconds } | Measure-Object -Sum).Sum / [Math]::Max(1, $Results.Count)), 3)
    }
    $average
}

function Format-Seconds($Seconds) {
    if ($null -eq $Seconds) { return 'n/a' }
    if ($Seconds -lt 1) { return ('{0:N1} ms' -f ($Seconds * 1000)) }
    '{0:N2} s' -f $Seconds
}

function Format-Microseconds($Seconds) { if ($null -eq $Seconds) { 'n/a' } else { '{0:N1} us' -f ($Seconds * 1e6) } }
function Format-Ratio($Ratio) { if ($null -eq $Ratio) { 'n/a' } else { '{0:N2}x' -f $Ratio } }

#endregion

#region preflight

$results = [ordered]@{}
$targets = [Collections.Generic.List[object]]::new()
$notes = [Collections.Generic.List[string]]::new()

function Add-Target {
    param([string] $Id, [string] $What, [string] $Target, [string] $Measured, $Met, [string] $Note = '')
    $targets.Add([pscustomobject]@{ Id = $Id; What = $What; Target = $Target; Measured = $Measured; Met = $Met; Note = $Note })
}

Write-Phase 'Preflight'
if (-not $IsLinux) { throw 'The benchmark measures the LocalFile driver on Linux (SEEK_DATA, drop_caches, cp --sparse).' }
$isRoot = (& id -u) -eq '0'
function Install-DebianPackage([string] $Package, [switch] $Optional, [string] $Command = $Package) {
    if (Get-Command $Command -ErrorAction Ignore) { return $true }
    if (-not $isRoot) {
        if ($Optional) { return $false }
        throw "$Package is missing and this is not root: apt-get install -y $Package"
    }
    Write-Host "Installing $Package from the Debian packages"
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get install -y -q $Package *> $null
    if ($LASTEXITCODE -ne 0) {
        & apt-get update -q *> $null
        & apt-get install -y -q $Package *> $null
    }
    if (-not (Get-Command $Command -ErrorAction Ignore)) {
        if ($Optional) { return $false }
        throw "Installing $Package failed."
    }
    $true
}
Install-DebianPackage rsync | Out-Null
# The NBD client and write benchmark of phase 7.
if ('Export' -in $Phase) { Install-DebianPackage qemu-utils -Command qemu-img | Out-Null }
$hasHyperfine = Install-DebianPackage hyperfine -Optional

# The work folder must be on a real disk: tmpfs would make every "disk" figure a memory figure.
if (-not $WorkFolder) {
    $WorkFolder = [IO.Path]::GetTempPath()
    if ((& stat -f -c %T $WorkFolder) -match 'tmpfs|ramfs') { $WorkFolder = Join-Path $PSScriptRoot '.work' }
}
New-Item -ItemType Directory $WorkFolder -Force | Out-Null
$fsType = "$(& stat -f -c %T $WorkFolder)"
if ($fsType -match 'tmpfs|ramfs') { throw "The work folder '$WorkFolder' is on $fsType; give -WorkFolder on a disk." }
$Work = Join-Path ([IO.Path]::GetFullPath($WorkFolder)) ("replication-bench-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory $Work | Out-Null
$freeBytes = [IO.DriveInfo]::new($Work).AvailableFreeSpace
if ($freeBytes -lt 10GB) { throw "The work folder needs about 10 GiB free; '$Work' has $([Math]::Round($freeBytes / 1GB, 1)) GiB." }
$device = "$(& df --output=source $Work | Select-Object -Last 1)".Trim()
$fsType = "$(& df --output=fstype $Work | Select-Object -Last 1)".Trim()

# Can this process evict the page cache?
$CanDropCaches = $false
if ($isRoot) {
    & sync
    & sh -c 'echo 3 > /proc/sys/vm/drop_caches' 2>$null
    $CanDropCaches = $LASTEXITCODE -eq 0
}
$cacheNote = if ($CanDropCaches) {
    'Cold runs: dirty pages are flushed and the page cache is dropped (sync; echo 3 > /proc/sys/vm/drop_caches) before every timed I/O run, module and baselines alike. The VM''s host may still cache the disk.'
}
else {
    'The page cache could not be dropped (not root, or /proc/sys/vm/drop_caches is read-only): every I/O figure is warm-cache, module and baselines alike.'
}
$notes.Add($cacheNote)

$machine = [ordered]@{
    cpu            = ((Get-Content /proc/cpuinfo | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -replace '^.*:\s*', '')
    logicalCpus    = [Environment]::ProcessorCount
    memoryGiB      = [Math]::Round(((Get-Content /proc/meminfo -TotalCount 1) -replace '\D', '') / 1MB, 1)
    kernel         = "$(& uname -r)"
    os             = ((Get-Content /etc/os-release | Where-Object { $_ -like 'PRETTY_NAME=*' }) -replace '^PRETTY_NAME="?|"$', '')
    dotnet         = "$(& dotnet --version)"
    runtime        = [Runtime.InteropServices.RuntimeInformation]::FrameworkDescription
    pwsh           = "$($PSVersionTable.PSVersion)"
    fileSystem     = $fsType
    device         = $device
    workFolder     = $Work
    cacheDropped   = $CanDropCaches
    cp             = "$(& cp --version | Select-Object -First 1)"
    rsync          = "$(& rsync --version | Select-Object -First 1)"
    hyperfine      = if ($hasHyperfine) { "$(& hyperfine --version)" } else { $null }
}
Write-Host ("Work folder {0} ({1} on {2}), page cache dropped between cold runs: {3}" -f $Work, $fsType, $device, $CanDropCaches)

$buildOutput = & dotnet build $benchProject -c Release -v quiet --nologo --artifacts-path $benchArtifacts 2>&1
if ($LASTEXITCODE -ne 0) {
    # The engine is edited by others while this runs; a tree that does not compile right now must not cost the run.
    if (-not (Test-Path $benchDll)) { throw "Building bench/Replication.Benchmarks failed:`n$(($buildOutput | Select-String 'error' | Select-Object -First 5) -join "`n")" }
    $notes.Add("bench/Replication.Benchmarks did not build from the current tree (the engine is being edited); the micro-benchmarks and the read-allocated baseline used its previous build of $((Get-Item $benchDll).LastWriteTimeUtc.ToString('u')).")
    Write-Warning $notes[-1]
}

# A private copy of the module: others may rebuild out/module while this runs (a rebuild mid-run broke a run once).
$sourceModule = $ModulePath
$moduleCopy = Join-Path $Work 'module'
New-Item -ItemType Directory $moduleCopy | Out-Null
Copy-Item (Split-Path $ModulePath -Parent) $moduleCopy -Recurse
$ModulePath = Join-Path $moduleCopy (Join-Path (Split-Path (Split-Path $ModulePath -Parent) -Leaf) (Split-Path $ModulePath -Leaf))
$engineDll = Get-ChildItem (Split-Path $ModulePath -Parent) -Filter 'Replication.Engine.dll' -Recurse | Select-Object -First 1
$repo = Split-Path $PSScriptRoot -Parent
$machine.module = [ordered]@{
    source        = $sourceModule
    builtAt       = (Get-Item $sourceModule).LastWriteTimeUtc.ToString('o')
    engineSha256  = if ($engineDll) { (Get-FileHash $engineDll.FullName -Algorithm SHA256).Hash.Substring(0, 16) } else { $null }
    gitCommit     = "$(& git -C $repo rev-parse --short HEAD 2>$null)"
    gitDirtyFiles = @(& git -C $repo status --porcelain --untracked-files=no 2>$null).Count
}
Import-Module $ModulePath -Force
$ChildScript = Join-Path $Work 'child-sync.ps1'
Set-Content $ChildScript -Value @'
param([string] $ModulePath, [string] $StatePath, [string] $Name, [string] $ResultPath)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
function Field([string[]] $Lines, [string] $Name) { [long]((@($Lines -match "^${Name}:")[0]) -replace '\D', '') }
function Memory { $s = Get-Content /proc/self/status; @{ Rss = Field $s 'VmRSS'; Hwm = Field $s 'VmHWM'; Anon = Field $s 'RssAnon'; File = Field $s 'RssFile' } }
Import-Module $ModulePath
Set-ReplicationStateStore -Path $StatePath
$null = Get-VolumeReplica -Name $Name
$startup = Memory
# Resets the peak resident set (VmHWM) so the next reading is the round's own peak.
[IO.File]::WriteAllText('/proc/self/clear_refs', '5')
$before = Memory
$clock = [Diagnostics.Stopwatch]::StartNew()
$r = Sync-VolumeReplica -Name $Name -Confirm:$false
$clock.Stop()
$after = Memory
$gc = [GC]::GetGCMemoryInfo()
[ordered]@{
    Seconds = $clock.Elapsed.TotalSeconds; Mode = "$($r.Mode)"; BytesRead = $r.BytesRead; BytesWritten = $r.BytesWritten; BlocksWritten = $r.BlocksWritten
    RssBeforeKiB = $before.Rss; ProcessPeakBeforeKiB = $startup.Hwm; RoundPeakKiB = $after.Hwm; RssAfterKiB = $after.Rss
    RssAnonBeforeKiB = $before.Anon; RssAnonAfterKiB = $after.Anon; RssFileBeforeKiB = $before.File; RssFileAfterKiB = $after.File
    ManagedHeapBytes = [GC]::GetTotalMemory($false); GcHeapPeakBytes = $gc.HeapSizeBytes; TotalAllocatedBytes = [GC]::GetTotalAllocatedBytes($false)
} | ConvertTo-Json | Set-Content $ResultPath
'@

#endregion

try {
    #region 1. initial sync

    Invoke-Phase Initial '1. Initial sync of 1 GiB (half data in 4 MiB runs, half holes)' {
        $lab = New-Lab 'initial'
        $golden = Join-Path $Work 'golden-1g.img'
        New-SparseFile $golden $GiB
        Write-RandomRuns $golden (Get-RunOffsets $GiB (8 * $MiB)) (4 * $MiB)
        $goldenAllocated = Get-AllocatedBytes $golden
        $reps = foreach ($rep in 1..$Repetitions) {
            $name = "initial$rep"
            New-Volume -Name $name -SizeBytes $GiB -VolumeType rep | Out-Null
            $primary = Get-PrimaryPath $name
            Invoke-Native cp @('--sparse=always', $golden, $primary)
            Clear-PageCache
            $module = Measure-Sync $name
            $replica = Get-ReplicaPath $lab $name
            $verified = if ($rep -eq 1) { Test-SameContent $golden $replica } else { $null }
            $replicaAllocated = Get-AllocatedBytes $replica

            # A copying round: promote (unplanned, no sync), remove the fenced old primary, re-enable onto the empty side.
            Invoke-ReplicaPromotion -Name $name -Force | Out-Null
            Remove-Item $primary -Force
            Clear-PageCache
            $copying = Measure-Block { Enable-Replication -Name $name -Force -PassThru }
            $copyingStatus = "$($copying.Value.Status)"
            $copyingVerified = if ($rep -eq 1) { Test-SameContent $golden $primary } else { $null }
            Remove-Volume -Name $name -Force

            $cpTarget = Join-Path $lab.Root 'cp-target.img'
            Clear-PageCache
            $cp = Measure-Native cp @('--sparse=always', $golden, $cpTarget)
            $cpSync = Measure-Native sync @($cpTarget)
            Remove-Item $cpTarget

            $rsyncTarget = Join-Path $lab.Root 'rsync-target.img'
            Clear-PageCache
            $rsync = Measure-Native rsync @('--sparse', $golden, $rsyncTarget)
            $rsyncSync = Measure-Native sync @($rsyncTarget)
            $rsyncAllocated = Get-AllocatedBytes $rsyncTarget
            Remove-Item $rsyncTarget

            [pscustomobject]@{
                Module = $module; ModuleVerified = $verified; ReplicaAllocated = $replicaAllocated
                CopyingSeconds = $copying.Seconds; CopyingStatus = $copyingStatus; CopyingVerified = $copyingVerified
                Cp = $cp.Seconds; CpFsync = $cp.Seconds + $cpSync.Seconds
                Rsync = $rsync.Seconds; RsyncFsync = $rsync.Seconds + $rsyncSync.Seconds; RsyncAllocated = $rsyncAllocated
            }
            Write-Host ("  rep {0}: module {1} ({2}), copying round {3}, cp {4} (+fsync {5}), rsync {6} (+fsync {7})" -f $rep,
                (Format-Seconds $module.Seconds), $module.Mode, (Format-Seconds $copying.Seconds), (Format-Seconds $cp.Seconds),
                (Format-Seconds ($cp.Seconds + $cpSync.Seconds)), (Format-Seconds $rsync.Seconds), (Format-Seconds ($rsync.Seconds + $rsyncSync.Seconds)))
        }
        $m = [ordered]@{
            module      = Get-Median $reps.Module.Seconds
            copyingRound = Get-Median $reps.CopyingSeconds
            cp          = Get-Median $reps.Cp
            cpFsync     = Get-Median $reps.CpFsync
            rsync       = Get-Median $reps.Rsync
            rsyncFsync  = Get-Median $reps.RsyncFsync
        }
        $script:results.initial = [ordered]@{
            what                 = 'First Sync-VolumeReplica round after 512 MiB of random data (alternating 4 MiB runs) was written into a new 1 GiB replicated volume (the replica holds only the empty creation round, so the first round writes it directly, as a copying round, without a journal); copyingRound: Enable-Replication after an unplanned promotion with the old side removed (status copying, direct writes); cp/rsync copy the same file to a fresh target, +fsync adds sync FILE.'
            sourceAllocatedBytes = $goldenAllocated
            medianSeconds        = $m
            ratios               = [ordered]@{
                moduleVsCp = $m.module / $m.cp; moduleVsCpFsync = $m.module / $m.cpFsync; moduleVsRsyncFsync = $m.module / $m.rsyncFsync
                copyingVsCp = $m.copyingRound / $m.cp; copyingVsCpFsync = $m.copyingRound / $m.cpFsync
            }
            moduleMode           = ($reps.Module.Mode | Select-Object -Unique) -join ','
            moduleBytesRead      = $reps[0].Module.BytesRead
            moduleBytesWritten   = $reps[0].Module.BytesWritten
            replicaAllocatedBytes = $reps[0].ReplicaAllocated
            rsyncTargetAllocatedBytes = $reps[0].RsyncAllocated
            replicaVerified      = $reps[0].ModuleVerified
            copyingRoundVerified = $reps[0].CopyingVerified
            copyingRoundStatusAfter = $reps[0].CopyingStatus
            repetitions          = @($reps | ForEach-Object { [ordered]@{ module = $_.Module.Seconds; copyingRound = $_.CopyingSeconds; cp = $_.Cp; cpFsync = $_.CpFsync; rsync = $_.Rsync; rsyncFsync = $_.RsyncFsync } })
        }
        Add-Target '1a' 'Initial sync 1 GiB vs cp --sparse=always + fsync' '<= 1.0x' ("{0} vs {1} ({2})" -f (Format-Seconds $m.module), (Format-Seconds $m.cpFsync), (Format-Ratio ($m.module / $m.cpFsync))) ($m.module -le $m.cpFsync) 'like for like: the module''s round ends with fsync'
        Add-Target '1b' 'Initial sync 1 GiB vs cp --sparse=always (no fsync)' '<= 1.0x' ("{0} vs {1} ({2})" -f (Format-Seconds $m.module), (Format-Seconds $m.cp), (Format-Ratio ($m.module / $m.cp))) ($m.module -le $m.cp) 'the issue''s literal target'
        Add-Target '1c' 'Copying round (Enable-Replication) vs cp + fsync' '<= 1.0x' ("{0} vs {1} ({2})" -f (Format-Seconds $m.copyingRound), (Format-Seconds $m.cpFsync), (Format-Ratio ($m.copyingRound / $m.cpFsync))) ($m.copyingRound -le $m.cpFsync) 'direct writes, no journal'
        Add-Target '1d' 'Initial sync 1 GiB vs rsync --sparse + fsync' 'info' ("{0} vs {1} ({2})" -f (Format-Seconds $m.module), (Format-Seconds $m.rsyncFsync), (Format-Ratio ($m.module / $m.rsyncFsync))) $null
        Remove-Item $lab.Root -Recurse -Force
    }

    #endregion

    #region 2. incremental + 3a. unchanged (1 GiB, half data)

    Invoke-Phase Incremental '2. Incremental sync after 1% of the blocks changed' {
        $lab = New-Lab 'incremental'
        $golden = Join-Path $Work 'golden-1g.img'
        New-Volume -Name inc -SizeBytes $GiB -VolumeType rep | Out-Null
        $primary = Get-PrimaryPath inc
        Invoke-Native cp @('--sparse=always', $golden, $primary)
        Set-Aged $primary
        $null = Measure-Sync inc
        $rsyncCopy = Join-Path $lab.Root 'rsync-copy.img'
        Invoke-Native cp @('--sparse=always', $golden, $rsyncCopy)
        $reps = foreach ($rep in 1..$Repetitions) {
            $changed = Set-RandomBlocks $primary $GiB 0.01 (100 + $rep)
            Clear-PageCache
            $module = Measure-Sync inc
            Clear-PageCache
            # --ignore-times: rsync's quick check (size + mtime in whole seconds) must not skip a file changed within the
            # second its copy was made; the module's own check does not skip it either (the mtime moved).
            $rsync = Measure-Native rsync @('--inplace', '--no-whole-file', '--ignore-times', '--stats', $primary, $rsyncCopy)
            $literal = if ($rsync.Output -match 'Literal data: ([\d,]+)') { [long]($Matches[1] -replace ',', '') } else { $null }
            $matched = if ($rsync.Output -match 'Matched data: ([\d,]+)') { [long]($Matches[1] -replace ',', '') } else { $null }
            Clear-PageCache
            $dd = Measure-Native dd @("if=$primary", 'of=/dev/null', 'bs=1M', 'status=none')
            Clear-PageCache
            $allocatedRead = (& dotnet $benchDll read-allocated $primary | ConvertFrom-Json)
            [pscustomobject]@{ Changed = $changed; Module = $module; Rsync = $rsync.Seconds; RsyncLiteral = $literal; RsyncMatched = $matched; Dd = $dd.Seconds; AllocatedRead = $allocatedRead.seconds; AllocatedBytes = $allocatedRead.bytes }
            Write-Host ("  rep {0}: {1} blocks changed; module {2} ({3}, read {4:N0} MiB, wrote {5} blocks), rsync {6}, dd {7}, allocated-only read {8}" -f $rep, $changed,
                (Format-Seconds $module.Seconds), $module.Mode, ($module.BytesRead / $MiB), $module.BlocksWritten, (Format-Seconds $rsync.Seconds), (Format-Seconds $dd.Seconds), (Format-Seconds $allocatedRead.seconds))
        }
        $rsyncOk = Test-SameContent $primary $rsyncCopy
        # The same round with the volume in the page cache: what the round costs beyond the disk.
        $warm = foreach ($rep in 1..3) {
            $null = Set-RandomBlocks $primary $GiB 0.01 (200 + $rep)
            & sync
            $warmRead = (& dotnet $benchDll read-allocated $primary | ConvertFrom-Json)
            $r = Measure-Sync inc
            [pscustomobject]@{ Module = $r.Seconds; Read = $warmRead.seconds }
        }
        Write-Host ("  warm cache: module {0}, read of the allocated data {1}" -f (Format-Seconds (Get-Median $warm.Module)), (Format-Seconds (Get-Median $warm.Read)))
        $replicaOk = Test-SameContent $primary (Get-ReplicaPath $lab inc)
        $m = [ordered]@{
            module = Get-Median $reps.Module.Seconds; rsync = Get-Median $reps.Rsync; ddFullFile = Get-Median $reps.Dd; readAllocatedOnly = Get-Median $reps.AllocatedRead
        }
        $script:results.incremental = [ordered]@{
            what               = '1% of the 64 KiB blocks (164 of 16,384, at random places over the whole 1 GiB, holes included) rewritten with random data, then one Sync-VolumeReplica round (journaled) vs rsync --inplace --no-whole-file onto the previous copy vs dd of the whole file to /dev/null vs a read of the allocated extents only (bench tool read-allocated, SEEK_DATA/SEEK_HOLE, 4 MiB reads, as a round reads).'
            medianSeconds      = $m
            ratios             = [ordered]@{ moduleVsRsync = $m.module / $m.rsync; moduleVsDd = $m.module / $m.ddFullFile; moduleVsReadAllocated = $m.module / $m.readAllocatedOnly }
            warmCache          = [ordered]@{ moduleSeconds = Get-Median $warm.Module; readAllocatedSeconds = Get-Median $warm.Read; moduleRepetitions = @($warm.Module); readRepetitions = @($warm.Read) }
            blocksChanged      = $reps[0].Changed
            moduleMode         = ($reps.Module.Mode | Select-Object -Unique) -join ','
            moduleBytesRead    = @($reps.Module.BytesRead)
            moduleBlocksWritten = @($reps.Module.BlocksWritten)
            allocatedBytes     = @($reps.AllocatedBytes)
            ddBytesRead        = $GiB
            rsyncLiteralBytes  = @($reps.RsyncLiteral)
            rsyncMatchedBytes  = @($reps.RsyncMatched)
            replicaVerified    = $replicaOk
            rsyncCopyVerified  = $rsyncOk
            repetitions        = @($reps | ForEach-Object { [ordered]@{ module = $_.Module.Seconds; rsync = $_.Rsync; dd = $_.Dd; readAllocatedOnly = $_.AllocatedRead } })
        }
        Add-Target '2a' 'Incremental 1% vs rsync --inplace --no-whole-file' '<= 0.3x' ("{0} vs {1} ({2})" -f (Format-Seconds $m.module), (Format-Seconds $m.rsync), (Format-Ratio ($m.module / $m.rsync))) ($m.module -le 0.3 * $m.rsync)
        Add-Target '2b' 'Incremental 1% vs one read: dd of the whole file' '<= 1.3x' ("{0} vs {1} ({2})" -f (Format-Seconds $m.module), (Format-Seconds $m.ddFullFile), (Format-Ratio ($m.module / $m.ddFullFile))) ($m.module -le 1.3 * $m.ddFullFile) 'dd also reads the 512 MiB of holes (as zeros)'
        Add-Target '2c' 'Incremental 1% vs one read of the allocated data only' '<= 1.3x' ("{0} vs {1} ({2})" -f (Format-Seconds $m.module), (Format-Seconds $m.readAllocatedOnly), (Format-Ratio ($m.module / $m.readAllocatedOnly))) ($m.module -le 1.3 * $m.readAllocatedOnly) 'the stricter, fair baseline for a half-hole file'

        # 3a. The same volume unchanged: age the file, one round to record a trusted stamp, then timed rounds.
        Set-Aged $primary
        $null = Measure-Sync inc
        $unchanged = foreach ($i in 1..5) { Clear-PageCache; Measure-Sync inc }
        $script:results.unchangedHalfData1GiB = [ordered]@{ medianSeconds = Get-Median $unchanged.Seconds; modes = ($unchanged.Mode | Select-Object -Unique) -join ','; bytesRead = ($unchanged.BytesRead | Measure-Object -Sum).Sum; repetitions = @($unchanged.Seconds) }
        Remove-Item $lab.Root -Recurse -Force
    }

    #endregion

    #region 2b. layouts: the same rounds on volumes whose data lies in 4 MiB runs, 1 MiB runs, scattered 64 KiB extents, or everywhere

    Invoke-Phase Layouts '2b. Layouts: first and 1% incremental rounds of 512 MiB volumes, 4 MiB / 1 MiB runs, 64 KiB extents, full' {
        $lab = New-Lab 'layouts'
        $size = 512 * $MiB
        $reps = [Math]::Min(3, $Repetitions)
        $layouts = @(
            @{ Key = 'runs4MiB'; Text = '4 MiB runs between 4 MiB holes'; Offsets = { Get-RunOffsets $size (8 * $MiB) }; Length = 4 * $MiB }
            @{ Key = 'runs1MiB'; Text = '1 MiB runs between 1 MiB holes'; Offsets = { Get-RunOffsets $size (2 * $MiB) }; Length = $MiB }
            @{ Key = 'scattered64KiB'; Text = '64 KiB extents at random places (a quarter of the blocks)'; Length = $BlockSize
                Offsets = { $r = [Random]::new(64); , [long[]]@(0..($size / $BlockSize - 1) | Where-Object { $r.Next(4) -eq 0 } | ForEach-Object { $_ * $BlockSize }) } }
            @{ Key = 'full'; Text = 'fully allocated'; Offsets = { Get-RunOffsets $size (4 * $MiB) }; Length = 4 * $MiB }
        )
        $byLayout = foreach ($layout in $layouts) {
            $golden = Join-Path $Work "golden-$($layout.Key).img"
            New-SparseFile $golden $size
            Write-RandomRuns $golden (& $layout.Offsets) $layout.Length
            & sync
            $allocated = Get-AllocatedBytes $golden
            $runs = foreach ($rep in 1..$reps) {
                $name = "$($layout.Key)$rep"
                New-Volume -Name $name -SizeBytes $size -VolumeType rep | Out-Null
                $primary = Get-PrimaryPath $name
                Invoke-Native cp @('--sparse=always', $golden, $primary)
                Clear-PageCache
                $first = Measure-Sync $name
                $cpTarget = Join-Path $lab.Root 'cp-target.img'
                Clear-PageCache
                $cp = Measure-Native cp @('--sparse=always', $golden, $cpTarget)
                $cpSync = Measure-Native sync @($cpTarget)
                Remove-Item $cpTarget
                $changed = Set-RandomBlocks $primary $size 0.01 (300 + $rep)
                Clear-PageCache
                $incremental = Measure-Sync $name
                Clear-PageCache
                $coldRead = (& dotnet $benchDll read-allocated $primary | ConvertFrom-Json)
                # Warm: the same again with the volume in the page cache (written, synced, read once).
                $null = Set-RandomBlocks $primary $size 0.01 (400 + $rep)
                & sync
                $warmRead = (& dotnet $benchDll read-allocated $primary | ConvertFrom-Json)
                $warm = Measure-Sync $name
                $verified = Test-SameContent $primary (Get-ReplicaPath $lab $name)
                Remove-Volume -Name $name -Force
                [pscustomobject]@{
                    First = $first.Seconds; CpFsync = $cp.Seconds + $cpSync.Seconds; Changed = $changed
                    Incremental = $incremental.Seconds; IncrementalMode = $incremental.Mode; ColdRead = $coldRead.seconds
                    Warm = $warm.Seconds; WarmRead = $warmRead.seconds; Verified = $verified
                }
                Write-Host ("  {0,-15} rep {1}: first {2} vs cp+fsync {3}; 1% incremental cold {4} vs read {5}, warm {6} vs read {7}; replica identical: {8}" -f $layout.Key, $rep,
                    (Format-Seconds $first.Seconds), (Format-Seconds ($cp.Seconds + $cpSync.Seconds)), (Format-Seconds $incremental.Seconds), (Format-Seconds $coldRead.seconds),
                    (Format-Seconds $warm.Seconds), (Format-Seconds $warmRead.seconds), $verified)
            }
            Remove-Item $golden
            $m = [ordered]@{
                first = Get-Median $runs.First; cpFsync = Get-Median $runs.CpFsync; incrementalCold = Get-Median $runs.Incremental; readAllocatedCold = Get-Median $runs.ColdRead
                incrementalWarm = Get-Median $runs.Warm; readAllocatedWarm = Get-Median $runs.WarmRead
            }
            [ordered]@{
                layout = $layout.Key; what = $layout.Text; allocatedBytes = $allocated; blocksChanged = $runs[0].Changed; medianSeconds = $m
                ratios = [ordered]@{ firstVsCpFsync = $m.first / $m.cpFsync; incrementalColdVsRead = $m.incrementalCold / $m.readAllocatedCold; incrementalWarmVsRead = $m.incrementalWarm / $m.readAllocatedWarm }
                incrementalModes = ($runs.IncrementalMode | Select-Object -Unique) -join ','; replicasVerified = -not ($runs.Verified -contains $false)
                repetitions = @($runs | ForEach-Object { [ordered]@{ first = $_.First; cpFsync = $_.CpFsync; incrementalCold = $_.Incremental; readAllocatedCold = $_.ColdRead; incrementalWarm = $_.Warm; readAllocatedWarm = $_.WarmRead } })
            }
        }
        $script:results.layouts = [ordered]@{
            what    = "512 MiB replicated volumes, random data in each layout. First round (direct writes) after cp of the data into the new volume, against cp --sparse=always + sync of the same file; then 1% of the 64 KiB blocks rewritten at random places and one journaled round, against one read of the allocated extents (read-allocated), cold (page cache dropped before each) and warm (the volume read once, then the round). $reps repetitions, median."
            layouts = @($byLayout)
        }
        $id = 0
        foreach ($l in $byLayout) {
            $letter = [char](97 + $id++)
            Add-Target "2b$letter" "$($l.what): first round vs cp + fsync" '<= 1.0x' ("{0} vs {1} ({2})" -f (Format-Seconds $l.medianSeconds.first), (Format-Seconds $l.medianSeconds.cpFsync), (Format-Ratio $l.ratios.firstVsCpFsync)) ($l.ratios.firstVsCpFsync -le 1.0)
            Add-Target "2b$letter-cold" "$($l.what): 1% incremental vs one read, cold" '<= 1.3x' ("{0} vs {1} ({2})" -f (Format-Seconds $l.medianSeconds.incrementalCold), (Format-Seconds $l.medianSeconds.readAllocatedCold), (Format-Ratio $l.ratios.incrementalColdVsRead)) ($l.ratios.incrementalColdVsRead -le 1.3)
            Add-Target "2b$letter-warm" "$($l.what): 1% incremental vs one read, warm" '<= 1.3x' ("{0} vs {1} ({2})" -f (Format-Seconds $l.medianSeconds.incrementalWarm), (Format-Seconds $l.medianSeconds.readAllocatedWarm), (Format-Ratio $l.ratios.incrementalWarmVsRead)) ($l.ratios.incrementalWarmVsRead -le 1.3)
        }
        Remove-Item $lab.Root -Recurse -Force
    }

    #endregion

    #region 5. growth by size, 3. unchanged 1 vs 16 GiB, 6. memory

    Invoke-Phase Size '5/3/6. Growth by volume size (1, 4, 16 GiB), unchanged volumes, memory' {
        $lab = New-Lab 'growth'
        $sizes = foreach ($sizeGiB in 1, 4, 16) {
            $size = [long]$sizeGiB * $GiB
            $name = "g$sizeGiB"
            New-Volume -Name $name -SizeBytes $size -VolumeType rep | Out-Null
            $primary = Get-PrimaryPath $name
            # 1/16 data: a 4 MiB random run every 64 MiB (64 MiB, 256 MiB, 1 GiB of data).
            Write-RandomRuns $primary (Get-RunOffsets $size (64 * $MiB)) (4 * $MiB)
            Set-Aged $primary
            Clear-PageCache
            $initial = Invoke-ChildSync $lab $name
            $unchanged = foreach ($i in 1..5) { Clear-PageCache; Measure-Sync $name }
            $unchangedWarm = foreach ($i in 1..5) { Measure-Sync $name }
            $incremental = foreach ($rep in 1..([Math]::Min($Repetitions, 3))) {
                $changed = Set-RandomBlocks $primary $size 0.01 (2000 + $sizeGiB * 10 + $rep)
                Clear-PageCache
                $r = Measure-Sync $name
                $r | Add-Member Changed $changed -PassThru
            }
            Clear-PageCache
            $readAllocated = (& dotnet $benchDll read-allocated $primary | ConvertFrom-Json)
            $verified = Test-SameContent $primary (Get-ReplicaPath $lab $name)
            Write-Host ("  {0,2} GiB: initial {1} (child pwsh, round peak RSS {2:N0} MiB, process peak {3:N0} MiB), unchanged {4} ({5}), incremental 1% {6}, read of the allocated data {7}" -f $sizeGiB,
                (Format-Seconds $initial.Seconds), ($initial.RoundPeakKiB / 1KB), ([Math]::Max($initial.RoundPeakKiB, $initial.ProcessPeakBeforeKiB) / 1KB),
                (Format-Seconds (Get-Median $unchanged.Seconds)), (($unchanged.Mode | Select-Object -Unique) -join ','), (Format-Seconds (Get-Median $incremental.Seconds)), (Format-Seconds $readAllocated.seconds))
            [pscustomobject]@{
                SizeGiB = $sizeGiB; DataBytes = $size / 16
                Initial = $initial
                UnchangedSeconds = Get-Median $unchanged.Seconds; UnchangedModes = ($unchanged.Mode | Select-Object -Unique) -join ','; UnchangedBytesRead = ($unchanged.BytesRead | Measure-Object -Sum).Sum
                UnchangedReps = @($unchanged.Seconds); UnchangedWarmSeconds = Get-Median $unchangedWarm.Seconds; UnchangedWarmModes = ($unchangedWarm.Mode | Select-Object -Unique) -join ','
                IncrementalSeconds = Get-Median $incremental.Seconds; IncrementalReps = @($incremental.Seconds); IncrementalBytesRead = Get-Median $incremental.BytesRead
                IncrementalBlocksChanged = $incremental[0].Changed; IncrementalModes = ($incremental.Mode | Select-Object -Unique) -join ','
                ReadAllocated = $readAllocated.seconds; ReplicaVerified = $verified
            }
            Remove-Volume -Name $name -Force
        }
        $script:results.growthBySize = [ordered]@{
            what = 'Volumes of 1, 4 and 16 GiB with 6.25% random data (a 4 MiB run every 64 MiB). initial: first round after writing, run in a child pwsh (time measured inside it; peak RSS of the round alone via clear_refs + VmHWM). unchanged: median of 5 rounds after a trusted stamp. incremental: median of rounds after 1% of the blocks were rewritten at random places. All cold-cache.'
            sizes = @($sizes | ForEach-Object {
                    [ordered]@{
                        sizeGiB = $_.SizeGiB; dataBytes = $_.DataBytes
                        initialSeconds = $_.Initial.Seconds; initialMode = $_.Initial.Mode; initialBytesRead = $_.Initial.BytesRead; initialBytesWritten = $_.Initial.BytesWritten
                        roundPeakRssMiB = Round ($_.Initial.RoundPeakKiB / 1KB) 1; processPeakRssMiB = Round ([Math]::Max($_.Initial.RoundPeakKiB, $_.Initial.ProcessPeakBeforeKiB) / 1KB) 1
                        rssBeforeRoundMiB = Round ($_.Initial.RssBeforeKiB / 1KB) 1; rssAfterRoundMiB = Round ($_.Initial.RssAfterKiB / 1KB) 1
                        anonBeforeMiB = Round ($_.Initial.RssAnonBeforeKiB / 1KB) 1; anonAfterMiB = Round ($_.Initial.RssAnonAfterKiB / 1KB) 1; fileBackedAfterMiB = Round ($_.Initial.RssFileAfterKiB / 1KB) 1; gcHeapBytes = $_.Initial.GcHeapPeakBytes; managedAllocatedBytes = $_.Initial.TotalAllocatedBytes
                        unchangedSeconds = $_.UnchangedSeconds; unchangedModes = $_.UnchangedModes; unchangedBytesRead = $_.UnchangedBytesRead; unchangedRepetitions = $_.UnchangedReps; unchangedWarmSeconds = $_.UnchangedWarmSeconds; unchangedWarmModes = $_.UnchangedWarmModes
                        incrementalSeconds = $_.IncrementalSeconds; incrementalModes = $_.IncrementalModes; incrementalBytesRead = $_.IncrementalBytesRead; incrementalBlocksChanged = $_.IncrementalBlocksChanged; incrementalRepetitions = $_.IncrementalReps
                        readAllocatedColdSeconds = $_.ReadAllocated; replicaVerified = $_.ReplicaVerified
                    }
                })
        }
        $one = $sizes | Where-Object SizeGiB -EQ 1
        $sixteen = $sizes | Where-Object SizeGiB -EQ 16
        $unchangedRatio = $sixteen.UnchangedSeconds / $one.UnchangedSeconds
        $noRead = $one.UnchangedBytesRead -eq 0 -and $sixteen.UnchangedBytesRead -eq 0 -and $one.UnchangedModes -eq 'Unchanged' -and $sixteen.UnchangedModes -eq 'Unchanged'
        $warmRatio = $sixteen.UnchangedWarmSeconds / $one.UnchangedWarmSeconds
        $script:results.unchanged = [ordered]@{ oneGiBSeconds = $one.UnchangedSeconds; sixteenGiBSeconds = $sixteen.UnchangedSeconds; ratio = $unchangedRatio; nothingRead = $noRead; warmOneGiBSeconds = $one.UnchangedWarmSeconds; warmSixteenGiBSeconds = $sixteen.UnchangedWarmSeconds; warmRatio = $warmRatio }
        # "About the same cost": a ratio of two few-millisecond figures is mostly timer and fsync noise, so a difference
        # under 1% of one read of the 16 GiB volume's data counts as the same (a size-dependent read would be far over).
        $sameCost = { param($big, $small, $ratio) $ratio -le 1.5 -or ($big - $small) -le 0.01 * $sixteen.ReadAllocated }
        Add-Target '3a' 'Unchanged volume, cold cache: 16 GiB vs 1 GiB' '~1x (<= 1.5x, or within 1% of one read of the 16 GiB data), 0 bytes read' ("{0} vs {1} ({2}; one read of the 16 GiB data {4}), {3}" -f (Format-Seconds $sixteen.UnchangedSeconds), (Format-Seconds $one.UnchangedSeconds), (Format-Ratio $unchangedRatio), $(if ($noRead) { 'nothing read' } else { 'READ DATA' }), (Format-Seconds $sixteen.ReadAllocated)) ((& $sameCost $sixteen.UnchangedSeconds $one.UnchangedSeconds $unchangedRatio) -and $noRead)
        Add-Target '3b' 'Unchanged volume, warm cache: 16 GiB vs 1 GiB' '~1x (<= 1.5x, or within 1% of one read of the 16 GiB data)' ("{0} vs {1} ({2})" -f (Format-Seconds $sixteen.UnchangedWarmSeconds), (Format-Seconds $one.UnchangedWarmSeconds), (Format-Ratio $warmRatio)) ((& $sameCost $sixteen.UnchangedWarmSeconds $one.UnchangedWarmSeconds $warmRatio) -and $sixteen.UnchangedWarmModes -eq 'Unchanged')
        $peak = $sixteen.Initial.RoundPeakKiB / 1KB
        $processPeak = [Math]::Max($sixteen.Initial.RoundPeakKiB, $sixteen.Initial.ProcessPeakBeforeKiB) / 1KB
        Add-Target '6' 'Peak RSS of pwsh during a 16 GiB sync' '< 128 MiB' ("{0:N0} MiB (RSS before the round {1:N0} MiB; process lifetime peak {2:N0} MiB)" -f $peak, ($sixteen.Initial.RssBeforeKiB / 1KB), $processPeak) ($peak -lt 128) 'the round''s peak (VmHWM reset just before it) of a child pwsh'
        Remove-Item $lab.Root -Recurse -Force
    }

    #endregion

    #region 4. control plane, 5. growth by count

    Invoke-Phase Startup '4. Control plane: pwsh start, Import-Module' {
        & sync
        $env:REPLICATION_POWERSHELL_STATE = Join-Path $Work 'startup-state.db'
        $commands = [ordered]@{
            bare   = "dotnet $pwshDll -NoProfile -NonInteractive -Command exit"
            import = "dotnet $pwshDll -NoProfile -NonInteractive -Command Import-Module $ModulePath"
            firstCommand = "dotnet $pwshDll -NoProfile -NonInteractive -Command `"Import-Module $ModulePath; Get-VolumeType | Out-Null`""
        }
        $startup = [ordered]@{}
        $hyperfineDone = $false
        if ($hasHyperfine) {
            try {
                $json = Join-Path $Work 'hyperfine.json'
                Invoke-Native hyperfine (@('-N', '--warmup', '1', '--runs', '10', '--style', 'basic', '--export-json', $json) + @($commands.Values)) -Quiet
                $data = Get-Content $json -Raw | ConvertFrom-Json
                $i = 0
                foreach ($key in $commands.Keys) {
                    $r = $data.results[$i++]
                    $startup[$key] = [ordered]@{ median = $r.median; mean = $r.mean; stddev = $r.stddev; min = $r.min; max = $r.max; runs = $r.times.Count }
                }
                $startup.tool = 'hyperfine -N --warmup 1 --runs 10'
                $hyperfineDone = $true
            }
            catch { Write-Warning "hyperfine failed, timing with a loop instead: $_" }
        }
        if (-not $hyperfineDone) {
            $times = @{}
            foreach ($key in $commands.Keys) { $times[$key] = [Collections.Generic.List[double]]::new() }
            foreach ($i in 1..11) {
                foreach ($key in $commands.Keys) {
                    $t = Measure-Block { & sh -c $commands[$key] }
                    if ($i -gt 1) { $times[$key].Add($t.Seconds) }
                }
            }
            foreach ($key in $commands.Keys) { $startup[$key] = [ordered]@{ median = Get-Median $times[$key]; runs = $times[$key].Count } }
            $startup.tool = 'own loop: 1 warm-up + 10 timed runs, interleaved'
        }
        # Resident set of the three, for the memory figures: what pwsh costs before any sync.
        $startup.residentMiB = [ordered]@{}
        $prefixes = [ordered]@{ bare = ''; import = "Import-Module '$ModulePath'; "; firstCommand = "Import-Module '$ModulePath'; Get-VolumeType | Out-Null; " }
        foreach ($key in $prefixes.Keys) {
            $lines = & dotnet $pwshDll -NoProfile -NonInteractive -Command "$($prefixes[$key])(Get-Content /proc/self/status) -match '^Vm(RSS|HWM):'"
            $startup.residentMiB[$key] = [ordered]@{
                rss = Round ([double](@($lines -match 'VmRSS')[0] -replace '\D', '') / 1KB) 1
                peak = Round ([double](@($lines -match 'VmHWM')[0] -replace '\D', '') / 1KB) 1
            }
        }
        Remove-Item Env:REPLICATION_POWERSHELL_STATE
        $ratio = $startup.import.median / $startup.bare.median
        $startup.commands = $commands
        $startup.importRatio = $ratio
        $startup.firstCommandRatio = $startup.firstCommand.median / $startup.bare.median
        $script:results.startup = $startup
        Add-Target '4a' 'pwsh start + Import-Module vs bare pwsh start' '<= 1.5x' ("{0} vs {1} ({2})" -f (Format-Seconds $startup.import.median), (Format-Seconds $startup.bare.median), (Format-Ratio $ratio)) ($ratio -le 1.5)
        Add-Target '4b' 'pwsh start + Import-Module + first command (Get-VolumeType)' 'info' ("{0} ({1} of bare)" -f (Format-Seconds $startup.firstCommand.median), (Format-Ratio $startup.firstCommandRatio)) $null 'opens SQLite, checks the schema'
    }

    Invoke-Phase Count '4/5. Control plane: New-Volume x1,000, sync rounds over 10/100/1,000 volumes, Get-* over 10,000' {
        $lab = New-Lab 'control'
        $replicated = 1..1000 | ForEach-Object { [pscustomobject]@{ Name = 'r{0:D4}' -f $_; SizeBytes = $GiB; VolumeType = 'rep' } }
        $plain = 1..1000 | ForEach-Object { [pscustomobject]@{ Name = 'p{0:D4}' -f $_; SizeBytes = $GiB; VolumeType = 'plain' } }
        $createReplicated = Measure-Block { $replicated | New-Volume | Out-Null }
        $replicatedDone = [Diagnostics.Stopwatch]::StartNew()
        $createPlain = Measure-Block { $plain | New-Volume | Out-Null }
        $created = @(Get-Volume).Count
        Write-Host ("  1,000 New-Volume replicated {0} ({1:N0}/s), plain {2} ({3:N0}/s); {4} volumes" -f (Format-Seconds $createReplicated.Seconds), (1000 / $createReplicated.Seconds),
            (Format-Seconds $createPlain.Seconds), (1000 / $createPlain.Seconds), $created)
        $stateAfterCreate = (Get-ChildItem "$($lab.State)*" | Measure-Object Length -Sum).Sum

        # Growth by count. A first round over the new volumes records trusted stamps (the files are older than 2 s).
        $wait = 2.5 - $replicatedDone.Elapsed.TotalSeconds
        if ($wait -gt 0) { Start-Sleep -Milliseconds ([int]($wait * 1000)) }
        $first = Measure-Block { @(Get-VolumeReplica -Status active | Sync-VolumeReplica -Confirm:$false) }
        $firstModes = Get-Modes @($first)
        $paths = @{}
        foreach ($v in Get-Volume -VolumeType rep) { $paths[$v.Name] = Join-Path $lab.Root $v.Backend ("volume-{0}.img" -f $v.Id) }
        $order = @((Get-VolumeReplica -Status active).VolumeName)
        # All unchanged rounds first: a changed round starts right after the writes, so its stamp is (rightly) not
        # trusted and the next round reads those volumes again.
        $unchangedByCount = @{}
        foreach ($count in 10, 100, 1000) {
            $unchangedByCount[$count] = foreach ($i in 1..$Repetitions) {
                Measure-Block { @(Get-VolumeReplica -Status active | Select-Object -First $count | Sync-VolumeReplica -Confirm:$false) }
            }
        }
        $byCount = foreach ($count in 10, 100, 1000) {
            $unchanged = $unchangedByCount[$count]
            $unchangedModes = Get-Modes $unchanged
            $changedReps = if ($count -eq 1000) { 1 } else { $Repetitions }
            $changed = foreach ($rep in 1..$changedReps) {
                $seed = 5000 + $count + $rep
                foreach ($name in $order[0..($count - 1)]) { Write-RandomRuns $paths[$name] @([long]([Random]::new($seed).NextInt64(16384)) * $BlockSize) $BlockSize; $seed++ }
                & sync
                Measure-Block { @(Get-VolumeReplica -Status active | Select-Object -First $count | Sync-VolumeReplica -Confirm:$false) }
            }
            $changedModes = Get-Modes $changed
            $u = Get-Median $unchanged.Seconds
            $c = Get-Median $changed.Seconds
            Write-Host ("  {0,4} volumes: unchanged round {1} ({2:N2} ms/volume, {3}), one block changed in each {4} ({5:N1} ms/volume, {6})" -f $count, (Format-Seconds $u), ($u * 1000 / $count), $unchangedModes, (Format-Seconds $c), ($c * 1000 / $count), $changedModes)
            [ordered]@{ volumes = $count; unchangedSeconds = $u; unchangedModes = $unchangedModes; unchangedRepetitions = @($unchanged.Seconds); oneBlockChangedSeconds = $c; changedModes = $changedModes; changedRepetitions = @($changed.Seconds) }
        }
        $script:results.growthByCount = [ordered]@{
            what = 'Replicated 1 GiB volumes (sparse, block map 256 KiB each), Get-VolumeReplica -Status active | Select-Object -First N | Sync-VolumeReplica. unchanged: every volume skipped by its stamp. oneBlockChanged: 64 KiB rewritten in each of the N volumes before the round (journaled round each). Warm cache.'
            firstRoundOver1000NewVolumesSeconds = $first.Seconds; firstRoundModes = $firstModes
            counts = @($byCount)
        }
        $round1000 = ($byCount | Where-Object { $_.volumes -eq 1000 }).unchangedSeconds

        # 10,000 volumes for the listings: the 2,000 made by the cmdlet, their rows copied four times in SQL (the copies
        # share files, which only the listings below ever see). Creating 8,000 more through New-Volume would take
        # about 8,000 / (rate above) seconds.
        $cloneSql = Measure-Block {
            $connection = [Microsoft.Data.Sqlite.SqliteConnection]::new("Data Source=$($lab.State)")
            $connection.Open()
            try {
                $tx = $connection.BeginTransaction()
                foreach ($k in 1..4) {
                    $cmd = $connection.CreateCommand()
                    $cmd.Transaction = $tx
                    $cmd.CommandText = @"
INSERT INTO volumes (id, name, size_bytes, volume_type, status, backend, location, replication_status, replication_extended_status,
  replication_driver_data, replica_backend, replica_location, replica_fenced, sync_generation, last_sync_started_at, last_sync_completed_at, source_replica, created_at)
SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-a' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
  name || '-copy$k', size_bytes, volume_type, status, backend, location, replication_status, replication_extended_status,
  replication_driver_data, replica_backend, replica_location, replica_fenced, sync_generation, last_sync_started_at, last_sync_completed_at, source_replica, created_at
FROM volumes WHERE name NOT LIKE '%-copy%';
"@
                    [void]$cmd.ExecuteNonQuery()
                }
                $tx.Commit()
            }
            finally { $connection.Dispose() }
        }
        $listing = [ordered]@{}
        foreach ($command in 'Get-Volume', 'Get-VolumeReplica') {
            $runs = foreach ($i in 1..6) { Measure-Block { (& $command | Measure-Object).Count } }
            $formatted = Measure-Block { (& $command | Format-Table | Out-String -Width 200).Length }
            $listing[$command] = [ordered]@{
                count = $runs[0].Value; firstSeconds = $runs[0].Seconds; medianSeconds = Get-Median ($runs | Select-Object -Skip 1).Seconds
                repetitions = @($runs.Seconds); formatTableSeconds = $formatted.Seconds
            }
            Write-Host ("  {0} over {1} volumes: median {2} (first call {3}; with Format-Table | Out-String {4})" -f $command, $runs[0].Value, (Format-Seconds $listing[$command].medianSeconds), (Format-Seconds $runs[0].Seconds), (Format-Seconds $formatted.Seconds))
        }
        $script:results.controlPlane = [ordered]@{
            newVolume1000 = [ordered]@{
                replicatedSeconds = $createReplicated.Seconds; replicatedPerSecond = 1000 / $createReplicated.Seconds
                plainSeconds = $createPlain.Seconds; plainPerSecond = 1000 / $createPlain.Seconds
                stateFileBytesAfter2000 = $stateAfterCreate
                what = '1,000 [pscustomobject]@{Name; SizeBytes = 1GB; VolumeType} piped into one New-Volume, | Out-Null; replicated volumes make two sparse files and store an empty 256 KiB block map.'
            }
            syncRound1000Unchanged = $round1000
            listing10000 = $listing
            listingSetup = "10,000 rows: 2,000 made by New-Volume, copied 4 times by SQL in $([Math]::Round($cloneSql.Seconds, 2)) s. Timed as (Get-Volume | Measure-Object); median of 5 after a first call."
        }
        $gv = $listing['Get-Volume']; $gr = $listing['Get-VolumeReplica']
        Add-Target '4c' '1,000 New-Volume in one pipeline (replicated / plain)' 'report' ("{0:N0} / {1:N0} volumes/s ({2} / {3})" -f (1000 / $createReplicated.Seconds), (1000 / $createPlain.Seconds), (Format-Seconds $createReplicated.Seconds), (Format-Seconds $createPlain.Seconds)) $null
        Add-Target '4d' 'Get-Volume over 10,000 volumes' '< 0.3 s' ("{0} (first call {1})" -f (Format-Seconds $gv.medianSeconds), (Format-Seconds $gv.firstSeconds)) ($gv.medianSeconds -lt 0.3)
        Add-Target '4e' 'Get-VolumeReplica over 10,000 volumes' '< 0.5 s' ("{0} (first call {1})" -f (Format-Seconds $gr.medianSeconds), (Format-Seconds $gr.firstSeconds)) ($gr.medianSeconds -lt 0.5)
        Add-Target '4f' 'Sync round over 1,000 unchanged volumes' 'report' ("{0} ({1:N2} ms/volume)" -f (Format-Seconds $round1000), ($round1000 * 1000 / 1000)) $null
        Set-ReplicationStateStore -Path (Join-Path $Work 'idle-state.db')
        [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
        Remove-Item $lab.Root -Recurse -Force
    }

    #endregion

    #region 7. NBD export: tracked incremental sync, write latency and throughput

    Invoke-Phase Export '7. NBD export: sync after 1% written through it; sync/async/direct writes' {
        $lab = New-Lab 'export'
        New-ReplicatedVolumeType -Name syncrep -ExtraSpec @{ replication_type = '<in> sync' } | Out-Null
        $golden = Join-Path $Work 'golden-1g.img'
        if (-not (Test-Path $golden)) {
            # Run alone (-Phase Export): the same volume as phase 1 makes.
            New-SparseFile $golden $GiB
            Write-RandomRuns $golden (Get-RunOffsets $GiB (8 * $MiB)) (4 * $MiB)
        }
        New-Volume -Name tracked -SizeBytes $GiB -VolumeType rep | Out-Null
        $primary = Get-PrimaryPath tracked
        Invoke-Native cp @('--sparse=always', $golden, $primary)
        $null = Measure-Sync tracked
        $export = Start-VolumeExport -Name tracked -Port 0 -Confirm:$false
        try {
            # The first round of an exported volume reads it; from then on its dirty bitmap covers every write.
            $null = Measure-Sync tracked
            $blocks = [long]($GiB / $BlockSize)
            $reps = foreach ($rep in 1..$Repetitions) {
                $random = [Random]::new(300 + $rep)
                $chosen = [Collections.Generic.HashSet[long]]::new()
                while ($chosen.Count -lt [Math]::Round($blocks * 0.01)) { [void]$chosen.Add($random.NextInt64($blocks)) }
                $commands = @($chosen | ForEach-Object { '-c'; "write -P 0x$('{0:x2}' -f (($_ + $rep) % 255 + 1)) $($_ * $BlockSize) 64k" })
                Invoke-Native qemu-io (@('-f', 'raw') + $commands + @($export.Url)) | Out-Null
                $written = (Get-VolumeExport -Name tracked).DirtyBytes
                Clear-PageCache
                $round = Measure-Sync tracked
                [pscustomobject]@{ Blocks = $chosen.Count; Written = $written; Round = $round }
                Write-Host ("  rep {0}: {1} blocks written through the export ({2:N0} bytes dirty); round {3} ({4}) read {5:N0} bytes = {6:N4}x the volume" -f $rep, $chosen.Count, $written,
                    (Format-Seconds $round.Seconds), $round.Mode, $round.BytesRead, ($round.BytesRead / $GiB))
            }
            $replicaOk = Test-SameContent $primary (Get-ReplicaPath $lab tracked)
            $readRatio = Get-Median ($reps | ForEach-Object { $_.Round.BytesRead / $GiB })
            Clear-PageCache
            $dd = Measure-Native dd @("if=$primary", 'of=/dev/null', 'bs=1M', 'status=none')

            # Writes: qemu-img bench, sequential, 4 KiB at queue depth 1 (latency) and 1 MiB at depth 4 (throughput).
            New-Volume -Name direct -SizeBytes $GiB -VolumeType rep | Out-Null
            New-Volume -Name mirrored -SizeBytes $GiB -VolumeType syncrep | Out-Null
            $null = Measure-Sync mirrored
            $mirroredExport = Start-VolumeExport -Name mirrored -Port $export.Port -Confirm:$false
            if ("$($mirroredExport.Mode)" -ne 'Mirroring') { throw "The synchronous volume's export is $($mirroredExport.Mode), not Mirroring." }
            $targets7 = [ordered]@{ direct = Get-PrimaryPath direct; async = $export.Url; sync = $mirroredExport.Url }
            $writes = [ordered]@{}
            foreach ($kind in $targets7.Keys) {
                # Each repetition (up to five) on blocks not written before, so each pays the dirty bitmap's first marks.
                $latency = foreach ($rep in 1..$Repetitions) {
                    $offset = (($rep - 1) % 5) * 32MB
                    $run = Invoke-Native qemu-img @('bench', '-f', 'raw', '-w', '-c', '4096', '-d', '1', '-s', '4096', '-o', "$offset", $targets7[$kind])
                    [double](($run -join ' ') -replace '(?s).*Run completed in ([\d.]+) seconds.*', '$1') / 4096
                }
                $throughput = foreach ($rep in 1..$Repetitions) {
                    $run = Invoke-Native qemu-img @('bench', '-f', 'raw', '-w', '-c', '128', '-d', '4', '-s', '1M', '-o', "$(256MB + (($rep - 1) % 5) * 128MB)", $targets7[$kind])
                    128MB / [double](($run -join ' ') -replace '(?s).*Run completed in ([\d.]+) seconds.*', '$1')
                }
                $writes[$kind] = [ordered]@{ latencySeconds4KiB = Get-Median $latency; throughputBytesPerSecond1MiB = Get-Median $throughput; latencyRepetitions = @($latency); throughputRepetitions = @($throughput) }
                Write-Host ("  {0}: 4 KiB write latency {1}, 1 MiB writes {2:N0} MiB/s" -f $kind, (Format-Microseconds $writes[$kind].latencySeconds4KiB), ($writes[$kind].throughputBytesPerSecond1MiB / $MiB))
            }
            $mirroredOk = Test-SameContent (Get-PrimaryPath mirrored) (Get-ReplicaPath $lab mirrored)
        }
        finally {
            Get-VolumeExport | Stop-VolumeExport -Force
        }
        $script:results.export = [ordered]@{
            what            = '1 GiB volume (512 MiB data), exported over NBD by a background export service; per repetition 1% of its 64 KiB blocks (164, random places) written through the export with qemu-io, then one Sync-VolumeReplica round (cold cache). Writes: qemu-img bench (sequential, each repetition on blocks not written before; 4,096 writes of 4 KiB at queue depth 1, 128 of 1 MiB at depth 4) on the volume file directly, on an asynchronous export (every write marks the dirty bitmap) and on a synchronous one (every write on both copies before its reply).'
            blocksWritten   = $reps[0].Blocks
            dirtyBytes      = @($reps | ForEach-Object { $_.Written })
            roundBytesRead  = @($reps | ForEach-Object { $_.Round.BytesRead })
            roundSeconds    = @($reps | ForEach-Object { $_.Round.Seconds })
            roundModes      = ($reps | ForEach-Object { $_.Round.Mode } | Select-Object -Unique) -join ','
            readRatio       = $readRatio
            medianRoundSeconds = Get-Median ($reps | ForEach-Object { $_.Round.Seconds })
            ddFullFileSeconds = $dd.Seconds
            replicaVerified = $replicaOk
            mirroredReplicaVerified = $mirroredOk
            writes          = $writes
        }
        Add-Target '7a' 'Incremental sync after 1% written through the export: bytes read / one full read of the volume' '<= 0.05x' ("{0:N0} of {1:N0} bytes ({2:N4}x); round {3} vs dd of the file {4}" -f (Get-Median $results.export.roundBytesRead), $GiB, $readRatio, (Format-Seconds $results.export.medianRoundSeconds), (Format-Seconds $dd.Seconds)) ($readRatio -le 0.05)
        Add-Target '7b' '4 KiB write latency, depth 1: direct / async export / sync export' 'info' ('{0} / {1} / {2}' -f (Format-Microseconds $writes.direct.latencySeconds4KiB), (Format-Microseconds $writes.async.latencySeconds4KiB), (Format-Microseconds $writes.sync.latencySeconds4KiB)) $null
        Add-Target '7c' '1 MiB write throughput, depth 4: direct / async export / sync export' 'info' ('{0:N0} / {1:N0} / {2:N0} MiB/s' -f ($writes.direct.throughputBytesPerSecond1MiB / $MiB), ($writes.async.throughputBytesPerSecond1MiB / $MiB), ($writes.sync.throughputBytesPerSecond1MiB / $MiB)) $null
        Remove-Item $lab.Root -Recurse -Force
    }

    #endregion

    #region 8. Fleet: the pipelines a runbook runs, against fleet size

    Invoke-Phase Fleet "8. Fleet: Get-Volume and its pipelines over $(($fleetCounts | ForEach-Object { '{0:N0}' -f $_ }) -join ' / ') volumes" {
        $lab = New-Lab 'fleet'
        $reps = [Math]::Min(3, $Repetitions)
        # Each pipeline's Value is the count of what it wrote (errors are the point of the two with missing names).
        $pipelines = @(
            @{ Key = 'getVolume'; Text = 'Get-Volume'; Target = $null; Body = { (Get-Volume | Measure-Object).Count } }
            @{ Key = 'getVolumeReplica'; Text = 'Get-Volume | Get-VolumeReplica'; Target = 2; Body = { (Get-Volume | Get-VolumeReplica | Measure-Object).Count } }
            @{ Key = 'measureVolumeReplica'; Text = 'Get-Volume | Measure-VolumeReplica'; Target = 2; Body = { (Get-Volume | Measure-VolumeReplica).VolumeCount } }
            @{ Key = 'getVolumeExport'; Text = 'Get-Volume | Get-VolumeExport (none exported: an error each)'; Target = 2; Body = { (Get-Volume | Get-VolumeExport -ErrorAction SilentlyContinue | Measure-Object).Count } }
            @{ Key = 'missingGetVolumeReplica'; Text = 'names no volume has | Get-VolumeReplica (an error each)'; Target = 2; Body = { ($script:missing | Get-VolumeReplica -ErrorAction SilentlyContinue | Measure-Object).Count } }
            @{ Key = 'missingTestVolumeReplica'; Text = 'names no volume has | Test-VolumeReplica (an error each)'; Target = 2; Body = { ($script:missing | Test-VolumeReplica -Confirm:$false -ErrorAction SilentlyContinue | Measure-Object).Count } }
            @{ Key = 'syncUnchanged'; Text = 'Get-Volume | Sync-VolumeReplica (nothing changed)'; Target = 10; Body = { @(Get-Volume | Sync-VolumeReplica -Confirm:$false) } }
            # Last: its rounds leave stamps too new to trust, so a round after it reads every volume again.
            @{ Key = 'syncChanged'; Text = 'Get-Volume | Sync-VolumeReplica (a 4 KiB block changed in each)'; Target = 15; Prepare = { Write-FleetBlock }; Body = { @(Get-Volume | Sync-VolumeReplica -Confirm:$false) } }
        )
        # One 4 KiB block of new random data in each primary, at a place that moves from run to run, written as any program would.
        $script:fleetRun = 0
        function Write-FleetBlock {
            $script:fleetRun++
            $block = [byte[]]::new(4096)
            $random = [Random]::new($script:fleetRun)
            foreach ($path in $script:primaryPaths) {
                $random.NextBytes($block)
                $file = [IO.File]::OpenWrite($path)
                try { $file.Position = 65536 * ($script:fleetRun % 16); $file.Write($block, 0, $block.Length) } finally { $file.Dispose() }
            }
        }
        $made = 0
        $bySize = foreach ($size in $fleetCounts) {
            $new = ($made + 1)..$size | ForEach-Object { [pscustomobject]@{ Name = 'f{0:D6}' -f $_; SizeBytes = $MiB; VolumeType = 'rep' } }
            $create = Measure-Block { $new | New-Volume | Out-Null }
            $createdAt = [Diagnostics.Stopwatch]::StartNew()
            $rate = $new.Count / $create.Seconds
            $made = $size
            $stateBytes = (Get-ChildItem "$($lab.State)*" | Measure-Object Length -Sum).Sum
            $script:missing = @(1..$size | ForEach-Object { 'missing{0:D6}' -f $_ })
            $script:primaryPaths = @(Get-Volume | Get-VolumeConnection | ForEach-Object Path)
            # A first round over the new volumes records trusted stamps (their files older than 2 s): later rounds find nothing changed.
            $wait = 2.5 - $createdAt.Elapsed.TotalSeconds
            if ($wait -gt 0) { Start-Sleep -Milliseconds ([int]($wait * 1000)) }
            $first = Measure-Block { @(Get-Volume | Sync-VolumeReplica -Confirm:$false).Count }
            $timed = [ordered]@{}
            foreach ($p in $pipelines) {
                # A round over more than 1,000 volumes is timed once: it takes seconds, and the run minutes.
                $sync = $p.Key -like 'sync*'
                $n = if ($sync -and $size -gt 1000) { 1 } else { $reps }
                $runs = @(foreach ($i in 1..$n) { if ($p.ContainsKey('Prepare')) { & $p.Prepare }; Measure-Block $p.Body })
                $objects = if ($sync) { @($runs[0].Value).Count } else { $runs[0].Value }
                $timed[$p.Key] = [ordered]@{
                    pipeline = $p.Text; medianSeconds = Get-Median $runs.Seconds; perObjectMicroseconds = (Get-Median $runs.Seconds) * 1e6 / $size
                    objectsOut = $objects; repetitions = @($runs.Seconds)
                }
                if ($sync) {
                    $timed[$p.Key].modes = Get-Modes $runs
                    $timed[$p.Key].phaseMillisecondsPerVolume = Get-PhaseAverage @($runs[0].Value)
                }
                Write-Host ("  {0,7:N0} volumes: {1,-62} {2,9} ({3:N0} us/volume){4}" -f $size, $p.Text, (Format-Seconds $timed[$p.Key].medianSeconds), $timed[$p.Key].perObjectMicroseconds, $(if ($timed[$p.Key].Contains('modes')) { ", $($timed[$p.Key].modes)" } else { '' }))
            }
            Write-Host ("  {0,7:N0} volumes: New-Volume {1:N0}/s, first round over the new ones {2}, state file {3:N1} MiB" -f $size, $rate, (Format-Seconds $first.Seconds), ($stateBytes / $MiB))
            [ordered]@{ volumes = $size; newVolumes = $new.Count; newVolumeSeconds = $create.Seconds; newVolumePerSecond = $rate; stateFileBytes = $stateBytes; firstRoundSeconds = $first.Seconds; pipelines = $timed }
        }
        $script:results.fleet = [ordered]@{
            what = "Replicated 1 MiB volumes (sparse) on two paired LocalFile backends, made through New-Volume ([pscustomobject] rows piped into one call) up to each size. Each pipeline timed $reps times in this process (median; the sync over more than 1,000 volumes once), its output counted with Measure-Object. Missing names: 'missingNNNNNN', one per volume, piped as strings. Unchanged sync: after a first round that recorded every volume's stamp, so the timed rounds find nothing changed. Changed sync: a 4 KiB block of new random data written into each primary before each timed round (not timed), so every round journals one block; phaseMillisecondsPerVolume is the average of the rounds' Phases."
            sizes = @($bySize)
        }
        $tenThousand = $bySize | Where-Object { $_.volumes -eq 10000 }
        if ($tenThousand) {
            $id = 0
            foreach ($p in $pipelines | Where-Object { $_.Target }) {
                $t = $tenThousand.pipelines[$p.Key]
                Add-Target "8$([char](97 + $id++))" "10,000 volumes: $($p.Text)" "< $($p.Target) s" ("{0} ({1:N0} us/volume)" -f (Format-Seconds $t.medianSeconds), $t.perObjectMicroseconds) ($t.medianSeconds -lt $p.Target)
            }
        }
        foreach ($s in $bySize) {
            Add-Target "8-$($s.volumes)" ("{0:N0} volumes: New-Volume rate, state file size" -f $s.volumes) 'report' ("{0:N0} volumes/s; {1:N1} MiB" -f $s.newVolumePerSecond, ($s.stateFileBytes / $MiB)) $null
        }
        Set-ReplicationStateStore -Path (Join-Path $Work 'idle-state.db')
        [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
        Remove-Item $lab.Root -Recurse -Force
    }

    #endregion

    #region micro-benchmarks

    if (-not $SkipMicro) {
        Invoke-Phase Micro 'Micro-benchmarks (BenchmarkDotNet)' {
            $microFolder = Join-Path $Work 'micro'
            # The hashing benchmark also times the System.IO.Hashing build pwsh 7.4+ loads from the module (lib/net8.0).
            $env:REPLICATION_BENCH_HASHING_DLL = Join-Path (Split-Path $ModulePath -Parent) 'lib/net8.0/System.IO.Hashing.dll'
            $microLog = & dotnet $benchDll $microFolder 2>&1
            $microExit = $LASTEXITCODE
            $microJson = Join-Path $microFolder 'micro.json'
            if (-not (Test-Path $microJson)) { throw "The micro-benchmarks wrote no summary (exit $microExit): $(($microLog | Select-Object -Last 20) -join "`n")" }
            $script:results.micro = @(Get-Content $microJson -Raw | ConvertFrom-Json)
            if ($microExit -ne 0) {
                $failed = @($results.micro | Where-Object { -not $_.success } | ForEach-Object { $_.method })
                Add-Target 'm0' 'Micro-benchmarks all ran' 'all' "failed: $($failed -join ', ')" $false
            }
            $xx = $results.micro | Where-Object method -EQ 'XxHash128Blocks'
            $sha = $results.micro | Where-Object method -EQ 'Sha256Blocks'
            $shipped = $results.micro | Where-Object method -EQ 'XxHash128ShippedBlocks'
            Add-Target 'm1' 'Block hashing: XxHash128 (net10.0 build) vs SHA-256, 64 KiB blocks' 'info' ("{0:N1} GB/s vs {1:N1} GB/s ({2:N0}x)" -f ($xx.throughputMBps / 1000), ($sha.throughputMBps / 1000), ($xx.throughputMBps / $sha.throughputMBps)) $null
            if ($shipped -and $shipped.throughputMBps) {
                Add-Target 'm1b' 'XxHash128 as pwsh 7.4+ loads it from the module (net8.0 build, lib/net8.0)' 'info' ("{0:N1} GB/s ({1:N2}x the net10.0 build's time)" -f ($shipped.throughputMBps / 1000), ($xx.throughputMBps / $shipped.throughputMBps)) $null 'what a sync round actually runs; Windows PowerShell loads the netstandard2.0 build, about 8 GB/s'
            }
            $place = $results.micro | Where-Object method -EQ 'PlaceGold'
            $match = $results.micro | Where-Object method -EQ 'MatchSatisfied'
            Add-Target 'm2' 'Placement over 1,000 backends (8 specs) / 8 spec matches' 'info' ("{0:N0} us ({1:N0} KB allocated) / {2:N2} us" -f ($place.medianNs / 1000), ($place.allocatedBytesPerOp / 1KB), ($match.medianNs / 1000)) $null
        }
    }

    #endregion
}
finally {
    if (-not $KeepFiles) {
        [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
        Remove-Item $Work -Recurse -Force -ErrorAction Continue
    }
}

#region report: table, results.json, results.md, chart

$totalSeconds = $runClock.Elapsed.TotalSeconds
$allPhases = @('Initial', 'Incremental', 'Size', 'Startup', 'Count', 'Export', 'Micro' | Where-Object { $_ -notin $Phase -and -not ($_ -eq 'Micro' -and $SkipMicro) }).Count -eq 0
$ownSeconds = $totalSeconds - $waitedSeconds
Add-Target 'run' 'Whole benchmark run' '< 600 s' ("{0:N0} s{1}{2}" -f $totalSeconds, $(if ($waitedSeconds -gt 0) { " ($waitedSeconds s of it waiting for other work on the machine to calm down: $([Math]::Round($ownSeconds)) s of benchmark)" } else { '' }), $(if ($allPhases) { '' } else { " (only $($Phase -join ', '))" })) $(if ($allPhases) { $ownSeconds -lt 600 } else { $null }) 'chart rendering not included'

function Get-MetText($Met) { if ($null -eq $Met) { '-' } elseif ($Met) { 'met' } else { 'MISSED' } }

Write-Host ''
$targets | Format-Table Id, What, Target, Measured, @{ n = 'Met'; e = { Get-MetText $_.Met } } -AutoSize -Wrap | Out-String -Width 220 | Write-Host

# The chart: sync time against size (left) and against count (right), both axes logarithmic so that milliseconds
# and tens of seconds show on one chart and a straight line's slope is the growth exponent.
function New-LineChart {
    param([double] $X0, [double] $Width, [double] $Height, [string] $Title, [string] $XLabel, [string] $YLabel, [double[]] $XTicks, [object[]] $Series, [double] $Top = 50)
    $left = $X0 + 70; $right = $X0 + $Width - 20; $bottom = $Top + $Height; $plotW = $right - $left
    $values = @($Series | ForEach-Object { $_.Points } | ForEach-Object { $_[1] } | Where-Object { $_ -gt 0 })
    $d0 = [Math]::Floor([Math]::Log10(($values | Measure-Object -Minimum).Minimum))
    $d1 = [Math]::Ceiling([Math]::Log10(($values | Measure-Object -Maximum).Maximum))
    if ($d1 -le $d0) { $d1 = $d0 + 1 }
    $lx0 = [Math]::Log10($XTicks[0]); $lx1 = [Math]::Log10($XTicks[-1])
    $px = { param($x) $left + ($plotW * 0.08) + ($plotW * 0.84) * ([Math]::Log10($x) - $lx0) / ($lx1 - $lx0) }
    $py = { param($y) $bottom - $Height * ([Math]::Log10([Math]::Max($y, [Math]::Pow(10, $d0))) - $d0) / ($d1 - $d0) }
    $sb = [Text.StringBuilder]::new()
    [void]$sb.AppendLine("<text x='$($X0 + $Width / 2)' y='$($Top - 22)' text-anchor='middle' font-size='15' font-weight='bold'>$Title</text>")
    for ($d = $d0; $d -le $d1; $d++) {
        foreach ($m in 1, 2, 5) {
            $y = $m * [Math]::Pow(10, $d)
            if ($y -gt [Math]::Pow(10, $d1) * 1.0001) { continue }
            $yy = & $py $y
            $stroke = if ($m -eq 1) { '#d0d0d0' } else { '#eeeeee' }
            [void]$sb.AppendLine("<line x1='$left' y1='$yy' x2='$right' y2='$yy' stroke='$stroke'/><text x='$($left - 6)' y='$($yy + 4)' text-anchor='end' font-size='10' fill='$(if ($m -eq 1) { '#000' } else { '#888' })'>$(Format-Seconds $y)</text>")
        }
    }
    foreach ($x in $XTicks) {
        $xx = & $px $x
        [void]$sb.AppendLine("<line x1='$xx' y1='$bottom' x2='$xx' y2='$($bottom + 5)' stroke='#333'/><text x='$xx' y='$($bottom + 18)' text-anchor='middle' font-size='11'>$('{0:N0}' -f $x)</text>")
    }
    [void]$sb.AppendLine("<line x1='$left' y1='$bottom' x2='$right' y2='$bottom' stroke='#333'/><line x1='$left' y1='$Top' x2='$left' y2='$bottom' stroke='#333'/>")
    [void]$sb.AppendLine("<text x='$(($left + $right) / 2)' y='$($bottom + 36)' text-anchor='middle' font-size='12'>$XLabel</text>")
    [void]$sb.AppendLine("<text transform='translate($($X0 + 14) $($Top + $Height / 2)) rotate(-90)' text-anchor='middle' font-size='12'>$YLabel</text>")
    $legendY = $bottom + 56
    $legendX = $left
    foreach ($s in $Series) {
        $points = ($s.Points | ForEach-Object { '{0:F1},{1:F1}' -f (& $px $_[0]), (& $py $_[1]) }) -join ' '
        [void]$sb.AppendLine("<polyline points='$points' fill='none' stroke='$($s.Color)' stroke-width='2.5'/>")
        foreach ($p in $s.Points) {
            $cx = & $px $p[0]; $cy = & $py $p[1]
            [void]$sb.AppendLine("<circle cx='$cx' cy='$cy' r='4' fill='$($s.Color)'/><text x='$($cx + 7)' y='$($cy + 4)' font-size='10' fill='$($s.Color)'>$(Format-Seconds $p[1])</text>")
        }
        [void]$sb.AppendLine("<rect x='$legendX' y='$($legendY - 8)' width='14' height='4' fill='$($s.Color)'/><text x='$($legendX + 20)' y='$legendY' font-size='11'>$($s.Name)</text>")
        $legendY += 16
    }
    $sb.ToString()
}

$chartSvg = Join-Path $OutputFolder 'chart.svg'
$chartPng = Join-Path $OutputFolder 'chart.png'
$chartRendered = $false
if ($results.Contains('growthBySize') -and $results.Contains('growthByCount')) {
    $sizes = $results.growthBySize.sizes
    $counts = $results.growthByCount.counts
    $left = New-LineChart -X0 0 -Width 560 -Height 300 -Title 'Sync time against volume size (6.25% data)' -XLabel 'volume size (GiB, log scale)' -YLabel 'median, cold cache (log scale)' -XTicks @(1, 4, 16) -Series @(
        @{ Name = 'first round (writes all data, direct)'; Color = '#d62728'; Points = @($sizes | ForEach-Object { , @([double]$_.sizeGiB, [double]$_.initialSeconds) }) }
        @{ Name = 'incremental, 1% of blocks changed'; Color = '#1f77b4'; Points = @($sizes | ForEach-Object { , @([double]$_.sizeGiB, [double]$_.incrementalSeconds) }) }
        @{ Name = 'one read of the allocated data (baseline)'; Color = '#7f7f7f'; Points = @($sizes | ForEach-Object { , @([double]$_.sizeGiB, [double]$_.readAllocatedColdSeconds) }) }
        @{ Name = 'unchanged (nothing read), cold cache'; Color = '#2ca02c'; Points = @($sizes | ForEach-Object { , @([double]$_.sizeGiB, [double]$_.unchangedSeconds) }) }
    )
    $right = New-LineChart -X0 580 -Width 560 -Height 300 -Title 'Sync round time against volume count' -XLabel 'volumes in the round (log scale)' -YLabel 'median, warm cache (log scale)' -XTicks @(10, 100, 1000) -Series @(
        @{ Name = 'one 64 KiB block changed in each'; Color = '#9467bd'; Points = @($counts | ForEach-Object { , @([double]$_.volumes, [double]$_.oneBlockChangedSeconds) }) }
        @{ Name = 'all unchanged'; Color = '#2ca02c'; Points = @($counts | ForEach-Object { , @([double]$_.volumes, [double]$_.unchangedSeconds) }) }
    )
    $stamp = "Replication.PowerShell benchmark, $($startedAt.ToString('yyyy-MM-dd HH:mm')) UTC, $($machine.logicalCpus) vCPU, $($machine.fileSystem)"
    $svg = @"
<svg xmlns='http://www.w3.org/2000/svg' width='1140' height='500' viewBox='0 0 1140 500' font-family='DejaVu Sans, Arial, sans-serif'>
<rect width='1140' height='500' fill='white'/>
$left
$right
<text x='1130' y='492' text-anchor='end' font-size='10' fill='#777'>$stamp</text>
</svg>
"@
    Set-Content $chartSvg $svg -Encoding utf8
    $chromium = @('chromium', 'chromium-browser', 'google-chrome') | ForEach-Object { Get-Command $_ -ErrorAction Ignore } | Select-Object -First 1
    if ($chromium) {
        Remove-Item $chartPng -ErrorAction Ignore
        & $chromium.Source --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1140,500 "--screenshot=$chartPng" "file://$chartSvg" *> $null
        $chartRendered = Test-Path $chartPng
    }
    if (-not $chartRendered) { $notes.Add('chromium was not available to render chart.svg to PNG; the SVG is the chart.') }
}

# The fleet chart: each pipeline's time against fleet size, both axes logarithmic (a slope of 1 is linear growth).
$fleetSvg = Join-Path $OutputFolder 'fleet-chart.svg'
$fleetPng = Join-Path $OutputFolder 'fleet-chart.png'
$fleetRendered = $false
if ($results.Contains('fleet') -and @($results.fleet.sizes).Count -ge 2) {
    $fleetRows = @($results.fleet.sizes)
    $colors = @('#7f7f7f', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#d62728')
    $keys = @($fleetRows[0].pipelines.Keys)
    $series = for ($k = 0; $k -lt $keys.Count; $k++) {
        $key = $keys[$k]
        @{ Name = $fleetRows[0].pipelines[$key].pipeline; Color = $colors[$k % $colors.Count]; Points = @($fleetRows | ForEach-Object { , @([double]$_.volumes, [double]$_.pipelines[$key].medianSeconds) }) }
    }
    $chart = New-LineChart -X0 0 -Width 760 -Height 300 -Title 'Pipelines over a fleet: time against fleet size' -XLabel 'volumes (log scale)' -YLabel 'median, warm cache (log scale)' -XTicks @($fleetRows | ForEach-Object { [double]$_.volumes }) -Series $series
    $stamp = "Replication.PowerShell benchmark, $($startedAt.ToString('yyyy-MM-dd HH:mm')) UTC, $($machine.logicalCpus) vCPU"
    Set-Content $fleetSvg @"
<svg xmlns='http://www.w3.org/2000/svg' width='760' height='520' viewBox='0 0 760 520' font-family='DejaVu Sans, Arial, sans-serif'>
<rect width='760' height='520' fill='white'/>
$chart
<text x='750' y='512' text-anchor='end' font-size='10' fill='#777'>$stamp</text>
</svg>
"@ -Encoding utf8
    $chromium = @('chromium', 'chromium-browser', 'google-chrome') | ForEach-Object { Get-Command $_ -ErrorAction Ignore } | Select-Object -First 1
    if ($chromium) {
        Remove-Item $fleetPng -ErrorAction Ignore
        & $chromium.Source --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=760,520 "--screenshot=$fleetPng" "file://$fleetSvg" *> $null
        $fleetRendered = Test-Path $fleetPng
    }
}

$report = [ordered]@{
    startedAt    = $startedAt.ToString('o')
    totalSeconds = [Math]::Round($totalSeconds, 1)
    waitedForQuietSeconds = $waitedSeconds
    phaseSeconds = $phaseSeconds
    phaseLoadAverage = $phaseLoad
    phaseFailures = $phaseFailures
    machine      = $machine
    repetitions  = $Repetitions
    notes        = @($notes)
    targets      = @($targets | ForEach-Object { [ordered]@{ id = $_.Id; what = $_.What; target = $_.Target; measured = $_.Measured; met = $_.Met; note = $_.Note } })
    results      = $results
}
$report | ConvertTo-Json -Depth 12 | Set-Content (Join-Path $OutputFolder 'results.json') -Encoding utf8

$md = [Text.StringBuilder]::new()
[void]$md.AppendLine('# Benchmark results')
[void]$md.AppendLine()
[void]$md.AppendLine("Run $($startedAt.ToString('yyyy-MM-dd HH:mm')) UTC on $($machine.cpu), $($machine.logicalCpus) vCPU, $($machine.memoryGiB) GiB, $($machine.os), kernel $($machine.kernel), $($machine.fileSystem) on $($machine.device); .NET $($machine.dotnet), PowerShell $($machine.pwsh). Total run time $([Math]::Round($totalSeconds)) s; medians of $Repetitions repetitions unless stated. Produced by ``bench/Invoke-Benchmarks.ps1``; raw figures in ``results.json``.")
[void]$md.AppendLine()
foreach ($n in $notes) { [void]$md.AppendLine("- $n") }
[void]$md.AppendLine()
[void]$md.AppendLine('| # | what | target | measured | met? |')
[void]$md.AppendLine('|---|---|---|---|---|')
foreach ($t in $targets) {
    $what = $(if ($t.Note) { "$($t.What) ($($t.Note))" } else { $t.What }) -replace '\|', '\|'
    [void]$md.AppendLine("| $($t.Id) | $what | $($t.Target) | $($t.Measured) | $(Get-MetText $t.Met) |")
}
[void]$md.AppendLine()
if (Test-Path $chartSvg) {
    [void]$md.AppendLine("![sync time against volume size and volume count]($(if ($chartRendered) { 'chart.png' } else { 'chart.svg' }))")
    [void]$md.AppendLine()
}
if ($results.Contains('initial')) {
    $i = $results.initial.medianSeconds
    [void]$md.AppendLine('## 1. Initial sync, 1 GiB (512 MiB data, 512 MiB holes)')
    [void]$md.AppendLine()
    [void]$md.AppendLine('| | median | module / this |')
    [void]$md.AppendLine('|---|---|---|')
    [void]$md.AppendLine("| module, first round (direct: the replica held only the empty creation round) | $(Format-Seconds $i.module) | |")
    [void]$md.AppendLine("| module, copying round (Enable-Replication, direct) | $(Format-Seconds $i.copyingRound) | |")
    foreach ($k in 'cp', 'cpFsync', 'rsync', 'rsyncFsync') {
        $label = @{ cp = 'cp --sparse=always'; cpFsync = 'cp --sparse=always + fsync'; rsync = 'rsync --sparse'; rsyncFsync = 'rsync --sparse + fsync' }[$k]
        [void]$md.AppendLine("| $label | $(Format-Seconds $i[$k]) | $(Format-Ratio ($i.module / $i[$k])) |")
    }
    [void]$md.AppendLine()
    [void]$md.AppendLine("Module round: read $('{0:N0}' -f $results.initial.moduleBytesRead) bytes, wrote $('{0:N0}' -f $results.initial.moduleBytesWritten) bytes; replica allocated $('{0:N0}' -f $results.initial.replicaAllocatedBytes) bytes (holes kept); replica byte-identical: $($results.initial.replicaVerified); copying round identical: $($results.initial.copyingRoundVerified).")
    [void]$md.AppendLine()
}
if ($results.Contains('incremental')) {
    $i = $results.incremental.medianSeconds
    [void]$md.AppendLine("## 2. Incremental sync, 1% of the blocks changed ($($results.incremental.blocksChanged) blocks)")
    [void]$md.AppendLine()
    [void]$md.AppendLine('| | median | module / this |')
    [void]$md.AppendLine('|---|---|---|')
    [void]$md.AppendLine("| module (journaled round) | $(Format-Seconds $i.module) | |")
    [void]$md.AppendLine("| rsync --inplace --no-whole-file | $(Format-Seconds $i.rsync) | $(Format-Ratio ($i.module / $i.rsync)) |")
    [void]$md.AppendLine("| dd if=volume of=/dev/null bs=1M (1 GiB, holes too) | $(Format-Seconds $i.ddFullFile) | $(Format-Ratio ($i.module / $i.ddFullFile)) |")
    [void]$md.AppendLine("| read of the allocated extents only | $(Format-Seconds $i.readAllocatedOnly) | $(Format-Ratio ($i.module / $i.readAllocatedOnly)) |")
    $w = $results.incremental.warmCache
    [void]$md.AppendLine("| warm cache: module / read of the allocated extents | $(Format-Seconds $w.moduleSeconds) / $(Format-Seconds $w.readAllocatedSeconds) | $(Format-Ratio ($w.moduleSeconds / $w.readAllocatedSeconds)) |")
    [void]$md.AppendLine()
    [void]$md.AppendLine("Module BytesRead per round: $(($results.incremental.moduleBytesRead | ForEach-Object { '{0:N0}' -f $_ }) -join ', ') (allocated: $(($results.incremental.allocatedBytes | ForEach-Object { '{0:N0}' -f $_ }) -join ', ')); blocks written: $($results.incremental.moduleBlocksWritten -join ', '); dd reads $('{0:N0}' -f $GiB). rsync literal data: $(($results.incremental.rsyncLiteralBytes | ForEach-Object { '{0:N0}' -f $_ }) -join ', '). Replica identical to the primary: $($results.incremental.replicaVerified); rsync's copy identical: $($results.incremental.rsyncCopyVerified).")
    [void]$md.AppendLine()
}
if ($results.Contains('layouts')) {
    [void]$md.AppendLine('## 2b. Layouts: 512 MiB volumes, first and 1% incremental rounds')
    [void]$md.AppendLine()
    [void]$md.AppendLine('| layout | allocated | first round / cp + fsync | 1% incremental / one read, cold | warm | replicas identical |')
    [void]$md.AppendLine('|---|---|---|---|---|---|')
    foreach ($l in $results.layouts.layouts) {
        $x = $l.medianSeconds
        [void]$md.AppendLine("| $($l.what) | $('{0:N0} MiB' -f ($l.allocatedBytes / $MiB)) | $(Format-Seconds $x.first) / $(Format-Seconds $x.cpFsync) ($(Format-Ratio $l.ratios.firstVsCpFsync)) | $(Format-Seconds $x.incrementalCold) / $(Format-Seconds $x.readAllocatedCold) ($(Format-Ratio $l.ratios.incrementalColdVsRead)) | $(Format-Seconds $x.incrementalWarm) / $(Format-Seconds $x.readAllocatedWarm) ($(Format-Ratio $l.ratios.incrementalWarmVsRead)) | $($l.replicasVerified) |")
    }
    [void]$md.AppendLine()
    [void]$md.AppendLine($results.layouts.what)
    [void]$md.AppendLine()
}
if ($results.Contains('growthBySize')) {
    [void]$md.AppendLine('## 3, 5, 6. By volume size (6.25% data: a 4 MiB run every 64 MiB)')
    [void]$md.AppendLine()
    [void]$md.AppendLine('| size | first round | its peak RSS (process peak) | unchanged, cold (warm) | incremental 1% | incremental BytesRead | one read of the allocated data |')
    [void]$md.AppendLine('|---|---|---|---|---|---|---|')
    foreach ($s in $results.growthBySize.sizes) {
        [void]$md.AppendLine("| $($s.sizeGiB) GiB | $(Format-Seconds $s.initialSeconds) | $($s.roundPeakRssMiB) MiB ($($s.processPeakRssMiB) MiB) | $(Format-Seconds $s.unchangedSeconds) ($(Format-Seconds $s.unchangedWarmSeconds)), $($s.unchangedModes) | $(Format-Seconds $s.incrementalSeconds) | $('{0:N0}' -f $s.incrementalBytesRead) | $(Format-Seconds $s.readAllocatedColdSeconds) |")
    }
    [void]$md.AppendLine()
}
if ($results.Contains('growthByCount')) {
    [void]$md.AppendLine('## 4, 5. By volume count, and the control plane')
    [void]$md.AppendLine()
    [void]$md.AppendLine('| volumes | unchanged round | per volume | one block changed in each | per volume |')
    [void]$md.AppendLine('|---|---|---|---|---|')
    foreach ($c in $results.growthByCount.counts) {
        [void]$md.AppendLine("| $($c.volumes) | $(Format-Seconds $c.unchangedSeconds) | $('{0:N2} ms' -f ($c.unchangedSeconds * 1000 / $c.volumes)) | $(Format-Seconds $c.oneBlockChangedSeconds) | $('{0:N1} ms' -f ($c.oneBlockChangedSeconds * 1000 / $c.volumes)) |")
    }
    [void]$md.AppendLine()
    [void]$md.AppendLine("First round over 1,000 new volumes: $(Format-Seconds $results.growthByCount.firstRoundOver1000NewVolumesSeconds) ($($results.growthByCount.firstRoundModes)).")
    [void]$md.AppendLine()
}
if ($results.Contains('controlPlane')) {
    $cp = $results.controlPlane
    [void]$md.AppendLine("New-Volume x1,000: replicated $('{0:N0}' -f $cp.newVolume1000.replicatedPerSecond)/s, plain $('{0:N0}' -f $cp.newVolume1000.plainPerSecond)/s; state file after 2,000 volumes $('{0:N0}' -f ($cp.newVolume1000.stateFileBytesAfter2000 / 1MB)) MiB. Listings over 10,000 volumes: Get-Volume $(Format-Seconds $cp.listing10000['Get-Volume'].medianSeconds) (Format-Table | Out-String $(Format-Seconds $cp.listing10000['Get-Volume'].formatTableSeconds)), Get-VolumeReplica $(Format-Seconds $cp.listing10000['Get-VolumeReplica'].medianSeconds) (Format-Table | Out-String $(Format-Seconds $cp.listing10000['Get-VolumeReplica'].formatTableSeconds)).")
    [void]$md.AppendLine()
}
if ($results.Contains('fleet')) {
    [void]$md.AppendLine('## 8. Fleet: pipelines against fleet size')
    [void]$md.AppendLine()
    $fleetRows = @($results.fleet.sizes)
    [void]$md.AppendLine("| pipeline | $(($fleetRows | ForEach-Object { '{0:N0} volumes' -f $_.volumes }) -join ' | ') |")
    [void]$md.AppendLine("|---|$(($fleetRows | ForEach-Object { '---' }) -join '|')|")
    foreach ($key in @($fleetRows[0].pipelines.Keys)) {
        $cells = $fleetRows | ForEach-Object { $t = $_.pipelines[$key]; "{0} ({1:N0} us/volume){2}" -f (Format-Seconds $t.medianSeconds), $t.perObjectMicroseconds, $(if ($t.Contains('modes')) { ", $($t.modes)" } else { '' }) }
        [void]$md.AppendLine("| $($fleetRows[0].pipelines[$key].pipeline -replace '\|', '\|') | $($cells -join ' | ') |")
    }
    [void]$md.AppendLine("| New-Volume (the volumes added to reach the size) | $(($fleetRows | ForEach-Object { '{0:N0}/s' -f $_.newVolumePerSecond }) -join ' | ') |")
    [void]$md.AppendLine("| first sync round over the new volumes | $(($fleetRows | ForEach-Object { Format-Seconds $_.firstRoundSeconds }) -join ' | ') |")
    [void]$md.AppendLine("| state file (with its WAL) | $(($fleetRows | ForEach-Object { '{0:N1} MiB' -f ($_.stateFileBytes / $MiB) }) -join ' | ') |")
    $changedPhases = $fleetRows | ForEach-Object {
        $t = $_.pipelines['syncChanged']
        if ($t -and $t.phaseMillisecondsPerVolume) { ($t.phaseMillisecondsPerVolume.GetEnumerator() | ForEach-Object { '{0} {1:N2}' -f $_.Key, $_.Value }) -join ', ' } else { '-' }
    }
    [void]$md.AppendLine("| a changed round's phases, ms per volume | $($changedPhases -join ' | ') |")
    [void]$md.AppendLine()
    [void]$md.AppendLine($results.fleet.what)
    [void]$md.AppendLine()
    if (Test-Path $fleetSvg) {
        [void]$md.AppendLine("![pipeline time against fleet size]($(if ($fleetRendered) { 'fleet-chart.png' } else { 'fleet-chart.svg' }))")
        [void]$md.AppendLine()
    }
}
if ($results.Contains('startup')) {
    $s = $results.startup
    [void]$md.AppendLine("Start-up ($($s.tool)): bare pwsh $(Format-Seconds $s.bare.median), + Import-Module $(Format-Seconds $s.import.median) ($(Format-Ratio $s.importRatio)), + first command $(Format-Seconds $s.firstCommand.median) ($(Format-Ratio $s.firstCommandRatio)). pwsh runs as ``dotnet <PSHOME>/pwsh.dll``, without the local-tool lookup of ``dotnet pwsh``. Resident set: bare pwsh $($s.residentMiB.bare.rss) MiB, with the module imported $($s.residentMiB.import.rss) MiB, after a first command $($s.residentMiB.firstCommand.rss) MiB.")
    [void]$md.AppendLine()
}
if ($results.Contains('export')) {
    $e = $results.export
    [void]$md.AppendLine("## 7. NBD export: tracked sync, sync and async writes")
    [void]$md.AppendLine()
    [void]$md.AppendLine("Incremental sync of a 1 GiB volume after 1% of its blocks ($($e.blocksWritten)) were written through the export: the round ($($e.roundModes)) read $(($e.roundBytesRead | ForEach-Object { '{0:N0}' -f $_ }) -join ', ') bytes, $('{0:N4}' -f $e.readRatio)x one full read of the volume (target 0.05x); median round $(Format-Seconds $e.medianRoundSeconds) against $(Format-Seconds $e.ddFullFileSeconds) for dd of the file. Replica identical: $($e.replicaVerified); synchronous replica identical after the write benchmarks: $($e.mirroredReplicaVerified).")
    [void]$md.AppendLine()
    [void]$md.AppendLine('| writes (qemu-img bench) | volume file directly | async export (tracked) | sync export (mirrored) |')
    [void]$md.AppendLine('|---|---|---|---|')
    [void]$md.AppendLine("| 4 KiB, depth 1: latency | $(Format-Microseconds $e.writes.direct.latencySeconds4KiB) | $(Format-Microseconds $e.writes.async.latencySeconds4KiB) | $(Format-Microseconds $e.writes.sync.latencySeconds4KiB) |")
    [void]$md.AppendLine("| 1 MiB, depth 4: throughput | $('{0:N0} MiB/s' -f ($e.writes.direct.throughputBytesPerSecond1MiB / $MiB)) | $('{0:N0} MiB/s' -f ($e.writes.async.throughputBytesPerSecond1MiB / $MiB)) | $('{0:N0} MiB/s' -f ($e.writes.sync.throughputBytesPerSecond1MiB / $MiB)) |")
    [void]$md.AppendLine()
    [void]$md.AppendLine('Direct writes go to the page cache of the file; export writes cross a loopback TCP connection, and each first write to a 64 KiB block since the last round waits for the dirty bitmap to reach the disk (fsync).')
    [void]$md.AppendLine()
}
if ($results.Contains('micro')) {
    [void]$md.AppendLine('## Micro-benchmarks (BenchmarkDotNet 0.15.8, in-process, 4 warm-up + 12 iterations of 200 ms)')
    [void]$md.AppendLine()
    [void]$md.AppendLine('| benchmark | median | allocated/op | throughput |')
    [void]$md.AppendLine('|---|---|---|---|')
    foreach ($b in $results.micro) {
        $median = if ($b.medianNs -ge 1e6) { '{0:N2} ms' -f ($b.medianNs / 1e6) } elseif ($b.medianNs -ge 1e3) { '{0:N2} us' -f ($b.medianNs / 1e3) } else { '{0:N0} ns' -f $b.medianNs }
        $tp = if ($b.throughputMBps) { '{0:N1} GB/s' -f ($b.throughputMBps / 1000) } else { '' }
        [void]$md.AppendLine("| $($b.description) $($b.parameters) | $median | $('{0:N0} B' -f $b.allocatedBytesPerOp) | $tp |")
    }
    [void]$md.AppendLine()
}
[void]$md.AppendLine("Phase times: $(($phaseSeconds.GetEnumerator() | ForEach-Object { "$($_.Key): $($_.Value) s" }) -join '; ').")
Set-Content (Join-Path $OutputFolder 'results.md') $md.ToString() -Encoding utf8

Write-Host ("Results: {0} (results.json, results.md, chart.{1}); run took {2:N0} s." -f $OutputFolder, $(if ($chartRendered) { 'png + chart.svg' } else { 'svg' }), $totalSeconds)
# Missed targets are results, not failures; a part that could not run is a failure.
if ($phaseFailures.Count -gt 0) { exit 1 }

#endregion
