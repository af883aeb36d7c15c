#Requires -Version 7.0
<#
.SYNOPSIS
    Builds, tests and demonstrates Replication.PowerShell.
.DESCRIPTION
    Tasks:
      Build  publishes the cmdlet assembly and assembles the loadable module in out/module/Replication.PowerShell.
      Package    builds, then packs the module (with CHANGELOG.md) into out/package/Replication.PowerShell.<version>.nupkg,
                 which Publish-PSResource -NupkgPath puts in a repository and Install-PSResource installs from it.
      Test   builds, runs the xunit suites and the Pester suite (in a fresh pwsh), and ends with "N passed, N failed";
             it fails on a failed or skipped test, a runner that failed or crashed, a suite under its count in
             tests/minimum-counts.psd1, or a Pester It that made no test.
      Agent      publishes the storage agent (src/Replication.Agent) to out/agent: run it with dotnet out/agent/Replication.Agent.dll
                 --config <agent.json> (docs/agents.md: configuration, certificates, systemd unit, Windows service).
      Demo       builds and runs the disaster-recovery walkthrough on temporary folders.
      SiteDrill  builds and runs the fifty-volume whole-site drill (failover, failback, groups, health) on temporary folders.
      Bench      builds and runs the benchmark against cp, rsync and dd; figures in bench/results.
      Clean      removes build output.
    Run through the repository's local tool: dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Package', 'Test', 'Agent', 'Demo', 'SiteDrill', 'Bench', 'Clean')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleOut = Join-Path $out 'module/Replication.PowerShell'
$moduleBuilt = $false   # set once Invoke-Build has published the module in this run
$manifest = Join-Path $moduleOut 'Replication.PowerShell.psd1'
$agentOut = Join-Path $out 'agent'

function Invoke-Native {
    param([string] $FilePath, [string[]] $Arguments)
    & $FilePath @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$FilePath $($Arguments -join ' ') exited with $LASTEXITCODE" }
}

function Invoke-Build {
    # Once per run, whichever tasks ask for it (-Task Build, Test publishes the module once).
    if ($script:moduleBuilt) { return }
    Write-Host "== Build ($Configuration)"
    if (Test-Path $moduleOut) { Remove-Item $moduleOut -Recurse -Force }
    Invoke-Native dotnet @('publish', "$root/src/Replication.PowerShell/Replication.PowerShell.csproj", '-c', $Configuration, '-o', $moduleOut, '--nologo', '-v', 'quiet')
    Add-PostgreSqlStore
    Add-DriverLoadContext
    Add-BundledDrivers
    Copy-Item "$root/module/*" $moduleOut -Recurse -Force
    Write-Help
    # The module's manifest, not the publish's dependency file, decides what loads.
    Remove-Item (Join-Path $moduleOut 'Replication.PowerShell.deps.json') -ErrorAction Ignore
    $script:moduleBuilt = $true
    Write-Host "Module: $moduleOut"
}

function Add-PostgreSqlStore {
    # The PostgreSQL store (net8.0, loaded only for a PostgreSQL connection string) and Npgsql join the module folder;
    # its publish also gives the net8.0 builds of assemblies the module ships twice.
    # Assemblies the module already has (the engine and its dependencies, in the netstandard2.0 builds that Windows
    # PowerShell loads too) are kept: one copy of each assembly in the folder.
    $publish = Join-Path $out 'postgresql-publish'
    if (Test-Path $publish) { Remove-Item $publish -Recurse -Force }
    Invoke-Native dotnet @('publish', "$root/src/Replication.State.PostgreSql/Replication.State.PostgreSql.csproj", '-c', $Configuration, '-o', $publish, '--nologo', '-v', 'quiet')
    Add-TwoBuildAssembly 'System.IO.Hashing.dll' $publish
    Get-ChildItem $publish -Filter '*.dll' | Where-Object { -not (Test-Path (Join-Path $moduleOut $_.Name)) } | Copy-Item -Destination $moduleOut
    Remove-Item $publish -Recurse -Force
}

function Add-DriverLoadContext {
    # The load context registered storage drivers load in (net8.0, used only on PowerShell 7): its one assembly joins
    # the module folder; the driver contract it references is the module's own.
    $publish = Join-Path $out 'loadcontext-publish'
    if (Test-Path $publish) { Remove-Item $publish -Recurse -Force }
    Invoke-Native dotnet @('publish', "$root/src/Replication.Drivers.LoadContext/Replication.Drivers.LoadContext.csproj", '-c', $Configuration, '-o', $publish, '--nologo', '-v', 'quiet')
    Copy-Item (Join-Path $publish 'Replication.Drivers.LoadContext.dll') $moduleOut
    Remove-Item $publish -Recurse -Force
}

