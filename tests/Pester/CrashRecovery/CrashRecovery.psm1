# The kill test's machinery (issue 6): child pwsh processes that SIGKILL themselves at a crash point (or are killed
# from outside at a random moment), per-64 KiB block hashes of volume files, and the invariants every recovery must
# leave: the state tells the truth, nothing is lost, no orphaned files. Nothing here touches a dead process's lease:
# the engine must see by itself that its holder is gone (a lease of a dead process of this host lapses at once).
# Needs the Replication.PowerShell module and TestHelpers.psm1 imported by the test file.

Set-StrictMode -Version 3.0

$script:BlockSize = 64KB
$script:ChildScript = Join-Path $PSScriptRoot 'Invoke-CrashChild.ps1'
$script:ChildModulePath = $env:REPLICATION_MODULE_PATH
$script:ChildModuleRoot = $null
$script:GoFolder = [IO.Path]::GetTempPath()
$script:Plan = @()
$script:PlanIndex = 0
$script:Warm = $null
$script:KilledExitCode = 137   # 128 + SIGKILL, as .NET reports a process killed by a signal
$script:Figures = @{ Points = [Collections.Generic.SortedSet[string]]::new(); Kills = 0; Recoveries = 0; Cases = 0; RandomKills = 0; RandomRuns = 0; RandomRecoveries = 0; ChildSeconds = 0.0 }

function Get-CrashFigures { $script:Figures }

function Initialize-CrashChildModule {
    <#
    .SYNOPSIS
        Copies the built module the test imported to a private folder for the children, so a rebuild of out/module
        while the test runs cannot break them, and every child runs the same bits as this process.
    #>
    param([Parameter(Mandatory)] [string] $ModulePath)
    $source = Split-Path -Parent $ModulePath
    $script:ChildModuleRoot = Join-Path ([IO.Path]::GetTempPath()) ("rp-crash-module-" + [guid]::NewGuid().ToString('N'))
    $target = Join-Path $script:ChildModuleRoot (Split-Path -Leaf $source)
    New-Item -ItemType Directory -Path $script:ChildModuleRoot | Out-Null
    Copy-Item -LiteralPath $source -Destination $target -Recurse
    $script:ChildModulePath = Join-Path $target (Split-Path -Leaf $ModulePath)
    $script:GoFolder = $script:ChildModuleRoot
}

function Remove-CrashChildModule {
    Stop-CrashPlan
    if ($script:ChildModuleRoot -and (Test-Path -LiteralPath $script:ChildModuleRoot)) { Remove-Item -LiteralPath $script:ChildModuleRoot -Recurse -Force }
}

function Get-CrashPointsInSource {
    <# Every point the engine's sources name in CrashPoints.Hit("..."): the list the kill test must cover. #>
    param([Parameter(Mandatory)] [string] $SourceRoot)
    @(Get-ChildItem -Path $SourceRoot -Recurse -Filter *.cs | Where-Object FullName -NotMatch '[\\/](bin|obj)[\\/]' |
            Select-String -Pattern 'CrashPoints\.Hit\("([^"]+)"\)' -AllMatches |
            ForEach-Object { $_.Matches } | ForEach-Object { $_.Groups[1].Value }) | Sort-Object -Unique
}

# ---------------------------------------------------------------------------------------------------------- children

function Start-CrashChild {
    <#
    .SYNOPSIS
        Starts a child pwsh that imports the module and waits for Send-CrashGo. -CrashAt arms crash points in the
        child only (never in this process, whose engine would kill the test run).
    #>
    param([string] $CrashAt)
    $hostCommand = Get-PwshCommand   # TestHelpers: this pwsh, or dotnet + pwsh.dll
    $goFile = Join-Path $script:GoFolder ("go-" + [guid]::NewGuid().ToString('N') + '.json')
    $start = [Diagnostics.ProcessStartInfo]::new($hostCommand.File)
    $arguments = @($hostCommand.Prefix) + @('-NoProfile', '-NonInteractive', '-File', $script:ChildScript, '-ModulePath', $script:ChildModulePath, '-GoFile', $goFile)
    foreach ($argument in $arguments) { $start.ArgumentList.Add($argument) }
    $start.UseShellExecute = $false
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.Environment.Remove('REPLICATION_POWERSHELL_CRASH_AT') | Out-Null
    if ($CrashAt) { $start.Environment['REPLICATION_POWERSHELL_CRASH_AT'] = $CrashAt }
    $process = [Diagnostics.Process]::Start($start)
    [pscustomobject]@{
        Process   = $process
        Stdout    = $process.StandardOutput.ReadToEndAsync()
        Stderr    = $process.StandardError.ReadToEndAsync()
        CrashAt   = $CrashAt
        GoFile    = $goFile
        Operation = $null
        Clock     = $null
    }
}

function Send-CrashGo {
    <# Tells a started child which state file and operation to run (and where to say it starts); returns the child. #>
    param([Parameter(Mandatory)] $Child, [Parameter(Mandatory)] $Site, [Parameter(Mandatory)] [string] $Operation, [string] $ReadyFile)
    $Child.Operation = $Operation
    $Child.Clock = [Diagnostics.Stopwatch]::StartNew()
    $temporary = "$($Child.GoFile).tmp"
    [IO.File]::WriteAllText($temporary, (@{ State = $Site.State; Operation = $Operation; ReadyFile = $ReadyFile } | ConvertTo-Json -Compress))
    [IO.File]::Move($temporary, $Child.GoFile)
    $Child
}

