#Requires -Version 7
<#
.SYNOPSIS
    The inter-site transfer figures (issue 15): two agents in network namespaces this script makes and removes, the
    inter-site link shaped with tbf, and an rsync daemon over the same link for comparison.
.DESCRIPTION
    Needs root, ip, tc and rsync, and the module and the agent built (build.ps1 -Task Build; build.ps1 -Task Agent).
    Measures: the initial sync of a volume that is half incompressible data and half holes, against rsync and against
    the link's rate; the initial sync of compressible data; a 1% incremental round against rsync; bytes on the link per
    changed byte; bytes through the controller per byte moved. Prints a table and writes it as JSON.
.EXAMPLE
    sudo dotnet pwsh bench/Measure-AgentTransfer.ps1 -SizeMiB 1024 -RateMbit 100
#>
param(
    [int] $SizeMiB = 1024,
    [int] $RateMbit = 100,
    [string] $ResultPath = (Join-Path $PSScriptRoot 'results/agent-transfer.json')
)
$ErrorActionPreference = 'Stop'
$repo = Split-Path $PSScriptRoot
Import-Module (Join-Path $repo 'tests/Agents/TwoSites.psm1') -Force
$modulePath = Join-Path $repo 'out/module/Replication.PowerShell/Replication.PowerShell.psd1'
$agentPath = Join-Path $repo 'out/agent/Replication.Agent.dll'
foreach ($path in $modulePath, $agentPath) { if (-not (Test-Path $path)) { throw "'$path' is not built: build.ps1 -Task Build and -Task Agent build it." } }
$stepScript = Join-Path $PSScriptRoot 'AgentTransferStep.ps1'
$size = [long]$SizeMiB * 1MB
$root = Join-Path ([IO.Path]::GetTempPath()) ("rp-transfer-" + [guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory -Path $root | Out-Null
$lab = $null
$rsyncd = $null

# Bytes a namespace's interface sent, from the kernel's counter.
function Get-SentBytes([string] $Namespace, [string] $Interface) {
    [long](& ip netns exec $Namespace cat "/sys/class/net/$Interface/statistics/tx_bytes")
}

function Write-Pattern([string] $Path, [long] $Offset, [int] $Count, [int] $Seed, [switch] $Compressible) {
    $bytes = [byte[]]::new($Count)
    if ($Compressible) {
        # Text as a log or a table would be: lines that repeat in shape, not in content.
        $text = [Text.StringBuilder]::new()
        for ($i = 0; $text.Length -lt $Count; $i++) { [void]$text.AppendFormat('{0:D9},site-{1},{2:F3},status={3}' + "`n", $Offset / 64 + $i, $i % 7, ($i * 0.37) % 1000, ('ok', 'warn', 'late')[$i % 3]) }
        [Text.Encoding]::ASCII.GetBytes($text.ToString(), 0, $Count, $bytes, 0) | Out-Null
    }
    else {
        [Random]::new($Seed).NextBytes($bytes)
    }
    $stream = [IO.File]::Open($Path, 'Open', 'ReadWrite', 'ReadWrite')
    try { $stream.Position = $Offset; $stream.Write($bytes, 0, $bytes.Length); $stream.Flush($true) } finally { $stream.Dispose() }
}

function Invoke-Step([hashtable] $Parameters) {
    $Parameters.ModulePath = $modulePath
    $Parameters.StatePath = Join-Path $root 'state.db'
    Invoke-InNamespace -Namespace $lab.Ctl -ScriptPath $stepScript -Parameters $Parameters -TimeoutSeconds 1800
}

# One agent round over the link: its time, its bytes on the link (both ways), and what crossed the controller.
function Measure-AgentRound([string] $Volume) {
    $sent = (Get-SentBytes $lab.Dc1 $lab.InterSite) + (Get-SentBytes $lab.Dc2 "$($lab.Prefix)21")
    $sync = Invoke-Step @{ Step = 'Sync'; Volume = $Volume; Interfaces = ($lab.CtlInterfaces -join ',') }
    if ($sync.Status -ne 'active') { throw "Sync-VolumeReplica $Volume ended $($sync.Status)." }
    [pscustomobject]@{ Seconds = $sync.Seconds; LinkBytes = (Get-SentBytes $lab.Dc1 $lab.InterSite) + (Get-SentBytes $lab.Dc2 "$($lab.Prefix)21") - $sent; ControllerBytes = $sync.ControllerBytes }
}

function Measure-Rsync([string[]] $Options) {
    $sent = (Get-SentBytes $lab.Dc1 $lab.InterSite) + (Get-SentBytes $lab.Dc2 "$($lab.Prefix)21")
    $clock = [Diagnostics.Stopwatch]::StartNew()
    & ip netns exec $lab.Dc1 rsync @Options (Join-Path $root 'rsync-src/v1.img') "rsync://$($lab.Dc2ForDc1):8873/bench/"
    if ($LASTEXITCODE -ne 0) { throw "rsync exited with $LASTEXITCODE." }
    $clock.Stop()
    [pscustomobject]@{ Seconds = $clock.Elapsed.TotalSeconds; LinkBytes = (Get-SentBytes $lab.Dc1 $lab.InterSite) + (Get-SentBytes $lab.Dc2 "$($lab.Prefix)21") - $sent }
}

try {
    $lab = New-TwoSiteLab -AgentPath $agentPath -Root $root
    foreach ($side in @(@($lab.Dc1, $lab.InterSite), @($lab.Dc2, "$($lab.Prefix)21"))) {
        & ip netns exec $side[0] tc qdisc add dev $side[1] root tbf rate "${RateMbit}mbit" burst 256kb latency 400ms
        if ($LASTEXITCODE -ne 0) { throw "tc could not shape $($side[1])." }
    }
    $linkBytesPerSecond = $RateMbit * 1e6 / 8

    $volumes = Invoke-Step @{ Step = 'Setup'; Volume = 'v1,v2'; SizeBytes = $size
        Dc1Setting = (Get-AgentBackendSetting -Lab $lab -Site dc1 | ConvertTo-Json -Compress)
        Dc2Setting = (Get-AgentBackendSetting -Lab $lab -Site dc2 | ConvertTo-Json -Compress) }
    $v1 = Join-Path $lab.Agents['dc1'].Storage ($volumes | Where-Object Name -EQ v1).File
    $v1Replica = Join-Path $lab.Agents['dc2'].Storage ($volumes | Where-Object Name -EQ v1).File
    $v2 = Join-Path $lab.Agents['dc1'].Storage ($volumes | Where-Object Name -EQ v2).File

    # v1: 4 MiB of random data, then a 4 MiB hole, over its whole size: half data, half holes, incompressible.
    for ($offset = 0L; $offset -lt $size; $offset += 8MB) { Write-Pattern $v1 $offset (4MB) ([int]($offset / 1MB)) }
    # v2: compressible data, the whole volume.
    for ($offset = 0L; $offset -lt $size; $offset += 4MB) { Write-Pattern $v2 $offset (4MB) 0 -Compressible }
    New-Item -ItemType Directory -Path (Join-Path $root 'rsync-src'), (Join-Path $root 'rsync-dst') | Out-Null
    & cp --sparse=always $v1 (Join-Path $root 'rsync-src/v1.img')

    $config = Join-Path $root 'rsyncd.conf'
    "uid = root`ngid = root`nuse chroot = no`n[bench]`npath = $(Join-Path $root 'rsync-dst')`nread only = false`n" | Set-Content $config
    $rsyncd = Start-Process -FilePath ip -ArgumentList @('netns', 'exec', $lab.Dc2, 'rsync', '--daemon', '--no-detach', "--config=$config", "--address=$($lab.Dc2ForDc1)", '--port=8873') -PassThru
    Start-Sleep -Seconds 1

    $agentInitial = Measure-AgentRound v1
    $rsyncInitial = Measure-Rsync @('-S')
    $agentCompressible = Measure-AgentRound v2

    # 1% of v1 changed, as 256 KiB writes at random 4 KiB-aligned offsets (into data and holes alike), at both sources.
    $random = [Random]::new(15)
    $changed = 0L
    while ($changed -lt $size / 100) {
        $offset = [long]$random.Next(0, [int](($size - 256KB) / 4KB)) * 4KB
        foreach ($file in $v1, (Join-Path $root 'rsync-src/v1.img')) { Write-Pattern $file $offset (256KB) ([int]($changed / 1KB)) }
        $changed += 256KB
    }
    $agentIncremental = Measure-AgentRound v1
    $rsyncIncremental = Measure-Rsync @('--inplace', '--no-whole-file')
    $equal = (Get-FileHash -LiteralPath $v1).Hash -eq (Get-FileHash -LiteralPath $v1Replica).Hash

    $moved = [double]$size / 2 + $size + $changed
    $figures = [ordered]@{
        LoadAverage = (Get-Content /proc/loadavg) -split ' ' | Select-Object -First 3 | Join-String -Separator ' '
        SizeMiB = $SizeMiB; RateMbit = $RateMbit; ChangedBytes = $changed; ReplicaEqual = $equal
        AgentInitialSeconds = $agentInitial.Seconds; RsyncInitialSeconds = $rsyncInitial.Seconds
        AgentInitialOfLinkRate = ($size / 2) / $agentInitial.Seconds / $linkBytesPerSecond
        AgentInitialLinkBytes = $agentInitial.LinkBytes; RsyncInitialLinkBytes = $rsyncInitial.LinkBytes
        AgentCompressibleSeconds = $agentCompressible.Seconds; AgentCompressibleOfLinkRate = $size / $agentCompressible.Seconds / $linkBytesPerSecond
        AgentCompressibleLinkBytes = $agentCompressible.LinkBytes
        AgentIncrementalSeconds = $agentIncremental.Seconds; RsyncIncrementalSeconds = $rsyncIncremental.Seconds
        IncrementalAgainstRsync = $agentIncremental.Seconds / $rsyncIncremental.Seconds
        AgentIncrementalLinkBytes = $agentIncremental.LinkBytes; RsyncIncrementalLinkBytes = $rsyncIncremental.LinkBytes
        LinkBytesPerChangedByte = $agentIncremental.LinkBytes / $changed
        ControllerBytes = $agentInitial.ControllerBytes + $agentCompressible.ControllerBytes + $agentIncremental.ControllerBytes
        ControllerShareOfMoved = ($agentInitial.ControllerBytes + $agentCompressible.ControllerBytes + $agentIncremental.ControllerBytes) / $moved
    }
    New-Item -ItemType Directory -Path (Split-Path $ResultPath) -Force | Out-Null
    $figures | ConvertTo-Json | Set-Content $ResultPath
    [pscustomobject]$figures
}
finally {
    if ($rsyncd -and -not $rsyncd.HasExited) { $rsyncd.Kill($true); $rsyncd.WaitForExit(10000) | Out-Null }
    try { Remove-TwoSiteLab $lab }
    finally { Remove-Item $root -Recurse -Force -ErrorAction SilentlyContinue }
}