function Add-BundledDrivers {
    # Drivers shipped with the module but loaded only when a backend uses one (PowerShell 7 only), each in drivers/<Name>
    # with its own dependencies: the engine loads it in a load context of its own, and Windows PowerShell never sees it.
    Invoke-Native dotnet @('publish', "$root/src/Replication.Drivers.Agent/Replication.Drivers.Agent.csproj", '-c', $Configuration, '-o', (Join-Path $moduleOut 'drivers/Agent'), '--nologo', '-v', 'quiet')
}

function Invoke-Agent {
    # The storage agent, framework-dependent (the ASP.NET Core runtime of .NET 10 is needed where it runs).
    Write-Host "== Agent ($Configuration)"
    if (Test-Path $agentOut) { Remove-Item $agentOut -Recurse -Force }
    Invoke-Native dotnet @('publish', "$root/src/Replication.Agent/Replication.Agent.csproj", '-c', $Configuration, '-o', $agentOut, '--nologo', '-v', 'quiet')
    Write-Host "Agent: $agentOut"
}

function Add-TwoBuildAssembly {
    # An assembly shipped in both builds, lib/netstandard2.0 (the cmdlet publish's) and lib/net8.0 (the net8.0 publish's),
    # neither in the module folder itself: ManagedLibraryResolver loads the one for the running .NET. For
    # System.IO.Hashing the net8.0 build is the vectorised one, about six times faster at hashing blocks.
    param([string] $FileName, [string] $Net8Publish)
    foreach ($build in 'netstandard2.0', 'net8.0') { New-Item -ItemType Directory -Force (Join-Path $moduleOut "lib/$build") | Out-Null }
    Move-Item (Join-Path $moduleOut $FileName) (Join-Path $moduleOut "lib/netstandard2.0/$FileName")
    Move-Item (Join-Path $Net8Publish $FileName) (Join-Path $moduleOut "lib/net8.0/$FileName")
}

function Write-Help {
    # PlatyPS, when installed, compiles the PlatyPS markdown in docs/en-US itself; otherwise (as on CI, where no
    # registry serves it) the project's own converter writes the same MAML and about_*.help.txt files.
    $helpOut = Join-Path $moduleOut 'en-US'
    if (Get-Module -ListAvailable -Name platyPS) {
        Import-Module platyPS
        New-ExternalHelp -Path "$root/docs/en-US" -OutputPath $helpOut -Force | Out-Null
        Write-Host "Help: compiled with PlatyPS"
    }
    else {
        Invoke-Native dotnet @('run', '--project', "$root/src/Replication.HelpCompiler/Replication.HelpCompiler.csproj", '-c', $Configuration, '-v', 'quiet', '--', "$root/docs/en-US", $helpOut, 'Replication.PowerShell')
    }
}

function Get-NuGetPackageFolder {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $line = @(& dotnet nuget locals global-packages --list) -match 'global-packages:' | Select-Object -First 1
    return ($line -replace '^.*global-packages:\s*', '').Trim()
}

function Get-PesterPath {
    Invoke-Native dotnet @('restore', "$root/tests/tools/tools.csproj", '--nologo', '-v', 'quiet')
    $pester = Join-Path (Get-NuGetPackageFolder) 'pester/5.7.1/tools/Pester.psd1'
    if (-not (Test-Path $pester)) { throw "Pester was not restored to $pester" }
    $pester
}

function Test-ModuleClosure {
    # Windows PowerShell 5.1 cannot run here: how .NET Framework 4.7.2 would bind every assembly of the built module is
    # checked by reading them (src/Replication.ModuleClosure); a reference it could not bind fails the run.
    Write-Host '== Module closure under Windows PowerShell 5.1'
    Invoke-Native dotnet @('run', '--project', "$root/src/Replication.ModuleClosure/Replication.ModuleClosure.csproj", '-c', $Configuration, '-v', 'quiet', '--', $moduleOut)
}

