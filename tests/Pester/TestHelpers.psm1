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

function Get-AllocatedBytes {
    <#
    .SYNOPSIS
        The bytes the file system really allocated for a file (not its length), asked of a native tool as an admin would.
    #>
    param([Parameter(Mandatory)] [string] $Path)
    if ($IsLinux) {
        $blocks, $unit = (& stat -c '%b %B' -- $Path) -split ' '
    }
    elseif ($IsMacOS) {
        $blocks = & stat -f '%b' -- $Path
        $unit = 512
    }
    else {
        throw 'Get-AllocatedBytes needs stat (Linux or macOS).'
    }
    if ($LASTEXITCODE -ne 0) { throw "stat failed for '$Path' with exit code $LASTEXITCODE" }
    [long]$blocks * [long]$unit
}

function Get-NativeFileMode {
    <#
    .SYNOPSIS
        The permission string (for example -r--r--r--) a native 'stat' shows for a file.
    #>
    param([Parameter(Mandatory)] [string] $Path)
    $mode = if ($IsMacOS) { & stat -f '%Sp' -- $Path } else { & stat -c '%A' -- $Path }
    if ($LASTEXITCODE -ne 0) { throw "stat failed for '$Path' with exit code $LASTEXITCODE" }
    $mode
}

function Get-BackendVolumeFile {
    <#
    .SYNOPSIS
        The file a backend holds for a volume: the backend's folder joined with the file name of the volume's connection path.
    #>
    param([Parameter(Mandatory)] [string] $BackendName, [Parameter(Mandatory)] [string] $VolumeName)
    $folder = (Get-StorageBackend -Name $BackendName).Path
    $leaf = Split-Path -Leaf (Get-VolumeConnection -Name $VolumeName).Path
    Join-Path $folder $leaf
}

function Test-BytesEqual {
    param([byte[]] $Left, [byte[]] $Right)
    if ($null -eq $Left -or $null -eq $Right -or $Left.Length -ne $Right.Length) { return $false }
    [System.Linq.Enumerable]::SequenceEqual($Left, $Right)
}

function Get-VolumeFileSnapshot {
    <#
    .SYNOPSIS
        Every file under the site's backend folders with its length and hash: compared before and after a command that must change nothing.
    #>
    param([Parameter(Mandatory)] $Site)
    $folders = @($Site.Dc1, $Site.Dc2) | Where-Object { Test-Path $_ }
    @(Get-ChildItem -Path $folders -Recurse -File -ErrorAction SilentlyContinue | Sort-Object FullName | ForEach-Object {
            '{0}|{1}|{2}|{3}' -f $_.FullName, $_.Length, $_.IsReadOnly, (Get-FileHash -Path $_.FullName -Algorithm SHA256).Hash
        })
}

function New-ReplicationStory {
    <#
    .SYNOPSIS
        A fresh site with the story's first steps done: dc1 and dc2 paired, a 'replicated' and a 'plain' volume type.
    #>
    $site = New-ReplicationTestSite
    New-PairedBackends -Site $site
    New-ReplicatedVolumeType -Name replicated | Out-Null
    New-VolumeType -Name plain | Out-Null
    $site
}

function Get-ReplicaFile {
    <#
    .SYNOPSIS
        The replica file of a volume: the file of the same name in the replica backend's folder.
    #>
    param([Parameter(Mandatory)] [string] $VolumeName)
    $replica = Get-VolumeReplica -Name $VolumeName
    Get-BackendVolumeFile -BackendName $replica.ReplicaBackend -VolumeName $VolumeName
}

function Enable-DefaultStateGuard {
    <#
    .SYNOPSIS
        Points REPLICATION_POWERSHELL_STATE at a throw-away file when nobody did (build.ps1 does), so that
        Set-ReplicationStateStore -Default in Remove-ReplicationTestSite never opens the user's real state file.
    #>
    $guard = Join-Path ([IO.Path]::GetTempPath()) "rp-pester-guard-$PID.db"
    if ([string]::IsNullOrWhiteSpace($env:REPLICATION_POWERSHELL_STATE)) {
        $env:REPLICATION_POWERSHELL_STATE = $guard
    }
    if ($env:REPLICATION_POWERSHELL_STATE -eq $guard) {
        $script:GuardPath = $guard
    }
}