function Wait-CrashChild {
    param([Parameter(Mandatory)] $Child, [int] $TimeoutSeconds = 90)
    if (-not $Child.Process.WaitForExit($TimeoutSeconds * 1000)) {
        $Child.Process.Kill($true)
        $Child.Process.WaitForExit()
        throw "The child running '$($Child.Operation)' did not end within $TimeoutSeconds s."
    }
    $Child.Process.WaitForExit()
    $stdout = $Child.Stdout.GetAwaiter().GetResult()
    $stderr = $Child.Stderr.GetAwaiter().GetResult()
    $exitCode = $Child.Process.ExitCode
    $Child.Process.Dispose()
    Remove-Item -LiteralPath $Child.GoFile -ErrorAction SilentlyContinue
    [pscustomobject]@{
        ExitCode  = $exitCode
        Killed    = $exitCode -eq $script:KilledExitCode
        Completed = $stdout -match 'CRASH-CHILD-DONE'
        Stdout    = $stdout
        Stderr    = $stderr.Trim()
        Seconds   = if ($Child.Clock) { $Child.Clock.Elapsed.TotalSeconds } else { 0 }
    }
}

function Stop-CrashChild {
    <# Ends a started child that will not be used (only this test's own child, by its process). #>
    param($Child)
    if ($Child -and -not $Child.Process.HasExited) { $Child.Process.Kill(); $Child.Process.WaitForExit() }
    if ($Child) { Remove-Item -LiteralPath $Child.GoFile -ErrorAction SilentlyContinue }
}

function Register-CrashPlan {
    <#
    .SYNOPSIS
        The crash points the cases will arm, in order: Invoke-CrashChild then keeps the child for the next one started
        ahead (its module import overlaps the current case). Without a plan, or off it, children start on demand.
    #>
    param([string[]] $Points)
    $script:Plan = @($Points)
    $script:PlanIndex = 0
    Stop-CrashChild $script:Warm
    $script:Warm = if ($script:Plan.Count -gt 0) { Start-CrashChild -CrashAt $script:Plan[0] } else { $null }
}

function Stop-CrashPlan { Stop-CrashChild $script:Warm; $script:Warm = $null; $script:Plan = @() }

function Invoke-CrashChild {
    <#
    .SYNOPSIS
        Runs one operation in a child pwsh armed to SIGKILL itself at -CrashAt, and throws unless it died by that kill
        (a non-zero exit by SIGKILL, not an error exit, and the operation did not report completion).
    #>
    param([Parameter(Mandatory)] $Site, [Parameter(Mandatory)] [string] $Operation, [Parameter(Mandatory)] [string] $CrashAt)
    if ($script:Warm -and $script:Warm.CrashAt -eq $CrashAt -and -not $script:Warm.Process.HasExited) {
        $child = $script:Warm
    }
    else {
        Stop-CrashChild $script:Warm
        $child = Start-CrashChild -CrashAt $CrashAt
    }
    $script:Warm = $null
    Send-CrashGo -Child $child -Site $Site -Operation $Operation | Out-Null
    # Back on the plan (a case that failed before its kill skipped steps), then start the next step's child now.
    $position = if ($script:PlanIndex -lt $script:Plan.Count) { [Array]::IndexOf([string[]]$script:Plan, $CrashAt, $script:PlanIndex) } else { -1 }
    if ($position -ge 0) {
        $script:PlanIndex = $position + 1
        if ($script:PlanIndex -lt $script:Plan.Count) { $script:Warm = Start-CrashChild -CrashAt $script:Plan[$script:PlanIndex] }
    }
    $result = Wait-CrashChild $child
    $script:Figures.ChildSeconds += $result.Seconds
    if (-not $result.Killed -or $result.Completed) {
        throw "'$Operation' with REPLICATION_POWERSHELL_CRASH_AT=$CrashAt was not killed there: exit code $($result.ExitCode), completed: $($result.Completed). $($result.Stderr)"
    }
    $script:Figures.Kills++
    [void]$script:Figures.Points.Add($CrashAt)
    $result
}

# ---------------------------------------------------------------------------------------------------------- state file

function Invoke-CrashStateQuery {
    <# Raw rows of the site's state file, read-only. #>
    param([Parameter(Mandatory)] $Site, [Parameter(Mandatory)] [string] $Sql)
    Invoke-TestStateQuery -StatePath $Site.State -Sql $Sql
}

function Get-CrashVolumeRow {
    <# The volume's row with the full paths of its copies, or nothing when there is no row. #>
    param([Parameter(Mandatory)] $Site, [Parameter(Mandatory)] [string] $Name)
    Get-CrashVolumeRows -Site $Site | Where-Object Name -EQ $Name
}

function Get-CrashVolumeRows {
    param([Parameter(Mandatory)] $Site)
    $backends = @{}
    foreach ($b in Invoke-CrashStateQuery -Site $Site -Sql 'SELECT name, path FROM backends') { $backends[$b.name.ToLowerInvariant()] = [IO.Path]::GetFullPath($b.path) }
    foreach ($v in Invoke-CrashStateQuery -Site $Site -Sql 'SELECT id, name, size_bytes, status, backend, location, replication_status, replica_backend, replica_location, replica_fenced, sync_generation FROM volumes') {
        [pscustomobject]@{
            Id                = $v.id
            Name              = $v.name
            SizeBytes         = [long]$v.size_bytes
            Status            = $v.status
            Backend           = $v.backend
            PrimaryPath       = Join-Path $backends[$v.backend.ToLowerInvariant()] $v.location
            ReplicationStatus = $v.replication_status
            ReplicaBackend    = $v.replica_backend
            ReplicaPath       = if ($v.replica_backend) { Join-Path $backends[$v.replica_backend.ToLowerInvariant()] $v.replica_location } else { $null }
            JournalPath       = if ($v.replica_backend) { Join-Path $backends[$v.replica_backend.ToLowerInvariant()] ".replication/volume-$($v.id).sync-journal" } else { $null }
            ReplicaFenced     = [long]$v.replica_fenced -ne 0
            SyncGeneration    = [long]$v.sync_generation
        }
    }
}

# ---------------------------------------------------------------------------------------------------------- bytes

