Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1')

# Real faults for Faults.Tests.ps1: an immutable (read-only) folder with chattr, a full folder with a small tmpfs, a
# crashed sync round in a child pwsh, damaged files. Every fault has an undo that is safe to call twice and is called
# from AfterAll/finally, so a failing test never leaves a mount or an immutable folder behind.

function Assert-FaultInjectionSupport {
    <#
    .SYNOPSIS
        Proves, under -Probe, that this machine can inject the faults asked for; throws (the test FAILS, never skips)
        with what is missing.
    #>
    param([Parameter(Mandatory)] [string] $Probe, [switch] $Immutable, [switch] $Mount)
    $missing = [Collections.Generic.List[string]]::new()
    if (-not $IsLinux) {
        throw 'Fault injection needs Linux: chattr +i and mount -t tmpfs make the read-only and full partner folders.'
    }
    $uid = (& id -u)
    if ("$uid" -ne '0') { $missing.Add("root (uid 0), but this runs as uid $uid") }
    $tools = @('stat') + $(if ($Immutable) { 'chattr', 'lsattr' }) + $(if ($Mount) { 'mount', 'umount', 'mountpoint' })
    foreach ($tool in $tools) {
        if (-not (Get-Command $tool -CommandType Application -ErrorAction SilentlyContinue)) { $missing.Add("the '$tool' command") }
    }
    if ($missing.Count -eq 0) {
        $dir = Join-Path $Probe ('fault-probe-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        try {
            if ($Immutable) {
                $out = & chattr +i -- $dir 2>&1
                if ($LASTEXITCODE -ne 0) {
                    $missing.Add("chattr +i on '$dir' (file system $(& stat -f -c %T -- $dir)): $out; it needs ext4/xfs/btrfs and CAP_LINUX_IMMUTABLE")
                }
                else {
                    try {
                        $refused = $false
                        try { [IO.File]::WriteAllBytes((Join-Path $dir 'x'), [byte[]]@(1)) } catch { $refused = $true }
                        if (-not $refused) { $missing.Add("an immutable folder that refuses new files ('$dir' accepted one)") }
                    }
                    finally { & chattr -i -- $dir 2>&1 | Out-Null }
                }
            }
            if ($Mount) {
                $out = & mount -t tmpfs -o size=1m tmpfs $dir 2>&1
                if ($LASTEXITCODE -ne 0) { $missing.Add("mount -t tmpfs on '$dir': $out; it needs root with CAP_SYS_ADMIN (a privileged container)") }
                else { & umount $dir 2>&1 | Out-Null }
            }
        }
        finally { Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue }
    }
    if ($missing.Count -gt 0) {
        throw "Cannot inject the faults this test needs. Missing: $($missing -join '; '). Run the suite as root on Linux (CI: a privileged container)."
    }
}

function Set-FolderImmutable {
    <# Makes a folder and everything in it immutable (chattr -R +i): no file can be created, written, renamed or removed there, even by root. #>
    param([Parameter(Mandatory)] [string] $Path)
    $out = & chattr -R +i -- $Path 2>&1
    if ($LASTEXITCODE -ne 0) { throw "chattr -R +i '$Path' failed: $out" }
}

function Clear-FolderImmutable {
    <# Undoes Set-FolderImmutable; safe when the folder is gone or was never immutable. #>
    param([Parameter(Mandatory)] [string] $Path)
    if (Test-Path -LiteralPath $Path) {
        $out = & chattr -R -i -- $Path 2>&1
        if ($LASTEXITCODE -ne 0) { throw "chattr -R -i '$Path' failed: $out" }
    }
}

function Test-FolderImmutable {
    param([Parameter(Mandatory)] [string] $Path)
    $attributes = (& lsattr -d -- $Path 2>$null) -split '\s+' | Select-Object -First 1
    $attributes -match 'i'
}

function Mount-SmallTmpfs {
    <# Mounts a tmpfs of -Size (mount syntax: 8m) on an existing or new folder: a partner folder that fills up. #>
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $Size, [int] $Inodes = 0)
    New-Item -ItemType Directory -Path $Path -Force | Out-Null
    $options = "size=$Size,mode=0755" + $(if ($Inodes -gt 0) { ",nr_inodes=$Inodes" })
    $out = & mount -t tmpfs -o $options tmpfs $Path 2>&1
    if ($LASTEXITCODE -ne 0) { throw "mount -t tmpfs -o $options on '$Path' failed: $out" }
}

function Resize-SmallTmpfs {
    <# Grows (or shrinks) a mounted tmpfs in place: how the test removes the 'full' fault without touching its files. #>
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $Size)
    $out = & mount -o "remount,size=$Size" $Path 2>&1
    if ($LASTEXITCODE -ne 0) { throw "mount -o remount,size=$Size '$Path' failed: $out" }
}

function Test-MountPoint {
    param([Parameter(Mandatory)] [string] $Path)
    & mountpoint -q -- $Path 2>$null
    $LASTEXITCODE -eq 0
}