function Remove-DefaultStateGuard {
    <#
    .SYNOPSIS
        Deletes the throw-away state file Enable-DefaultStateGuard chose (never a path somebody else set).
    #>
    if ($script:GuardPath -and $env:REPLICATION_POWERSHELL_STATE -eq $script:GuardPath) {
        Get-Item -Path "$($script:GuardPath)*" -ErrorAction SilentlyContinue | Remove-Item -Force
    }
}

function Get-SiteFingerprint {
    <#
    .SYNOPSIS
        Every file under a test site (the state file and its WAL included) by path, size, mode bits and content hash:
        equal fingerprints mean nothing changed, byte for byte. SQLite's -shm file is left out: it is a shared-memory
        index of the WAL that any reader may rewrite, not data, and SQLite rebuilds it from the WAL.
    #>
    param([Parameter(Mandatory)] $Site)
    Get-ChildItem -Path $Site.Root -Recurse -File | Where-Object Name -NotLike '*-shm' | Sort-Object FullName | ForEach-Object {
        '{0} {1} {2} {3}' -f $_.FullName.Substring($Site.Root.Length), $_.Length, $_.UnixFileMode, (Get-FileHash $_.FullName -Algorithm SHA256).Hash
    }
}

function Get-FreeTcpPort {
    <# A TCP port of 127.0.0.1 that nothing listens on now, for a service the test starts in a child process. #>
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Wait-VolumeExport {
    <# Waits until Get-VolumeExport reports the volume's export in -Mode (a service in a child process starts it); returns the export. #>
    param([Parameter(Mandatory)] [string] $VolumeName, [Parameter(Mandatory)] [string] $Mode, [int] $TimeoutSeconds = 90)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        $export = Get-VolumeExport -Name $VolumeName -ErrorAction Ignore
        if ($export -and "$($export.Mode)" -eq $Mode) { return $export }
        Start-Sleep -Milliseconds 100
    }
    throw "The export of '$VolumeName' did not reach mode $Mode within $TimeoutSeconds s."
}

function Invoke-QemuIo {
    <#
    .SYNOPSIS
        Runs QEMU's NBD client (qemu-io, Debian package qemu-utils) with one -c per command on an nbd:// URL; returns
        its exit code (0: every command succeeded) and output.
    #>
    param([Parameter(Mandatory)] [string] $Url, [Parameter(Mandatory)] [string[]] $Command)
    $arguments = @('-f', 'raw') + @($Command | ForEach-Object { '-c'; $_ }) + @($Url)
    $output = & qemu-io @arguments 2>&1 | Out-String
    [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output }
}

function Get-PatternCount {
    <# How many bytes of a file's range hold the byte -Pattern. #>
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [long] $Offset, [Parameter(Mandatory)] [int] $Count, [Parameter(Mandatory)] [byte] $Pattern)
    @((Read-VolumeBytes -Path $Path -Offset $Offset -Count $Count) -eq $Pattern).Count
}

function Get-PwshCommand {
    <#
    .SYNOPSIS
        The pwsh this test runs in, as a file and leading arguments, for starting child processes: pwsh itself, or
        dotnet plus pwsh.dll when pwsh runs as a .NET local tool (then the process is dotnet).
    #>
    $exe = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') {
        $entry = [Reflection.Assembly]::GetEntryAssembly().Location
        if (-not $entry -or [IO.Path]::GetFileName($entry) -ne 'pwsh.dll') { throw "Cannot tell which pwsh runs this test (entry assembly '$entry')." }
        return [pscustomobject]@{ File = $exe; Prefix = @($entry) }
    }
    [pscustomobject]@{ File = $exe; Prefix = @() }
}

function Get-TestPostgres {
    <#
    .SYNOPSIS
        The test PostgreSQL server that REPLICATION_TEST_POSTGRES names (build.ps1 -Task Test starts one), as its parts.
        Fails, never skips, when the variable is not set.
    #>
    $connectionString = $env:REPLICATION_TEST_POSTGRES
    if (-not $connectionString) {
        throw 'REPLICATION_TEST_POSTGRES is not set: the PostgreSQL tests need a server. Run them through build.ps1 -Task Test (it starts one), or start one with tests/PostgreSql/TestPostgres.psm1 and set the variable to its ConnectionString.'
    }
    $parts = @{}
    foreach ($pair in $connectionString -split ';') {
        $key, $value = $pair -split '=', 2
        if ($key) { $parts[$key.Trim()] = $value.Trim() }
    }
    [pscustomobject]@{ ConnectionString = $connectionString; Host = $parts['Host']; Port = $parts['Port']; Username = $parts['Username'] }
}