function Get-BlockHashes {
    <# SHA-256 of every 64 KiB block of a file (holes read as zeros), as hex strings. #>
    param([Parameter(Mandatory)] [string] $Path)
    $stream = [IO.File]::Open($Path, 'Open', 'Read', 'ReadWrite')
    try {
        $count = [int][Math]::Ceiling($stream.Length / $script:BlockSize)
        $hashes = [string[]]::new($count)
        $buffer = [byte[]]::new($script:BlockSize)
        $sha = [Security.Cryptography.SHA256]::Create()
        for ($i = 0; $i -lt $count; $i++) {
            $read = 0
            while ($read -lt $buffer.Length) {
                $n = $stream.Read($buffer, $read, $buffer.Length - $read)
                if ($n -eq 0) { break }
                $read += $n
            }
            $hashes[$i] = [Convert]::ToHexString($sha.ComputeHash($buffer, 0, $read))
        }
        $sha.Dispose()
        , $hashes
    }
    finally { $stream.Dispose() }
}

function Compare-BlockHashes {
    <#
    .SYNOPSIS
        Which of the labelled versions a file's blocks all come from. Returns the label, or $null and a description
        of the mix (how many blocks match each version, how many match none).
    #>
    param([Parameter(Mandatory)] [string[]] $Actual, [Parameter(Mandatory)] [System.Collections.IDictionary] $Versions)
    foreach ($label in $Versions.Keys) {
        $expected = [string[]]$Versions[$label]
        if ($expected.Length -eq $Actual.Length -and [Linq.Enumerable]::SequenceEqual($expected, $Actual)) { return [pscustomobject]@{ Label = $label; Detail = "all $($Actual.Length) blocks of $label" } }
    }
    $parts = foreach ($label in $Versions.Keys) {
        $expected = [string[]]$Versions[$label]
        $same = 0
        for ($i = 0; $i -lt [Math]::Min($expected.Length, $Actual.Length); $i++) { if ($expected[$i] -eq $Actual[$i]) { $same++ } }
        "$same of $($Actual.Length) blocks equal $label"
    }
    $none = 0
    for ($i = 0; $i -lt $Actual.Length; $i++) {
        $any = $false
        foreach ($label in $Versions.Keys) { $e = [string[]]$Versions[$label]; if ($i -lt $e.Length -and $e[$i] -eq $Actual[$i]) { $any = $true; break } }
        if (-not $any) { $none++ }
    }
    [pscustomobject]@{ Label = $null; Detail = "a mix: $($parts -join ', '); $none blocks equal none of them" }
}

function Write-ScatteredData {
    <#
    .SYNOPSIS
        Writes seeded random chunks at scattered offsets (some not block-aligned) into a volume file with plain file
        I/O, as a program using the volume would.
    #>
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [int] $Seed, [int] $Chunks = 12, [int] $ChunkBytes = 256KB)
    $random = [Random]::new($Seed)
    $buffer = [byte[]]::new($ChunkBytes)
    $stream = [IO.File]::Open($Path, 'Open', 'ReadWrite', 'ReadWrite')
    try {
        $length = $stream.Length
        for ($i = 0; $i -lt $Chunks; $i++) {
            $random.NextBytes($buffer)
            $offset = $random.NextInt64(0, $length - $ChunkBytes)
            if ($i % 2 -eq 0) { $offset -= $offset % $script:BlockSize }
            $stream.Position = $offset
            $stream.Write($buffer, 0, $buffer.Length)
        }
        $stream.Flush($true)
    }
    finally { $stream.Dispose() }
}

# ---------------------------------------------------------------------------------------------------------- scenarios

function New-CrashContext {
    <# A fresh site (own temp folder and state file, dc1/dc2 paired, types 'replicated' and 'plain') and its record. #>
    $site = New-ReplicationStory
    @{
        Site     = $site
        Problems = [Collections.Generic.List[string]]::new()
        # name -> label -> block hashes of the primary as it was at some moment
        Versions = @{}
        # name -> recorded round (sync generation) -> label of the version the replica must then hold
        Rounds   = @{}
        # names whose replica must equal the current primary when replication is active (nothing written since)
        SameAsPrimary = [Collections.Generic.HashSet[string]]::new([StringComparer]::OrdinalIgnoreCase)
        # name -> the row before an operation, for checks after the volume is gone
        Rows     = @{}
        # names that must not exist at the end
        Gone     = [Collections.Generic.HashSet[string]]::new([StringComparer]::OrdinalIgnoreCase)
    }
}

function Add-CrashProblem {
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $Problem)
    $Context.Problems.Add($Problem)
}

function Invoke-CrashStrict {
    <# Runs a scenario block with $ErrorActionPreference = 'Stop' in its own scope, so any error ends it. #>
    param([Parameter(Mandatory)] [scriptblock] $Block, [Parameter(Mandatory)] [hashtable] $Context)
    try {
        $Block.InvokeWithContext(@{}, [Collections.Generic.List[psvariable]]@([psvariable]::new('ErrorActionPreference', 'Stop')), @($Context))
    }
    catch [System.Management.Automation.MethodInvocationException] {
        if ($_.Exception.InnerException) { throw $_.Exception.InnerException }
        throw
    }
}

function Invoke-RecoveryStep {
    <# One recovery step a user would take; a failure is recorded as a problem (the next checks still run). Returns $true when it succeeded. #>
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $What, [Parameter(Mandatory)] [scriptblock] $Step)
    try {
        Invoke-CrashStrict -Block $Step -Context $Context | Out-Null
        $true
    }
    catch {
        $id = if ($_.Exception -is [Management.Automation.IContainsErrorRecord]) { $_.Exception.ErrorRecord.FullyQualifiedErrorId } else { $_.FullyQualifiedErrorId }
        Add-CrashProblem $Context "recovery step '$What' failed: $id`: $($_.Exception.Message)"
        $false
    }
}