function Dismount-SmallTmpfs {
    <# Undoes Mount-SmallTmpfs; safe when nothing is mounted there. Falls back to a lazy unmount if the mount is busy. #>
    param([Parameter(Mandatory)] [string] $Path)
    if ((Test-Path -LiteralPath $Path) -and (Test-MountPoint $Path)) {
        $out = & umount -- $Path 2>&1
        if ($LASTEXITCODE -ne 0) {
            & umount -l -- $Path 2>&1 | Out-Null
            if (Test-MountPoint $Path) { throw "umount '$Path' failed: $out" }
        }
    }
}

function Get-FreeBytes {
    <# Free bytes of the file system holding a folder, as statfs reports them to an unprivileged writer. #>
    param([Parameter(Mandatory)] [string] $Path)
    $available, $unit = (& stat -f -c '%a %S' -- $Path) -split ' '
    [long]$available * [long]$unit
}

function Set-FileSystemFull {
    <#
    .SYNOPSIS
        Fills the file system under -Path: a filler file takes every free block, then empty files take every free inode
        (a tmpfs needs no blocks for an empty or sparse file, so only both together make it truly full). Returns the filler paths.
    #>
    param([Parameter(Mandatory)] [string] $Path)
    $fillers = [Collections.Generic.List[string]]::new()
    $data = Join-Path $Path 'filler.bin'
    $fillers.Add($data)
    $chunk = [byte[]]::new(64KB)
    [Random]::new(7).NextBytes($chunk)
    $stream = [IO.File]::Open($data, 'CreateNew', 'Write', 'None')
    try {
        while ($true) { $stream.Write($chunk, 0, $chunk.Length); $stream.Flush() }
    }
    catch [IO.IOException] { }
    finally { try { $stream.Dispose() } catch [IO.IOException] { } }
    for ($i = 0; $i -lt 100000; $i++) {
        $empty = Join-Path $Path "filler-$i"
        try { [IO.File]::WriteAllBytes($empty, [byte[]]::new(0)) } catch [IO.IOException] { break }
        $fillers.Add($empty)
    }
    , $fillers.ToArray()
}

function Copy-StateFile {
    <#
    .SYNOPSIS
        Copies a state file as it stands, with its write-ahead log (SQLite WAL mode keeps recent commits there until a
        checkpoint). Call it only while no command runs: the copy is then exactly the state of the last command.
    #>
    param([Parameter(Mandatory)] [string] $Source, [Parameter(Mandatory)] [string] $Destination)
    Copy-Item -LiteralPath $Source -Destination $Destination
    if (Test-Path -LiteralPath "$Source-wal") { Copy-Item -LiteralPath "$Source-wal" -Destination "$Destination-wal" }
}

function Write-Garbage {
    <# Overwrites -Count bytes at -Offset of a file with seeded random bytes, as a bad disk or a stray write would. #>
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [long] $Offset, [Parameter(Mandatory)] [int] $Count, [int] $Seed = 66)
    $bytes = [byte[]]::new($Count)
    [Random]::new($Seed).NextBytes($bytes)
    $stream = [IO.File]::Open($Path, 'Open', 'ReadWrite', 'ReadWrite')
    try { $stream.Position = $Offset; $stream.Write($bytes, 0, $Count); $stream.Flush($true) }
    finally { $stream.Dispose() }
}

function Invoke-FlipBytes {
    <# Inverts every bit of -Count bytes at -Offset: the journal still has its length and layout, only its content is wrong. #>
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [long] $Offset, [int] $Count = 16)
    $stream = [IO.File]::Open($Path, 'Open', 'ReadWrite', 'ReadWrite')
    try {
        $buffer = [byte[]]::new($Count)
        $stream.Position = $Offset
        $read = $stream.Read($buffer, 0, $Count)
        for ($i = 0; $i -lt $read; $i++) { $buffer[$i] = $buffer[$i] -bxor 0xFF }
        $stream.Position = $Offset
        $stream.Write($buffer, 0, $read)
        $stream.Flush($true)
    }
    finally { $stream.Dispose() }
}

function Set-FileLength {
    <# Truncates or extends a file behind the module's back (ftruncate), as a careless admin or a broken tool would. #>
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [long] $Length)
    $stream = [IO.File]::Open($Path, 'Open', 'ReadWrite', 'ReadWrite')
    try { $stream.SetLength($Length); $stream.Flush($true) }
    finally { $stream.Dispose() }
}

Export-ModuleMember -Function Assert-FaultInjectionSupport, Set-FolderImmutable, Clear-FolderImmutable, Test-FolderImmutable,
    Mount-SmallTmpfs, Resize-SmallTmpfs, Test-MountPoint, Dismount-SmallTmpfs, Get-FreeBytes, Set-FileSystemFull,
    Copy-StateFile, Write-Garbage, Invoke-FlipBytes, Set-FileLength
