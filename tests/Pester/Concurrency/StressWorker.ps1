# One stress worker: a seeded random mix of operations on a shared pool of volume names, each operation recorded with
# its outcome. Dot-sourced by Start-StressWorker.ps1 (one pwsh process per worker) and by the ForEach-Object -Parallel
# runspaces of Concurrency.Tests.ps1. The module must be imported and the state file set before it runs.

function Invoke-ReplicationStressWorker {
    param(
        [Parameter(Mandatory)] [int] $WorkerId,
        [Parameter(Mandatory)] [int] $Seed,
        [Parameter(Mandatory)] [int] $Operations,
        [Parameter(Mandatory)] [string[]] $Names,
        # Folder for the harness's own per-name locks (see Use-StressNameLock).
        [Parameter(Mandatory)] [string] $LockFolder,
        [string] $VolumeType = 'replicated'
    )

    $ErrorActionPreference = 'Stop'
    $ProgressPreference = 'SilentlyContinue'
    $random = [Random]::new($Seed)
    $log = [System.Collections.Generic.List[object]]::new()
    $myClones = [System.Collections.Generic.List[string]]::new()
    # Weights of the mix; a promotion is followed by Enable-Replication -Force when it succeeds.
    $mix = [ordered]@{ create = 12; write = 16; sync = 22; disable = 7; enable = 7; promote = 9; clone = 8; remove = 4; removeClone = 6 }
    $total = ($mix.Values | Measure-Object -Sum).Sum

    function Invoke-StressOperation {
        # Parameter names unlike the workers' variables: the action runs in this function's scope and sees them.
        param([string] $StressOp, [string] $StressTarget, [scriptblock] $StressAction, [hashtable] $StressDetail = @{})
        $entry = [ordered]@{
            Worker = $WorkerId; Pid = $PID; Seq = $log.Count; Op = $StressOp; Name = $StressTarget
            StartedAt = [DateTimeOffset]::UtcNow.ToString('o'); StartTicks = [DateTime]::UtcNow.Ticks; Ms = 0
            Ok = $false; ErrorId = $null; FullyQualifiedErrorId = $null; ExceptionType = $null; Message = $null
        }
        foreach ($key in $StressDetail.Keys) { $entry[$key] = $StressDetail[$key] }
        $watch = [Diagnostics.Stopwatch]::StartNew()
        try {
            & $StressAction
            $entry.Ok = $true
        }
        catch {
            $entry.FullyQualifiedErrorId = $_.FullyQualifiedErrorId
            $entry.ErrorId = ($_.FullyQualifiedErrorId -split ',')[0]
            $entry.ExceptionType = $_.Exception.GetType().FullName
            $entry.Message = $_.Exception.Message
        }
        $entry.Ms = [int]$watch.ElapsedMilliseconds
        $log.Add([pscustomobject]$entry)
        $entry.Ok
    }

    for ($i = 0; $i -lt $Operations; $i++) {
        $pick = $random.Next($total)
        $op = $null
        foreach ($candidate in $mix.Keys) {
            if ($pick -lt $mix[$candidate]) { $op = $candidate; break }
            $pick -= $mix[$candidate]
        }
        $name = $Names[$random.Next($Names.Count)]
        if ($op -eq 'removeClone' -and $myClones.Count -eq 0) { $op = 'sync' }

        switch ($op) {
            'create' {
                $size = [long]$random.Next(4, 17) * 1MB
                $null = Invoke-StressOperation create $name { New-Volume -Name $name -SizeBytes $size -VolumeType $VolumeType | Out-Null } @{ SizeBytes = $size }
            }
            'write' {
                $length = $random.Next(1, 65) * 4096
                $bytes = [byte[]]::new($length)
                $random.NextBytes($bytes)
                $fraction = $random.NextDouble()
                $null = Invoke-StressOperation write $name {
                    Use-StressNameLock -LockFolder $LockFolder -Name $name {
                        $connection = Get-VolumeConnection -Name $name
                        $blocks = [long][Math]::Floor(($connection.SizeBytes - $length) / 4096)
                        $offset = [long][Math]::Floor($fraction * ($blocks + 1)) * 4096
                        try {
                            $stream = [IO.File]::Open($connection.Path, 'Open', 'Write', 'ReadWrite')
                        }
                        catch [IO.FileNotFoundException] {
                            # Removed by another worker between the two steps: a refusal of the harness, not of the module.
                            throw [Management.Automation.ErrorRecord]::new($_.Exception, 'VolumeFileGone', 'ObjectNotFound', $connection.Path)
                        }
                        try {
                            $stream.Position = $offset
                            $stream.Write($bytes, 0, $bytes.Length)
                        }
                        finally { $stream.Dispose() }
                    }
                } @{ Bytes = $length }
            }
            'sync' {
                $null = Invoke-StressOperation sync $name { Sync-VolumeReplica -Name $name | Out-Null }
            }
            'disable' {
                $null = Invoke-StressOperation disable $name { Disable-Replication -Name $name -Force }
            }
            'enable' {
                $null = Invoke-StressOperation enable $name { Use-StressNameLock -LockFolder $LockFolder -Name $name { Enable-Replication -Name $name -Force } }
            }
            'promote' {
                $planned = $random.Next(2) -eq 0
                $promoted = Invoke-StressOperation promote $name { Use-StressNameLock -LockFolder $LockFolder -Name $name { Invoke-ReplicaPromotion -Name $name -Planned:$planned -Force | Out-Null } } @{ Planned = $planned }
                if ($promoted) {
                    $null = Invoke-StressOperation enable $name { Use-StressNameLock -LockFolder $LockFolder -Name $name { Enable-Replication -Name $name -Force } } @{ AfterPromotion = $true }
                }
            }
            'clone' {
                $clone = "t-w$WorkerId-$i"
                if (Invoke-StressOperation clone $clone { New-Volume -Name $clone -SourceReplica $name | Out-Null } @{ Source = $name }) {
                    $myClones.Add($clone)
                }
            }
            'remove' {
                $null = Invoke-StressOperation remove $name { Remove-Volume -Name $name -Force }
            }
            'removeClone' {
                $clone = $myClones[$random.Next($myClones.Count)]
                if (Invoke-StressOperation remove $clone { Remove-Volume -Name $clone -Force } @{ Clone = $true }) {
                    $null = $myClones.Remove($clone)
                }
            }
        }
    }

    $log.ToArray()
}

function Use-StressNameLock {
    <#
    .SYNOPSIS
        The harness's own lock per volume name (an exclusive flock on a file), held while a worker writes into a volume
        file and while it runs Invoke-ReplicaPromotion or Enable-Replication. Without it, a worker could look up the
        primary's path, another could promote (and re-enable: the path is now the replica), and the first would then
        write into the fenced old primary or the replica behind the module's back: Enable-Replication would rightly
        refuse with FencedCopyChanged, or the byte-for-byte check at the end would blame the module for the test's own
        write.
    #>
    param([string] $LockFolder, [string] $Name, [scriptblock] $Body)
    $path = Join-Path $LockFolder "$Name.lock"
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ($true) {
        try {
            $lock = [IO.File]::Open($path, 'OpenOrCreate', 'ReadWrite', 'None')
            break
        }
        catch [IO.IOException] {
            if ([DateTime]::UtcNow -gt $deadline) { throw "The harness lock '$path' stayed taken for 60 s." }
            Start-Sleep -Milliseconds 10
        }
    }
    try { & $Body }
    finally { $lock.Dispose() }
}