function New-CrashVolume {
    <#
    .SYNOPSIS
        A replicated 16 MiB volume with a few MiB of seeded random data at scattered offsets, synced: replication
        active, the replica holding version V0 at the recorded round.
    #>
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $Name, [int] $Seed = 1, [long] $SizeBytes = 16MB)
    New-Volume -Name $Name -SizeBytes $SizeBytes -VolumeType replicated -ErrorAction Stop | Out-Null
    $row = Get-CrashVolumeRow -Site $Context.Site -Name $Name
    Write-ScatteredData -Path $row.PrimaryPath -Seed $Seed
    Sync-VolumeReplica -Name $Name -ErrorAction Stop | Out-Null
    $row = Get-CrashVolumeRow -Site $Context.Site -Name $Name
    $Context.Versions[$Name] = [ordered]@{ V0 = Get-BlockHashes $row.PrimaryPath }
    $Context.Rounds[$Name] = @{ $row.SyncGeneration = 'V0' }
    $Context.Rows[$Name] = $row
    $row
}

function Write-CrashVersion {
    <#
    .SYNOPSIS
        Writes more data to the volume's primary and remembers the result as version -Label; -Round says which
        recorded round would hold it (default: the round after the one recorded now).
    #>
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $Label, [int] $Seed = 2, [long] $Round = -1, [int] $Chunks = 12)
    $row = Get-CrashVolumeRow -Site $Context.Site -Name $Name
    Write-ScatteredData -Path $row.PrimaryPath -Seed $Seed -Chunks $Chunks
    if (-not $Context.Versions.Contains($Name)) { $Context.Versions[$Name] = [ordered]@{} }
    $Context.Versions[$Name][$Label] = Get-BlockHashes $row.PrimaryPath
    if (-not $Context.Rounds.Contains($Name)) { $Context.Rounds[$Name] = @{} }
    $Context.Rounds[$Name][$(if ($Round -ge 0) { $Round } else { $row.SyncGeneration + 1 })] = $Label
}

function Test-CrashCopy {
    <# Records a problem unless the file's blocks are all of version -Label of the volume. #>
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $Label, [Parameter(Mandatory)] [string] $What)
    if (-not (Test-Path -LiteralPath $Path)) { Add-CrashProblem $Context "$What of '$Name' ($Path) is missing; it should hold $Label"; return }
    $match = Compare-BlockHashes -Actual (Get-BlockHashes $Path) -Versions $Context.Versions[$Name]
    if ($match.Label -ne $Label) { Add-CrashProblem $Context "$What of '$Name' should hold $Label but holds $($match.Detail)" }
}

function Test-CrashRow {
    <# Records a problem unless the volume's row has each given column value (-Expect @{ Status = 'available'; ... }). #>
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [hashtable] $Expect)
    $row = Get-CrashVolumeRow -Site $Context.Site -Name $Name
    if (-not $row) { Add-CrashProblem $Context "volume '$Name' has no row; expected $(($Expect.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join ', ')"; return }
    foreach ($key in $Expect.Keys) {
        if ("$($row.$key)" -ne "$($Expect[$key])") { Add-CrashProblem $Context "volume '$Name' has $key = '$($row.$key)', expected '$($Expect[$key])'" }
    }
}

function Test-CrashFile {
    <# Records a problem unless the file exists (-Exists) or not. #>
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [bool] $Exists, [Parameter(Mandatory)] [string] $What)
    if ((Test-Path -LiteralPath $Path) -ne $Exists) { Add-CrashProblem $Context "$What ($Path) $(if ($Exists) { 'is missing' } else { 'is still there' })" }
}

function Test-CrashReplicaRecorded {
    <#
    .SYNOPSIS
        For a volume whose replication is active or active-stopped: the replica must hold, block for block, the
        primary's data of the recorded round (the version the test wrote before that round), or the current primary
        for volumes marked SameAsPrimary (nothing written since their last round). Never a mix.
    #>
    param([Parameter(Mandatory)] [hashtable] $Context, [string] $Name, $Row)
    if (-not $Row) { $Row = Get-CrashVolumeRow -Site $Context.Site -Name $Name }
    if (-not $Row) { Add-CrashProblem $Context "volume '$Name' has no row"; return }
    $status = $Row.ReplicationStatus
    if ($status -notin 'active', 'active-stopped') { Add-CrashProblem $Context "replication of '$($Row.Name)' is $status, expected active or active-stopped"; return }
    if (-not (Test-Path -LiteralPath $Row.ReplicaPath)) { Add-CrashProblem $Context "replication of '$($Row.Name)' is $status but the replica file is missing"; return }
    # What the user is told is what the row says.
    $reported = Get-VolumeReplica -Name $Row.Name
    if ($reported.SyncGeneration -ne $Row.SyncGeneration -or $reported.Status -ne $status) {
        Add-CrashProblem $Context "Get-VolumeReplica reports '$($Row.Name)' as $($reported.Status) at round $($reported.SyncGeneration), the state row as $status at round $($Row.SyncGeneration)"
    }
    $actual = Get-BlockHashes $Row.ReplicaPath
    if ($Context.SameAsPrimary.Contains($Row.Name) -or -not $Context.Rounds.Contains($Row.Name)) {
        $match = Compare-BlockHashes -Actual $actual -Versions ([ordered]@{ 'the primary' = Get-BlockHashes $Row.PrimaryPath })
        if (-not $match.Label) { Add-CrashProblem $Context "replication of '$($Row.Name)' is reported $status (round $($Row.SyncGeneration)) but its replica differs from the primary, which was not written since: $($match.Detail)" }
        return
    }
    $label = $Context.Rounds[$Row.Name][$Row.SyncGeneration]
    if (-not $label) {
        Add-CrashProblem $Context "replication of '$($Row.Name)' is reported $status at round $($Row.SyncGeneration), a round the test did not expect (expected rounds: $(($Context.Rounds[$Row.Name].Keys | Sort-Object) -join ', '))"
        return
    }
    $match = Compare-BlockHashes -Actual $actual -Versions $Context.Versions[$Row.Name]
    if ($match.Label -ne $label) {
        Add-CrashProblem $Context "replication of '$($Row.Name)' is reported $status at round $($Row.SyncGeneration), whose data is $label, but the replica holds $($match.Detail)"
    }
}