function Invoke-Test {
    # The suites' runner and verdict: tests/TestRun/TestRun.psm1 (a suite is green only if it ran completely, at least
    # its recorded number of tests, none failed or skipped).
    Import-Module "$root/tests/TestRun/TestRun.psm1" -Force
    Clear-TestEnvironment | Write-Host
    Invoke-Package   # the module, and the package that the install test installs from a repository
    Invoke-Agent     # the agents the two-site Pester tests start
    Test-ModuleClosure
    $results = Join-Path $out 'test-results'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    New-Item -ItemType Directory $results | Out-Null
    # No test may touch the user's real state file, even by mistake.
    $env:REPLICATION_POWERSHELL_STATE = Join-Path $results 'default-state-guard.db'
    $env:NO_COLOR = '1'
    $started = Get-Date
    # The PostgreSQL tests need a server: the one REPLICATION_TEST_POSTGRES names, else a throw-away one started here.
    $server = $null
    if (-not $env:REPLICATION_TEST_POSTGRES) {
        Import-Module "$root/tests/PostgreSql/TestPostgres.psm1" -Force
        $server = Start-TestPostgres
        $env:REPLICATION_TEST_POSTGRES = $server.ConnectionString
        Write-Host "PostgreSQL test server: $($server.ConnectionString) (data in $($server.Folder))"
    }
    $engineTests = "$root/tests/Replication.Engine.Tests/Replication.Engine.Tests.csproj"
    $xunit = @{ ResultsFolder = $results; Configuration = $Configuration }
    # The run's steps, in order; each returns one row of the summary (New-SuiteResult: counts and problems).
    $steps = @(
        { Invoke-XunitSuite 'Replication.Engine.Tests' $engineTests @xunit }
        # The engine tests that open a site on the suite's store, once more on PostgreSQL (built by the run before).
        { Invoke-XunitSuite 'Replication.Engine.Tests (PostgreSql)' $engineTests @xunit -Filter 'Store=Each' -Environment @{ REPLICATION_TEST_STATE_STORE = 'PostgreSql' } -NoBuild }
        { Invoke-XunitSuite 'Replication.PowerShell.Tests' "$root/tests/Replication.PowerShell.Tests/Replication.PowerShell.Tests.csproj" @xunit }
        { Invoke-XunitSuite 'Replication.HelpCompiler.Tests' "$root/tests/Replication.HelpCompiler.Tests/Replication.HelpCompiler.Tests.csproj" @xunit }
        # The conformance kit on the sample driver (built from its own project) and on drivers broken on purpose.
        { Invoke-XunitSuite 'Replication.Drivers.Conformance.Tests' "$root/tests/Replication.Drivers.Conformance.Tests/Replication.Drivers.Conformance.Tests.csproj" @xunit }
        # The storage agent as a process on loopback, and the Agent driver against it (the kit, strangers, native rounds).
        { Invoke-XunitSuite 'Replication.Agent.Tests' "$root/tests/Agents/Replication.Agent.Tests/Replication.Agent.Tests.csproj" @xunit }
        { Invoke-PesterSuite -PesterPath (Get-PesterPath) -ModulePath $manifest -ResultsFolder $results }
    )
    try {
        $suites = foreach ($step in $steps) { & $step }
    }
    finally {
        if ($server) {
            Stop-TestPostgres $server
            Remove-Item Env:REPLICATION_TEST_POSTGRES
            Write-Host 'PostgreSQL test server stopped.'
        }
    }
    Write-Host ''
    if (-not (Complete-TestRun -Results $suites -Elapsed ((Get-Date) - $started))) { exit 1 }
}

function Invoke-Package {
    # PowerShell's own packer (PSResourceGet, shipped with PowerShell 7.4+) makes the .nupkg, so the package holds what
    # Publish-PSResource and Install-PSResource expect: the manifest's metadata in its nuspec, the module at its root.
    Invoke-Build
    Copy-Item (Join-Path $root 'CHANGELOG.md') $moduleOut
    $package = Join-Path $out 'package'
    if (Test-Path $package) { Remove-Item $package -Recurse -Force }
    New-Item -ItemType Directory $package | Out-Null
    Import-Module Microsoft.PowerShell.PSResourceGet
    Compress-PSResource -Path $moduleOut -DestinationPath $package
    Write-Host "Package: $((Get-ChildItem $package -Filter '*.nupkg').FullName)"
}

function Invoke-Demo {
    Invoke-Build
    & dotnet pwsh -NoProfile -NonInteractive -File "$root/docs/examples/DR-Walkthrough.ps1" -ModulePath $manifest
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-SiteDrill {
    Invoke-Build
    & dotnet pwsh -NoProfile -NonInteractive -File "$root/docs/examples/Site-Failover.ps1" -ModulePath $manifest
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-Bench {
    Invoke-Build
    # Exits non-zero only when part of the benchmark could not run; a missed target is reported, not a failure.
    & dotnet pwsh -NoProfile -NonInteractive -File "$root/bench/Invoke-Benchmarks.ps1" -ModulePath $manifest -OutputFolder "$root/bench/results"
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

foreach ($name in $Task) {
    switch ($name) {
        'Build' { Invoke-Build }
        'Package' { Invoke-Package }
        'Test' { Invoke-Test }
        'Agent' { Invoke-Agent }
        'Demo' { Invoke-Demo }
        'SiteDrill' { Invoke-SiteDrill }
        'Bench' { Invoke-Bench }
        'Clean' { if (Test-Path $out) { Remove-Item $out -Recurse -Force }; $script:moduleBuilt = $false }
    }
}