function Invoke-TestPostgresSql {
    <#
    .SYNOPSIS
        Runs SQL on the test server with psql, as its superuser (by default in the database 'postgres').
    #>
    param([Parameter(Mandatory)] [string] $Sql, [string] $Database = 'postgres')
    $server = Get-TestPostgres
    $output = & psql -X -q -A -t -v ON_ERROR_STOP=1 -h $server.Host -p $server.Port -U $server.Username -d $Database -c $Sql 2>&1
    if ($LASTEXITCODE -ne 0) { throw "psql failed ($LASTEXITCODE) on: $Sql`n$($output -join "`n")" }
    $output
}

function Reset-TestPostgresDatabase {
    <#
    .SYNOPSIS
        Drops the database (cutting its connections) and creates it again, empty.
    #>
    param([Parameter(Mandatory)] [string] $Name)
    Invoke-TestPostgresSql "DROP DATABASE IF EXISTS `"$Name`" WITH (FORCE);" | Out-Null
    Invoke-TestPostgresSql "CREATE DATABASE `"$Name`";" | Out-Null
}

function New-TestPostgresDatabase {
    <#
    .SYNOPSIS
        A new, empty database on the test server; returns its connection string. Remove-TestPostgresDatabase drops it.
    #>
    $name = 'rp_' + [guid]::NewGuid().ToString('N').Substring(0, 16)
    Reset-TestPostgresDatabase -Name $name
    [pscustomobject]@{ Name = $name; ConnectionString = ((Get-TestPostgres).ConnectionString -replace 'Database=[^;]*', "Database=$name") }
}

function Remove-TestPostgresDatabase {
    param([Parameter(Mandatory)] $Database)
    Invoke-TestPostgresSql "DROP DATABASE IF EXISTS `"$($Database.Name)`" WITH (FORCE);" | Out-Null
}

function Invoke-TestStateQuery {
    <#
    .SYNOPSIS
        Raw rows from a state file, read-only, through the Microsoft.Data.Sqlite the module loaded (and whose native
        SQLite it initialised).
    #>
    param([Parameter(Mandatory)] [string] $StatePath, [Parameter(Mandatory)] [string] $Sql)
    $connection = [Microsoft.Data.Sqlite.SqliteConnection]::new("Data Source=$StatePath;Mode=ReadOnly;Pooling=False")
    try {
        $connection.Open()
        $command = $connection.CreateCommand()
        $command.CommandText = $Sql
        $reader = $command.ExecuteReader()
        while ($reader.Read()) {
            $row = [ordered]@{}
            for ($i = 0; $i -lt $reader.FieldCount; $i++) { $row[$reader.GetName($i)] = if ($reader.IsDBNull($i)) { $null } else { $reader.GetValue($i) } }
            [pscustomobject]$row
        }
        $reader.Dispose()
    }
    finally { $connection.Dispose() }
}

function Get-LastEventId {
    <# The id of the newest replication event, 0 when there is none: events after it are what a step recorded. #>
    $last = Get-ReplicationEvent -Newest 1
    if ($last) { $last.Id } else { 0 }
}

function Get-EventsAfter([long] $Id) { @(Get-ReplicationEvent | Where-Object Id -GT $Id) }

function Invoke-ChildPwsh {
    <#
    .SYNOPSIS
        Runs a script in a fresh pwsh with extra environment variables (REPLICATION_POWERSHELL_CRASH_AT, say) and returns
        its exit code and output. The child is killed if it runs longer than -TimeoutSeconds.
    #>
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{}, [int] $TimeoutSeconds = 30)
    $command = Get-PwshCommand
    $start = [Diagnostics.ProcessStartInfo]::new($command.File)
    foreach ($argument in @($command.Prefix) + @('-NoProfile', '-NonInteractive', '-Command', $Script)) { $start.ArgumentList.Add($argument) }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    foreach ($key in $Environment.Keys) { $start.Environment[$key] = [string]$Environment[$key] }
    $process = [Diagnostics.Process]::Start($start)
    $stdout = $process.StandardOutput.ReadToEndAsync()
    $stderr = $process.StandardError.ReadToEndAsync()
    if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
        $process.Kill($true)
        $process.WaitForExit()
        throw "The child pwsh did not finish within $TimeoutSeconds s. Output: $($stdout.Result) $($stderr.Result)"
    }
    [pscustomobject]@{ ExitCode = $process.ExitCode; Stdout = $stdout.Result; Stderr = $stderr.Result }
}

Export-ModuleMember -Function *