function Test-CrashGone {
    <# The volume has no row and neither of the files it had (as remembered in Rows) is left. #>
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $Name)
    if (Get-CrashVolumeRow -Site $Context.Site -Name $Name) { Add-CrashProblem $Context "volume '$Name' should be gone but still has a row" }
    if ($Context.Rows.Contains($Name)) {
        $row = $Context.Rows[$Name]
        Test-CrashFile $Context $row.PrimaryPath $false "the primary file of the removed '$Name'"
        if ($row.ReplicaPath) { Test-CrashFile $Context $row.ReplicaPath $false "the replica file of the removed '$Name'" }
    }
}

function Test-CrashNotPromoted {
    <# A promotion that did not happen: the old primary still serves the volume, writable, with an active replica. #>
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $Name)
    $before = $Context.Rows[$Name]
    Test-CrashRow $Context $Name @{ Backend = $before.Backend; ReplicationStatus = 'active'; ReplicaFenced = $false }
    if ((Get-Item -LiteralPath $before.PrimaryPath).IsReadOnly) {
        Add-CrashProblem $Context "the promotion of '$Name' did not happen, yet its primary on '$($before.Backend)' ($($before.PrimaryPath)) is still read-only (fenced): the volume cannot be written"
    }
}

function Test-CrashPromoted {
    <# A completed promotion: the former replica serves version -Label, the old primary is fenced, status inactive. #>
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $Label)
    $before = $Context.Rows[$Name]
    Test-CrashRow $Context $Name @{ Backend = $before.ReplicaBackend; ReplicaBackend = $before.Backend; ReplicationStatus = 'inactive'; ReplicaFenced = $true }
    Test-CrashCopy $Context $Name $before.ReplicaPath $Label 'the promoted primary'
    if (Test-Path -LiteralPath $before.PrimaryPath) {
        if (-not (Get-Item -LiteralPath $before.PrimaryPath).IsReadOnly) { Add-CrashProblem $Context "the old primary of '$Name' on '$($before.Backend)' is not fenced (writable) after the promotion" }
    }
    else { Add-CrashProblem $Context "the old primary of '$Name' ($($before.PrimaryPath)) is gone after the promotion" }
}

function Test-CrashInvariants {
    <#
    .SYNOPSIS
        What every recovery must leave, recorded as problems:
        - Repair-ReplicationState run now finds nothing the recovery should have handled (a lapsed lease of the dead
          process on a volume no command touched since is fine) and no orphan file; -RemoveOrphanFiles then has
          nothing to remove;
        - no volume creating or deleting, no lease, no block map of a missing volume;
        - every volume's primary exists at its size and is writable; every replica the state counts on exists;
        - every active or active-stopped replica holds, block for block, the version the state recorded for its round
          (or the current primary, for volumes not written since their last round);
        - no volume file without an owner, no journal, nothing else in the backend folders.
    #>
    param([Parameter(Mandatory)] [hashtable] $Context)
    $site = $Context.Site
    try {
        $findings = @(Repair-ReplicationState -Confirm:$false -ErrorAction Stop)
        foreach ($f in $findings | Where-Object Kind -NE 'ExpiredLease') {
            Add-CrashProblem $Context "after recovery, Repair-ReplicationState still found $($f.Kind) on '$($f.Target)': $($f.Action)"
        }
        $removed = @(Repair-ReplicationState -RemoveOrphanFiles -Confirm:$false -ErrorAction Stop | Where-Object Kind -NE 'ExpiredLease')
        foreach ($f in $removed) { Add-CrashProblem $Context "Repair-ReplicationState -RemoveOrphanFiles found $($f.Kind) on '$($f.Target)'" }
    }
    catch { Add-CrashProblem $Context "Repair-ReplicationState failed: $($_.FullyQualifiedErrorId): $($_.Exception.Message)" }

    $rows = @(Get-CrashVolumeRows -Site $site)
    foreach ($lease in Invoke-CrashStateQuery -Site $site -Sql 'SELECT volume_id, operation FROM volume_leases') { Add-CrashProblem $Context "lease left behind: $($lease.operation) on volume $($lease.volume_id)" }
    foreach ($map in Invoke-CrashStateQuery -Site $site -Sql 'SELECT volume_id FROM block_maps WHERE volume_id NOT IN (SELECT id FROM volumes)') { Add-CrashProblem $Context "block map of a volume that no longer exists: $($map.volume_id)" }
    foreach ($name in $Context.Gone) { if ($rows | Where-Object Name -EQ $name) { Add-CrashProblem $Context "volume '$name' should be gone but has a row" } }
    Test-CrashGroupsSettled -Context $Context

    $owned = [Collections.Generic.HashSet[string]]::new()
    foreach ($row in $rows) {
        [void]$owned.Add([IO.Path]::GetFullPath($row.PrimaryPath))
        if ($row.ReplicaPath) { [void]$owned.Add([IO.Path]::GetFullPath($row.ReplicaPath)) }
        if ($row.Status -ne 'available') { Add-CrashProblem $Context "volume '$($row.Name)' is stuck in status '$($row.Status)'" }
        $primary = Get-Item -LiteralPath $row.PrimaryPath -ErrorAction SilentlyContinue
        if (-not $primary) { Add-CrashProblem $Context "the primary of '$($row.Name)' ($($row.PrimaryPath)) is missing"; continue }
        if ($primary.Length -ne $row.SizeBytes) { Add-CrashProblem $Context "the primary of '$($row.Name)' is $($primary.Length) bytes, not $($row.SizeBytes)" }
        if ($primary.IsReadOnly) { Add-CrashProblem $Context "the primary of '$($row.Name)' on '$($row.Backend)' is read-only (fenced) although the state serves it as the primary" }
        if ($row.ReplicationStatus -in 'active', 'active-stopped', 'inactive') {
            $replica = Get-Item -LiteralPath $row.ReplicaPath -ErrorAction SilentlyContinue
            if (-not $replica) { Add-CrashProblem $Context "replication of '$($row.Name)' is $($row.ReplicationStatus) but its replica file ($($row.ReplicaPath)) is missing"; continue }
            if ($replica.Length -ne $row.SizeBytes) { Add-CrashProblem $Context "the replica of '$($row.Name)' is $($replica.Length) bytes, not $($row.SizeBytes)" }
        }
        if ($row.ReplicationStatus -in 'active', 'active-stopped') { Test-CrashReplicaRecorded -Context $Context -Row $row }
    }

    # Every backend's folder: a move leaves nothing on the backends it left or began on.
    foreach ($folder in @(@($site.Dc1, $site.Dc2) + @(Invoke-CrashStateQuery -Site $site -Sql 'SELECT path FROM backends' | ForEach-Object { [IO.Path]::GetFullPath($_.path) }) | Sort-Object -Unique)) {
        if (-not (Test-Path -LiteralPath $folder)) { continue }
        foreach ($file in Get-ChildItem -LiteralPath $folder -File -Force) {
            if ($file.Name -like 'volume-*.img') {
                if (-not $owned.Contains($file.FullName)) { Add-CrashProblem $Context "orphaned volume file: $($file.FullName)" }
            }
            else { Add-CrashProblem $Context "stray file in a backend folder: $($file.FullName)" }
        }
        $journals = Join-Path $folder '.replication'
        if (Test-Path -LiteralPath $journals) {
            # The state store's mark (store) belongs there, and the undo logs of recovery points a volume keeps (from its
            # oldest point's round on); anything else is a journal left behind.
            foreach ($file in Get-ChildItem -LiteralPath $journals -File -Force | Where-Object Name -NE 'store' | Where-Object { -not (Test-CrashUndoLogNeeded $site $_.Name) }) { Add-CrashProblem $Context "journal left behind: $($file.FullName)" }
        }
        # Volume snapshots: every file there is one a record names.
        $snapshots = Join-Path $journals 'snapshots'
        if (Test-Path -LiteralPath $snapshots) {
            $recorded = @(Invoke-CrashStateQuery -Site $site -Sql 'SELECT location FROM volume_snapshots' | ForEach-Object location)
            foreach ($file in Get-ChildItem -LiteralPath $snapshots -File -Force | Where-Object Name -NotIn $recorded) { Add-CrashProblem $Context "snapshot file no record names: $($file.FullName)" }
        }
    }
}

