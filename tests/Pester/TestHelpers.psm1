# Shared by the Pester test files: a fresh state file and backend folders per test, removed afterwards.

function New-ReplicationTestSite {
    <#
    .SYNOPSIS
        Creates a temporary folder with its own state file, points the session at it, and returns the paths.
    #>
    $root = Join-Path ([IO.Path]::GetTempPath()) ("rp-pester-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $root | Out-Null
    $state = Join-Path $root 'state.db'
    Set-ReplicationStateStore -Path $state
    [pscustomobject]@{
        Root  = $root
        State = $state
        Dc1   = Join-Path $root 'dc1'
        Dc2   = Join-Path $root 'dc2'
    }
}

function Remove-ReplicationTestSite {
    param([Parameter(Mandatory)] $Site)
    Set-ReplicationStateStore -Default
    if (Test-Path $Site.Root) {
        # Fenced volume files are read-only; the folder still goes.
        Get-ChildItem $Site.Root -Recurse -File | ForEach-Object { $_.IsReadOnly = $false }
        Remove-Item $Site.Root -Recurse -Force
    }
}

function New-PairedBackends {
    param([Parameter(Mandatory)] $Site)
    New-StorageBackend -Name dc1 -Driver LocalFile -Path $Site.Dc1 -ReplicationPartner dc2 | Out-Null
    New-StorageBackend -Name dc2 -Driver LocalFile -Path $Site.Dc2 -ReplicationPartner dc1 | Out-Null
}

function Write-VolumeBytes {
    <#
    .SYNOPSIS
        Writes bytes into a volume file the way any other program would: plain file I/O at an offset.
    #>
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [long] $Offset, [Parameter(Mandatory)] [byte[]] $Bytes)
    $stream = [IO.File]::Open($Path, 'Open', 'ReadWrite', 'ReadWrite')
    try {
        $stream.Position = $Offset
        $stream.Write($Bytes, 0, $Bytes.Length)
        $stream.Flush($true)
    }
    finally { $stream.Dispose() }
}

function Read-VolumeBytes {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [long] $Offset, [Parameter(Mandatory)] [int] $Count)
    $stream = [IO.File]::Open($Path, 'Open', 'Read', 'ReadWrite')
    try {
        $buffer = [byte[]]::new($Count)
        $stream.Position = $Offset
        $read = 0
        while ($read -lt $Count) {
            $n = $stream.Read($buffer, $read, $Count - $read)
            if ($n -eq 0) { break }
            $read += $n
        }
        , $buffer
    }
    finally { $stream.Dispose() }
}

function Get-RandomBytes {
    param([Parameter(Mandatory)] [int] $Count, [int] $Seed = 1)
    $bytes = [byte[]]::new($Count)
    [Random]::new($Seed).NextBytes($bytes)
    , $bytes
}

function Get-FileSha256 {
    param([Parameter(Mandatory)] [string] $Path)
    (Get-FileHash -Path $Path -Algorithm SHA256).Hash
}

Export-ModuleMember -Function *
