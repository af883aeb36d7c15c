# A storage driver from outside the module: the sample ChunkFolder driver is built from its own project, copied to a
# folder of its own as a vendor ships it, registered into the BUILT module in a fresh pwsh (no rebuild), listed, and
# proved by the conformance kit; a second fresh pwsh finds the registration in the state file and unregisters it.
# (The seed story on the sample driver needs the engine on the driver contract, which this branch does not have yet.)

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $root = Join-Path ([IO.Path]::GetTempPath()) ("rp-driver-" + [guid]::NewGuid().ToString('N'))
    $vendor = Join-Path $root 'vendor'
    New-Item -ItemType Directory -Path $vendor | Out-Null
    $project = Join-Path $PSScriptRoot '../../samples/ChunkFolderDriver/ChunkFolderDriver.csproj'
    $build = & dotnet build $project -c Release --nologo -v quiet 2>&1
    if ($LASTEXITCODE -ne 0) { throw "The sample driver did not build (exit $LASTEXITCODE): $($build -join "`n")" }
    Copy-Item (Join-Path $PSScriptRoot '../../samples/ChunkFolderDriver/bin/Release/netstandard2.0/ChunkFolderDriver.dll') $vendor
    $environment = @{
        REPLICATION_MODULE_PATH = $env:REPLICATION_MODULE_PATH
        T_STATE                 = Join-Path $root 'state.db'
        T_DRIVER                = Join-Path $vendor 'ChunkFolderDriver.dll'
        T_SCRATCH               = Join-Path $root 'scratch'
    }

    $first = Invoke-ChildPwsh -TimeoutSeconds 300 -Environment $environment -Script @'
$ErrorActionPreference = 'Stop'
Import-Module $env:REPLICATION_MODULE_PATH
Set-ReplicationStateStore -Path $env:T_STATE
$registered = Register-StorageDriver -Path $env:T_DRIVER
$listed = @(Get-StorageDriver)
$results = @(Test-StorageDriver -Name ChunkFolder -Setting @{ Folder = $env:T_SCRATCH })
$driver = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'ChunkFolderDriver' }
$contract = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Replication.Drivers.Abstractions' }
[pscustomobject]@{
    Registered      = $registered | Select-Object Name, Version, ConnectionType, Source, Path, @{ n = 'Settings'; e = { $_.Settings.Name } }
    Listed          = @($listed | Select-Object Name, Source, ConnectionType)
    Results         = @($results | Select-Object Driver, Promise, Passed, Detail)
    Table           = ($results | Format-Table | Out-String -Width 100)
    DriverContext   = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($driver).Name
    DriverCopies    = @($driver).Count
    ContractCopies  = @($contract).Count
    ContractContext = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($contract).Name
    ScratchCopies   = @(Get-ChildItem (Join-Path $env:T_SCRATCH 'copies')).Count
} | ConvertTo-Json -Depth 4 -Compress
'@
    $second = Invoke-ChildPwsh -TimeoutSeconds 120 -Environment $environment -Script @'
$ErrorActionPreference = 'Stop'
Import-Module $env:REPLICATION_MODULE_PATH
Set-ReplicationStateStore -Path $env:T_STATE
$before = @(Get-StorageDriver | Select-Object Name, Source, Version, Problem)
Unregister-StorageDriver -Name ChunkFolder
$after = @(Get-StorageDriver | Select-Object Name, Source)
$events = @(Get-ReplicationEvent -Name ChunkFolder | Select-Object -ExpandProperty Operation)
[pscustomobject]@{ Before = $before; After = $after; Events = $events } | ConvertTo-Json -Depth 4 -Compress
'@
    function Read-Child($Run) {
        $Run.ExitCode | Should -Be 0 -Because "$($Run.Stdout) $($Run.Stderr)"
        ($Run.Stdout -split "`r?`n" | Where-Object { $_.Trim() } | Select-Object -Last 1) | ConvertFrom-Json
    }
}

AfterAll { Remove-Item $root -Recurse -Force -ErrorAction Ignore }

Describe 'The sample ChunkFolder driver, registered into the built module' {
    It 'registers from the vendor''s folder under the name, version and connection type the driver gives' {
        $result = Read-Child $first
        $result.Registered.Name | Should -Be 'ChunkFolder'
        $result.Registered.Version | Should -Be '1.0.0.0'
        $result.Registered.ConnectionType | Should -Be 'chunkfolder'
        $result.Registered.Source | Should -Be 'Registered'
        $result.Registered.Path | Should -Be $environment.T_DRIVER
        $result.Registered.Settings | Should -Be @('Folder', 'ChunkSize')
    }

    It 'is listed by Get-StorageDriver beside the built-in LocalFile' {
        $result = Read-Child $first
        ($result.Listed | ForEach-Object { "$($_.Name)/$($_.Source)" }) | Should -Be @('LocalFile/BuiltIn', 'ChunkFolder/Registered')
    }

    It 'keeps every promise Test-StorageDriver checks, one result per promise, in a table that fits 100 columns' {
        $result = Read-Child $first
        $result.Results.Count | Should -BeGreaterOrEqual 30
        @($result.Results.Promise | Sort-Object -Unique).Count | Should -Be $result.Results.Count
        $failed = @($result.Results | Where-Object { -not $_.Passed } | ForEach-Object { "$($_.Promise): $($_.Detail)" })
        $failed | Should -BeNullOrEmpty
        @($result.Results.Driver | Sort-Object -Unique) | Should -Be @('ChunkFolder')
        $result.Results.Promise | Should -Contain 'Fence.RefusesWriters'
        $result.Results.Promise | Should -Contain 'Crash.ReplaceOldOrNew'
        @($result.Table -split "`r?`n" | Where-Object Length -GT 100) | Should -BeNullOrEmpty
        $result.Table | Should -Not -Match ([char]0x2026)
        $result.ScratchCopies | Should -Be 0 -Because 'the kit removes the copies it made'
    }

    It 'loads the driver in a load context of its own and shares the module''s one copy of the contract' {
        $result = Read-Child $first
        $result.DriverCopies | Should -Be 1
        $result.DriverContext | Should -Be 'Replication driver ChunkFolderDriver'
        $result.ContractCopies | Should -Be 1
        $result.ContractContext | Should -Not -Be $result.DriverContext
    }

    It 'is found in the state file by a fresh session, and unregistered there' {
        $result = Read-Child $second
        ($result.Before | ForEach-Object { "$($_.Name)/$($_.Source)/$($_.Problem)" }) | Should -Be @('LocalFile/BuiltIn/', 'ChunkFolder/Registered/')
        ($result.After | ForEach-Object { "$($_.Name)/$($_.Source)" }) | Should -Be @('LocalFile/BuiltIn')
        $result.Events | Should -Be @('RegisterStorageDriver', 'UnregisterStorageDriver')
    }
}