function Test-CrashUndoLogNeeded {
    <# True for an undo log (volume-<id>.undo-<round>, or its .ok record) of a round at or after its volume's oldest recovery point. #>
    param([Parameter(Mandatory)] $Site, [Parameter(Mandatory)] [string] $Name)
    if ($Name -notmatch '^volume-([0-9a-f-]{36})\.undo-(\d{19})(\.ok)?$') { return $false }
    $oldest = @(Invoke-CrashStateQuery -Site $Site -Sql "SELECT MIN(round) AS round FROM recovery_points WHERE volume_id = '$($Matches[1])'")[0].round
    $null -ne $oldest -and $oldest -isnot [DBNull] -and [long]$Matches[2] -ge [long]$oldest
}

function Get-CrashGroupMembers {
    <# Each group member's row: name, group, the group round it holds, replication status and primary backend. #>
    param([Parameter(Mandatory)] $Site, [string] $Group)
    $rows = Invoke-CrashStateQuery -Site $Site -Sql 'SELECT name, group_name, group_round, replication_status, backend FROM volumes WHERE group_name IS NOT NULL ORDER BY name'
    @($rows | Where-Object { -not $Group -or $_.group_name -eq $Group })
}

function Get-CrashGroupRounds {
    <# The group's round rows (round, committed or not), oldest first. #>
    param([Parameter(Mandatory)] $Site, [Parameter(Mandatory)] [string] $Group)
    @(Invoke-CrashStateQuery -Site $Site -Sql "SELECT round, committed_at FROM group_rounds WHERE group_name = '$Group' ORDER BY round" | ForEach-Object {
            [pscustomobject]@{ Round = [long]$_.round; Committed = $null -ne $_.committed_at }
        })
}

function Test-CrashGroupsSettled {
    <#
    .SYNOPSIS
        What every recovery must leave of replication groups: no group promotion still recorded as started, no group
        round that never committed, and in a group whose replicas are all consistent (active or active-stopped) every
        member holds the group's newest committed round, as Get-ReplicationGroup then says (Consistent).
    #>
    param([Parameter(Mandatory)] [hashtable] $Context)
    $site = $Context.Site
    foreach ($intent in Invoke-CrashStateQuery -Site $site -Sql 'SELECT group_name FROM group_promotions') { Add-CrashProblem $Context "group '$($intent.group_name)' still has a promotion recorded as started" }
    foreach ($group in Invoke-CrashStateQuery -Site $site -Sql 'SELECT name FROM replication_groups') {
        $rounds = Get-CrashGroupRounds -Site $site -Group $group.name
        foreach ($r in $rounds | Where-Object { -not $_.Committed }) { Add-CrashProblem $Context "group '$($group.name)' still has round $($r.Round), which never committed" }
        $members = Get-CrashGroupMembers -Site $site -Group $group.name
        if ($members.Count -eq 0 -or @($members | Where-Object replication_status -NotIn 'active', 'active-stopped').Count -gt 0) { continue }
        $last = @($rounds | Where-Object Committed | ForEach-Object Round | Sort-Object) | Select-Object -Last 1
        foreach ($m in $members) {
            if ($null -eq $m.group_round -or [long]$m.group_round -ne $last) { Add-CrashProblem $Context "group '$($group.name)': member '$($m.name)' holds group round $(if ($null -eq $m.group_round) { 'none' } else { $m.group_round }), the group's newest committed round is $last (members at different rounds)" }
        }
        $described = Get-ReplicationGroup -Name $group.name
        if (-not $described.Consistent) { Add-CrashProblem $Context "Get-ReplicationGroup says group '$($group.name)' is not consistent ($($described.MemberStatus), last round $($described.LastRound))" }
    }
}

