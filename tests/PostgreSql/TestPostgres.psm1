# A throw-away PostgreSQL server for the test suites: its own data folder under the temp folder, its own port on
# 127.0.0.1, trust authentication (nothing but this machine can reach it), started with the Debian packages' initdb and
# pg_ctl. As root (as CI runs) the server runs as the 'postgres' user the packages create: PostgreSQL refuses root.
# build.ps1 -Task Test starts one when REPLICATION_TEST_POSTGRES is not set and stops it afterwards; by hand:
#   Import-Module ./tests/PostgreSql/TestPostgres.psm1
#   $server = Start-TestPostgres; $env:REPLICATION_TEST_POSTGRES = $server.ConnectionString
#   ... dotnet test ...; Stop-TestPostgres $server

$ErrorActionPreference = 'Stop'

function Find-PostgresBin {
    $debian = Get-ChildItem -Path '/usr/lib/postgresql/*/bin/initdb' -ErrorAction SilentlyContinue |
        Sort-Object { [int](Split-Path (Split-Path (Split-Path $_.FullName -Parent) -Parent) -Leaf) } |
        Select-Object -Last 1
    if ($debian) { return Split-Path $debian.FullName -Parent }
    $initdb = Get-Command initdb -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($initdb) { return Split-Path $initdb.Source -Parent }
    throw 'No PostgreSQL server binaries (initdb, pg_ctl). Install them: apt-get install postgresql (Debian 12 gives PostgreSQL 15).'
}

function Get-FreePort {
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Invoke-AsServerUser {
    param([string] $RunAs, [string] $File, [string[]] $Arguments)
    $output = if ($RunAs) { & runuser -u $RunAs -- $File @Arguments 2>&1 } else { & $File @Arguments 2>&1 }
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') exited with ${LASTEXITCODE}:`n$($output -join "`n")" }
}

function Start-TestPostgres {
    <#
    .SYNOPSIS
        Creates a fresh cluster in a new temp folder, starts it on a free port of 127.0.0.1 and returns its connection
        string (superuser 'postgres', database 'postgres') with what Stop-TestPostgres needs.
    #>
    $bin = Find-PostgresBin
    $runAs = if ($IsLinux -and (& id -u) -eq '0') { 'postgres' } else { $null }
    $folder = Join-Path ([IO.Path]::GetTempPath()) ('replication-pg-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    $data = Join-Path $folder 'data'
    New-Item -ItemType Directory -Path $folder | Out-Null
    if ($runAs) { & chown $runAs $folder; if ($LASTEXITCODE -ne 0) { throw "chown $runAs $folder failed" } }
    $port = Get-FreePort
    # Durability settings off: this server's data is thrown away, and the suites are what is measured, not fsync.
    Invoke-AsServerUser $runAs (Join-Path $bin 'initdb') @('-D', $data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync')
    $options = "-c listen_addresses=127.0.0.1 -p $port -k $folder -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    Invoke-AsServerUser $runAs (Join-Path $bin 'pg_ctl') @('start', '-D', $data, '-l', (Join-Path $folder 'server.log'), '-o', $options, '-w', '-t', '60')
    [pscustomobject]@{
        ConnectionString = "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
        Port             = $port
        Folder           = $folder
        Bin              = $bin
        RunAs            = $runAs
    }
}

function Stop-TestPostgres {
    <#
    .SYNOPSIS
        Stops the server Start-TestPostgres started (fast shutdown: open connections are cut) and removes its folder.
    #>
    param([Parameter(Mandatory)] $Server)
    Invoke-AsServerUser $Server.RunAs (Join-Path $Server.Bin 'pg_ctl') @('stop', '-D', (Join-Path $Server.Folder 'data'), '-m', 'fast', '-w', '-t', '60')
    Remove-Item -LiteralPath $Server.Folder -Recurse -Force
}

Export-ModuleMember -Function Start-TestPostgres, Stop-TestPostgres