function Invoke-CrashCase {
    <#
    .SYNOPSIS
        One kill-point case (Setup, each step's Partial and Recover name functions taking the context): a fresh site,
        Setup, then each crash step in a child pwsh that must die by SIGKILL at its point (Partial checks the
        operation did not complete), then the user's recovery runs here at once, and every invariant is checked.
        Returns the problems found.
    #>
    param([Parameter(Mandatory)] [hashtable] $Case)
    $context = New-CrashContext
    try {
        & $Case.Setup $context | Out-Null
        foreach ($step in $Case.Crashes) {
            Invoke-CrashChild -Site $context.Site -Operation $step.Operation -CrashAt $step.Point | Out-Null
            if ($step.Contains('Partial')) {
                $before = $context.Problems.Count
                & $step.Partial $context | Out-Null
                for ($i = $before; $i -lt $context.Problems.Count; $i++) { $context.Problems[$i] = "right after the kill at $($step.Point): $($context.Problems[$i])" }
            }
        }
        & $Case.Recover $context | Out-Null
        Test-CrashInvariants -Context $context
        $script:Figures.Cases++
        if ($context.Problems.Count -eq 0) { $script:Figures.Recoveries++ }
        , $context.Problems.ToArray()
    }
    finally {
        Remove-ReplicationTestSite $context.Site
    }
}

function Wait-CrashReady {
    <# Waits until the child is about to start its operation (it wrote -ReadyFile), or has ended. #>
    param([Parameter(Mandatory)] $Child, [Parameter(Mandatory)] [string] $ReadyFile)
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while (-not (Test-Path -LiteralPath $ReadyFile) -and -not $Child.Process.HasExited) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "The child running '$($Child.Operation)' did not start it within 60 s." }
        Start-Sleep -Milliseconds 2
    }
}

function Invoke-RandomKillRun {
    <#
    .SYNOPSIS
        The time-based kill test: a replicated volume of -SizeBytes; each run writes -ChurnMiB of seeded random data
        (1 MiB chunks at scattered offsets), starts Sync-VolumeReplica in a child pwsh and SIGKILLs it (Stop-Process
        -Force) after a seeded random delay within the time an uninterrupted round takes. After each kill the user
        recovers at once, alternately with Repair-ReplicationState (the replica must then be exactly
        the last recorded round or the killed one, all blocks from one version) and with the next Sync-VolumeReplica
        (the replica must equal the primary). Runs until -Runs kills landed inside a round, at most 2 x -Runs
        attempts. Returns the problems and figures.
    #>
    param([int] $Runs = 8, [int] $Seed = 6, [long] $SizeBytes = 128MB, [int] $ChurnMiB = 64)
    $c = New-CrashContext
    $random = [Random]::new($Seed)
    $result = @{ Problems = $c.Problems; Kills = 0; Attempts = 0; Delays = @(); Phases = @{}; RoundMs = 0 }
    $next = $null
    try {
        New-Volume -Name big -SizeBytes $SizeBytes -VolumeType replicated -ErrorAction Stop | Out-Null
        $row = Get-CrashVolumeRow -Site $c.Site -Name big
        Write-ScatteredData -Path $row.PrimaryPath -Seed $random.Next() -Chunks $ChurnMiB -ChunkBytes 1MB
        Sync-VolumeReplica -Name big -ErrorAction Stop | Out-Null
        $row = Get-CrashVolumeRow -Site $c.Site -Name big

        # Calibration: one round in a child, not killed, timed from the moment it starts the operation to its exit.
        # Kills then land at uniform random moments of such a round: journal writing, commit, apply, record, cleanup.
        Write-ScatteredData -Path $row.PrimaryPath -Seed $random.Next() -Chunks $ChurnMiB -ChunkBytes 1MB
        $ready = Join-Path $c.Site.Root 'ready-0'
        $child = Send-CrashGo -Child (Start-CrashChild) -Site $c.Site -Operation 'Sync-VolumeReplica -Name big' -ReadyFile $ready
        $next = Start-CrashChild
        Wait-CrashReady -Child $child -ReadyFile $ready
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $outcome = Wait-CrashChild $child
        $result.RoundMs = [Math]::Max(100, [int]$clock.Elapsed.TotalMilliseconds)
        if (-not $outcome.Completed) { throw "The calibration round in a child failed: exit code $($outcome.ExitCode). $($outcome.Stderr)" }
        $row = Get-CrashVolumeRow -Site $c.Site -Name big
        $recordedRound = $row.SyncGeneration
        $recordedHashes = Get-BlockHashes $row.PrimaryPath
        $match = Compare-BlockHashes -Actual (Get-BlockHashes $row.ReplicaPath) -Versions ([ordered]@{ 'the primary' = $recordedHashes })
        if ($row.ReplicationStatus -ne 'active' -or -not $match.Label) { Add-CrashProblem $c "after the calibration round replication is $($row.ReplicationStatus) and the replica holds $($match.Detail)" }
        $roundMs = $result.RoundMs

        # A bounded number of attempts: a child that finished before its kill halves the delay range, so the kills
        # keep landing inside the round however fast or loaded the machine is.
        $maxAttempts = 2 * $Runs
        for ($run = 1; $result.Kills -lt $Runs -and $run -le $maxAttempts; $run++) {
            $result.Attempts = $run
            Write-ScatteredData -Path $row.PrimaryPath -Seed $random.Next() -Chunks $ChurnMiB -ChunkBytes 1MB
            $newHashes = Get-BlockHashes $row.PrimaryPath
            $ready = Join-Path $c.Site.Root "ready-$run"
            $child = Send-CrashGo -Child $next -Site $c.Site -Operation 'Sync-VolumeReplica -Name big' -ReadyFile $ready
            $next = $null
            Wait-CrashReady -Child $child -ReadyFile $ready
            $delay = $random.Next(0, $roundMs)
            $result.Delays += $delay
            Start-Sleep -Milliseconds $delay
            $killedByUs = $false
            if (-not $child.Process.HasExited) {
                Stop-Process -Id $child.Process.Id -Force -ErrorAction SilentlyContinue
                $killedByUs = $true
            }
            $outcome = Wait-CrashChild $child
            if ($run -lt $maxAttempts) { $next = Start-CrashChild }
            Remove-Item -LiteralPath $ready -ErrorAction SilentlyContinue
            # The commit record (.sync-journal) names the staged journal (.sync-journal.tmp), which stays beside it until
            # the round is applied and recorded: the record alone says the journal is committed.
            $phase = if (Test-Path -LiteralPath $row.JournalPath) { 'journal committed' }
            elseif (Test-Path -LiteralPath "$($row.JournalPath).tmp") { 'journal being written' }
            elseif ($outcome.Completed) { 'completed' }
            else { 'no journal' }
            $result.Phases[$phase] = 1 + ($result.Phases[$phase] ?? 0)
            if ($killedByUs -and $outcome.Killed) {
                $result.Kills++
                $script:Figures.RandomKills++
            }
            elseif ($outcome.Completed) {
                $roundMs = [Math]::Max(10, [int]($roundMs / 2))
            }
            else {
                Add-CrashProblem $c "run ${run}: the child sync neither completed nor died by the kill: exit code $($outcome.ExitCode). $($outcome.Stderr)"
            }
            $script:Figures.RandomRuns++
            $before = $c.Problems.Count
            $now = Get-CrashVolumeRow -Site $c.Site -Name big
            $replicaNow = Get-BlockHashes $now.ReplicaPath
            # Right after the kill (before any recovery) a replica recorded at a round must hold it unless a committed journal is waiting to finish it.
            if ($phase -ne 'journal committed') {
                $expected = if ($now.SyncGeneration -eq $recordedRound) { $recordedHashes } elseif ($now.SyncGeneration -eq $recordedRound + 1) { $newHashes } else { $null }
                $match = if ($expected) { Compare-BlockHashes -Actual $replicaNow -Versions ([ordered]@{ recorded = $expected }) } else { $null }
                if (-not $match -or -not $match.Label) { Add-CrashProblem $c "run ${run} (killed after $delay ms, $phase): before recovery the replica is recorded at round $($now.SyncGeneration) (last known $recordedRound) but holds $(if ($match) { $match.Detail } else { 'no known round' })" }
            }
            if ($run % 2 -eq 1) {
                Invoke-RecoveryStep $c "run ${run}: Repair-ReplicationState" { Repair-ReplicationState -Confirm:$false | Out-Null } | Out-Null
                $now = Get-CrashVolumeRow -Site $c.Site -Name big
                $versions = [ordered]@{ "round $recordedRound (before the run)" = $recordedHashes; "round $($recordedRound + 1) (the run's)" = $newHashes }
                $match = Compare-BlockHashes -Actual (Get-BlockHashes $now.ReplicaPath) -Versions $versions
                $expectedLabel = if ($now.SyncGeneration -eq $recordedRound) { "round $recordedRound (before the run)" } elseif ($now.SyncGeneration -eq $recordedRound + 1) { "round $($recordedRound + 1) (the run's)" } else { $null }
                if ($now.ReplicationStatus -ne 'active') { Add-CrashProblem $c "run ${run}: after Repair-ReplicationState replication is $($now.ReplicationStatus)" }
                if (-not $expectedLabel) { Add-CrashProblem $c "run ${run}: after Repair-ReplicationState the replica is recorded at round $($now.SyncGeneration), neither $recordedRound nor $($recordedRound + 1)" }
                elseif ($match.Label -ne $expectedLabel) { Add-CrashProblem $c "run ${run} (killed after $delay ms, $phase): after Repair-ReplicationState the replica is recorded at $expectedLabel but holds $($match.Detail)" }
                if ($now.SyncGeneration -eq $recordedRound + 1) { $recordedHashes = $newHashes }
                $recordedRound = $now.SyncGeneration
            }
            else {
                Invoke-RecoveryStep $c "run ${run}: Sync-VolumeReplica" { Sync-VolumeReplica -Name big | Out-Null } | Out-Null
                $now = Get-CrashVolumeRow -Site $c.Site -Name big
                $match = Compare-BlockHashes -Actual (Get-BlockHashes $now.ReplicaPath) -Versions ([ordered]@{ 'the primary' = $newHashes })
                if ($now.ReplicationStatus -ne 'active' -or -not $match.Label) { Add-CrashProblem $c "run ${run} (killed after $delay ms, $phase): after the next Sync-VolumeReplica replication is $($now.ReplicationStatus) and the replica holds $($match.Detail)" }
                $recordedRound = $now.SyncGeneration
                $recordedHashes = $newHashes
            }
            foreach ($journal in @($row.JournalPath, "$($row.JournalPath).tmp")) { if (Test-Path -LiteralPath $journal) { Add-CrashProblem $c "run ${run}: journal left after recovery: $journal" } }
            if ($c.Problems.Count -eq $before) { $script:Figures.RandomRecoveries++ }
        }

        Invoke-RecoveryStep $c 'final Sync-VolumeReplica' { Sync-VolumeReplica -Name big | Out-Null } | Out-Null
        [void]$c.SameAsPrimary.Add('big')
        Test-CrashInvariants -Context $c
        $result
    }
    finally {
        Stop-CrashChild $next
        Remove-ReplicationTestSite $c.Site
    }
}

Export-ModuleMember -Function *
