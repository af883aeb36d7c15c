# A storage driver from outside the module: the sample ChunkFolder driver is built from its own project, copied to a
# folder of its own as a vendor ships it, registered into the BUILT module in a fresh pwsh (no rebuild), listed, and
# proved by the conformance kit; a second fresh pwsh finds the registration in the state file and unregisters it; a
# third runs the seed story on two ChunkFolder backends (data written and read back by QEMU's NBD client), and the
# built-in LocalFile driver keeps every promise of the kit too. A fourth finds the driver in a real module on
# PSModulePath (its manifest declares it), registers it by module name, and gives its secret AccessKey by reference:
# env: read by the engine, vault: read through a stand-in Microsoft.PowerShell.SecretManagement module (the real one is
# not served by the package registries here) whose Get-Secret reads files of the test's own.

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
$agent = @(Get-StorageDriver -Name agent)
$completed = foreach ($line in 'New-StorageBackend -Name x -Driver A', 'Get-StorageDriver -Name a') {
    (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
}
$results = @(Test-StorageDriver -Name ChunkFolder -Setting @{ Folder = $env:T_SCRATCH })
$driver = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'ChunkFolderDriver' }
$contract = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Replication.Drivers.Abstractions' }
[pscustomobject]@{
    Registered      = $registered | Select-Object Name, Version, ConnectionType, Source, Path, @{ n = 'Settings'; e = { $_.Settings.Name } }
    Listed          = @($listed | Select-Object Name, Source, ConnectionType)
    Agent           = @($agent | Select-Object Name, Source, ConnectionType, Problem)
    Completed       = @($completed)
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
    $environment.T_STORY_STATE = Join-Path $root 'story.db'
    $environment.T_SITES = Join-Path $root 'sites'
    $story = Invoke-ChildPwsh -TimeoutSeconds 300 -Environment $environment -Script @'
$ErrorActionPreference = 'Stop'
Import-Module $env:REPLICATION_MODULE_PATH
Set-ReplicationStateStore -Path $env:T_STORY_STATE
function Read-Back([string] $Name, [string] $Check) {
    $export = Start-VolumeExport -Name $Name -Port 0 -Confirm:$false
    try { & qemu-io -f raw -c $Check $export.Url 2>&1 | Out-Null; $LASTEXITCODE } finally { Stop-VolumeExport -Name $Name -Force }
}
Register-StorageDriver -Path $env:T_DRIVER | Out-Null
New-StorageBackend -Name dc1 -Driver ChunkFolder -Setting @{ Folder = "$env:T_SITES/dc1" } -ReplicationPartner dc2 -WarningAction SilentlyContinue | Out-Null
New-StorageBackend -Name dc2 -Driver ChunkFolder -Setting @{ Folder = "$env:T_SITES/dc2"; ChunkSize = '65536' } -ReplicationPartner dc1 | Out-Null
New-ReplicatedVolumeType -Name replicated | Out-Null
New-Volume -Name db01 -SizeBytes 16MB -VolumeType replicated | Out-Null
$written = Read-Back db01 'write -P 0x5a 1M 256k'
$first = Sync-VolumeReplica -Name db01
$drTest = Test-VolumeReplica -Name db01
$testVolume = New-Volume -Name db01-test -SourceReplica db01
$testVolumeRead = Read-Back db01-test 'read -P 0x5a 1M 256k'
Remove-Volume -Name db01-test -Force
$promotion = Invoke-ReplicaPromotion -Name db01 -Planned -Force
$promotedRead = Read-Back db01 'read -P 0x5a 1M 256k'
$promotedWrite = Read-Back db01 'write -P 0x6b 8M 64k'
$reenabled = Enable-Replication -Name db01 -Force -PassThru
$back = Invoke-ReplicaPromotion -Name db01 -Planned -Force
$backRead = Read-Back db01 'read -P 0x6b 8M 64k'
Enable-Replication -Name db01 -Force | Out-Null
New-Volume -Name db02 -SizeBytes 8MB -VolumeType replicated | Out-Null
New-ReplicationGroup -Name app -VolumeName db01, db02 | Out-Null
$groupRound = @(Sync-VolumeReplica -Group app)
$localFile = @(Test-StorageDriver -Name LocalFile -Setting @{ Path = "$env:T_SITES/localfile-kit" })
[pscustomobject]@{
    Written        = $written
    FirstMode      = "$($first.Status)/$($first.BytesWritten)"
    DrTest         = "$($drTest.Outcome)"
    TestVolume     = "$($testVolume.Name)/$testVolumeRead"
    Promotion      = "$($promotion.PrimaryBackend)/$($promotion.DataLossWindow)/$($promotion.ReplicaVerified)"
    PromotedRead   = $promotedRead
    PromotedWrite  = $promotedWrite
    Reenabled      = "$($reenabled.Status)"
    GroupRound     = @($groupRound | ForEach-Object { "$($_.VolumeName)/$($_.Status)" })
    Back           = "$($back.PrimaryBackend)/$backRead"
    LocalFileKit   = @($localFile | Where-Object { -not $_.Passed } | ForEach-Object { "$($_.Promise): $($_.Detail)" })
    LocalFileCount = $localFile.Count
} | ConvertTo-Json -Depth 4 -Compress
'@
    $modules = Join-Path $root 'modules'
    $driverModule = Join-Path $modules 'ChunkFolderStorage/1.0.0'
    New-Item -ItemType Directory -Path $driverModule, (Join-Path $modules 'Microsoft.PowerShell.SecretManagement'), (Join-Path $root 'vault') | Out-Null
    Copy-Item (Join-Path $vendor 'ChunkFolderDriver.dll') $driverModule
    Set-Content -Path (Join-Path $driverModule 'ChunkFolderStorage.psd1') -Value @'
@{
    ModuleVersion = '1.0.0'
    GUID          = '6f0c6d55-1d7e-4a55-9d0a-3f1f4f0f7a11'
    PrivateData   = @{ ReplicationStorageDriver = @{ Assembly = 'ChunkFolderDriver.dll' } }
}
'@
    # Get-Secret as SecretManagement's: -Name, -Vault, -AsPlainText; a secret it does not hold is an error.
    Set-Content -Path (Join-Path $modules 'Microsoft.PowerShell.SecretManagement/Microsoft.PowerShell.SecretManagement.psm1') -Value @'
function Get-Secret {
    param([Parameter(Mandatory)][string] $Name, [string] $Vault, [switch] $AsPlainText)
    $file = Join-Path $env:T_VAULT "$Vault-$Name"
    if (-not (Test-Path -LiteralPath $file)) { Write-Error "Get-Secret: The secret $Name was not found."; return }
    Get-Content -LiteralPath $file -Raw
}
'@
    $environment.T_MODULES = $modules
    $environment.T_VAULT = Join-Path $root 'vault'
    $environment.T_SECRET_STATE = Join-Path $root 'secrets.db'
    $secrets = Invoke-ChildPwsh -TimeoutSeconds 300 -Environment $environment -Script @'
$ErrorActionPreference = 'Stop'
$env:PSModulePath = $env:T_MODULES + [IO.Path]::PathSeparator + $env:PSModulePath
Import-Module $env:REPLICATION_MODULE_PATH
Set-ReplicationStateStore -Path $env:T_SECRET_STATE
function Fails([scriptblock] $Work) { try { & $Work | Out-Null; 'no error' } catch { "$(($_.FullyQualifiedErrorId -split ',')[0])|$($_.Exception.Message)" } }
$before = @(Get-StorageDriver -ListAvailable | Select-Object ModuleName, ModuleVersion, AssemblyPath, RegisteredAs, Problem)
$line = 'Register-StorageDriver -ModuleName chunkf'
$completed = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText)
$listed = Get-StorageDriver -ListAvailable | Format-Table | Out-String -Width 100
$registered = Register-StorageDriver -ModuleName chunkfolderstorage
$after = @(Get-StorageDriver -ListAvailable | Select-Object ModuleName, RegisteredAs)
$noModule = Fails { Register-StorageDriver -ModuleName NoSuchDriverModule -ErrorAction Stop }
$inClear = Fails { New-StorageBackend -Name s0 -Driver ChunkFolder -Setting @{ Folder = "$env:T_SITES/s0"; AccessKey = 'plain-secret-value' } -ErrorAction Stop }
$env:T_CHUNK_KEY = 'env-secret-value'
Set-Content -LiteralPath (Join-Path $env:T_VAULT 'Ops-chunk-key') -Value 'vault-secret-value' -NoNewline
New-StorageBackend -Name s1 -Driver ChunkFolder -Setting @{ Folder = "$env:T_SITES/s1"; AccessKey = 'env:T_CHUNK_KEY' } -ReplicationPartner s2 -WarningAction SilentlyContinue | Out-Null
New-StorageBackend -Name s2 -Driver ChunkFolder -Setting @{ Folder = "$env:T_SITES/s2"; AccessKey = 'vault:Ops/chunk-key' } -ReplicationPartner s1 | Out-Null
# Engine work on a thread of its own (a failover's parallel volumes) has no runspace: the reader makes one.
Add-Type -TypeDefinition @"
public static class OffThread
{
    public static string Read(System.Func<string, string, string> reader, string vault, string name) =>
        System.Threading.Tasks.Task.Run(() => System.Management.Automation.Runspaces.Runspace.DefaultRunspace is null ? reader(vault, name) : "ran on a runspace's thread").GetAwaiter().GetResult();
}
"@
$reader = [Replication.Engine.Drivers.Loading.SecretReferences]::VaultReader
$offThread = [OffThread]::Read($reader, 'Ops', 'chunk-key') -eq 'vault-secret-value'
$offThreadMissing = try { [OffThread]::Read($reader, 'Ops', 'missing') } catch { $_.Exception.InnerException.Message }
$noVaultSecret = Fails { New-StorageBackend -Name s3 -Driver ChunkFolder -Setting @{ Folder = "$env:T_SITES/s3"; AccessKey = 'vault:Ops/missing' } -ErrorAction Stop }
New-ReplicatedVolumeType -Name replicated | Out-Null
New-Volume -Name v1 -SizeBytes 1MB -VolumeType replicated | Out-Null
$verbose = Sync-VolumeReplica -Name v1 -Full -Verbose 4>&1 | Out-String
$synced = "$((Get-VolumeReplica -Name v1).Status)"
$env:T_CHUNK_KEY = 'another-secret-value'
$wrongKey = Fails { Sync-VolumeReplica -Name v1 -Full -ErrorAction Stop }
Remove-Item Env:T_CHUNK_KEY
$unset = Fails { Sync-VolumeReplica -Name v1 -Full -ErrorAction Stop }
$env:T_CHUNK_KEY = 'env-secret-value'
Remove-Item -LiteralPath (Join-Path $env:T_VAULT 'Ops-chunk-key')
$vaultGone = Fails { Sync-VolumeReplica -Name v1 -Full -ErrorAction Stop }
$inUse = Fails { Unregister-StorageDriver -Name ChunkFolder -ErrorAction Stop }
$state = @($env:T_SECRET_STATE, "$env:T_SECRET_STATE-wal") | Where-Object { Test-Path $_ } | ForEach-Object { [Text.Encoding]::Latin1.GetString([IO.File]::ReadAllBytes($_)) }
[pscustomobject]@{
    Before        = $before
    Completed     = $completed
    OffThread     = "$offThread/$offThreadMissing"
    Listed        = $listed
    Registered    = "$($registered.Name)/$($registered.Path)"
    After         = $after
    NoModule      = $noModule
    InClear       = $inClear
    NoVaultSecret = $noVaultSecret
    Settings      = @(Get-StorageBackend -Name s1, s2 | ForEach-Object { $_.Settings['AccessKey'] })
    Synced        = $synced
    WrongKey      = $wrongKey
    Unset         = $unset
    VaultGone     = $vaultGone
    InUse         = $inUse
    Seen          = ($verbose + (Get-ReplicationEvent | Out-String -Width 400) + ($state -join '') + ($Error | Out-String -Width 400) +
                     (Get-Content -Raw "$env:T_SITES/s1/access-key") + (Get-Content -Raw "$env:T_SITES/s2/access-key"))
    StateHasReference = ($state -join '').Contains('vault:Ops/chunk-key')
} | ConvertTo-Json -Depth 4 -Compress
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
        $result.Registered.Settings | Should -Be @('Folder', 'ChunkSize', 'AccessKey')
    }

    It 'is listed by Get-StorageDriver beside the built-in LocalFile and the bundled Agent' {
        $result = Read-Child $first
        ($result.Listed | ForEach-Object { "$($_.Name)/$($_.Source)" }) | Should -Be @('Agent/BuiltIn', 'LocalFile/BuiltIn', 'ChunkFolder/Registered')
    }

    It 'finds and completes the bundled Agent driver before any backend used it' {
        $result = Read-Child $first
        ($result.Agent | ForEach-Object { "$($_.Name)/$($_.Source)/$($_.ConnectionType)/$($_.Problem)" }) | Should -Be @('Agent/BuiltIn/file/')
        $result.Completed | Should -Be @('Agent', 'Agent')
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
        ($result.Before | ForEach-Object { "$($_.Name)/$($_.Source)/$($_.Problem)" }) | Should -Be @('Agent/BuiltIn/', 'LocalFile/BuiltIn/', 'ChunkFolder/Registered/')
        ($result.After | ForEach-Object { "$($_.Name)/$($_.Source)" }) | Should -Be @('Agent/BuiltIn', 'LocalFile/BuiltIn')
        $result.Events | Should -Be @('RegisterStorageDriver', 'UnregisterStorageDriver')
    }

    It 'runs the seed story on two ChunkFolder backends: replica, sync, DR test, test volume, promotion, re-enable, group round' {
        $result = Read-Child $story
        $result.Written | Should -Be 0
        $result.FirstMode | Should -Be 'active/262144'
        $result.DrTest | Should -Be 'Passed'
        $result.TestVolume | Should -Be 'db01-test/0'
        $result.Promotion | Should -Be 'dc2/00:00:00/True'
        $result.PromotedRead | Should -Be 0 -Because 'the promoted replica on dc2 serves the bytes written on dc1'
        $result.PromotedWrite | Should -Be 0
        $result.Reenabled | Should -Be 'active'
        $result.GroupRound | Should -Be @('db01/active', 'db02/active')
        $result.Back | Should -Be 'dc1/0' -Because 'the write made on dc2 came back to dc1 through the re-enabled replica'
    }

    It 'and the built-in LocalFile driver keeps every promise of the kit' {
        $result = Read-Child $story
        $result.LocalFileKit | Should -BeNullOrEmpty
        $result.LocalFileCount | Should -BeGreaterOrEqual 30
    }
}

Describe 'A driver from an installed module, with a secret setting given by reference' {
    It 'is listed by Get-StorageDriver -ListAvailable from the module''s manifest, and registered by module name' {
        $result = Read-Child $secrets
        $declared = Join-Path $environment.T_MODULES 'ChunkFolderStorage/1.0.0/ChunkFolderDriver.dll'
        ($result.Before | ForEach-Object { "$($_.ModuleName)/$($_.ModuleVersion)/$($_.AssemblyPath)/$($_.RegisteredAs)/$($_.Problem)" }) | Should -Be @("ChunkFolderStorage/1.0.0/$declared//")
        $result.Registered | Should -Be "ChunkFolder/$declared"
        ($result.After | ForEach-Object { "$($_.ModuleName)/$($_.RegisteredAs)" }) | Should -Be @('ChunkFolderStorage/ChunkFolder')
        $result.NoModule | Should -BeLike 'DriverModuleNotFound|No module named ''NoSuchDriverModule'' on PSModulePath declares a storage driver*'
    }

    It 'completes -ModuleName with the installed modules that declare a driver, and lists them in 100 columns' {
        $result = Read-Child $secrets
        $result.Completed | Should -Be @('ChunkFolderStorage')
        $result.Listed | Should -Match 'ChunkFolderStorage\s+1\.0\.0'
        @($result.Listed -split "`r?`n" | Where-Object Length -GT 100) | Should -BeNullOrEmpty
    }

    It 'refuses a secret given in clear without repeating it, and stores the references it is given' {
        $result = Read-Child $secrets
        $result.InClear | Should -BeLike 'SecretInClear|Setting ''AccessKey'' of driver ChunkFolder is a secret*'
        $result.InClear | Should -Not -Match 'plain-secret-value'
        $result.Settings | Should -Be @('env:T_CHUNK_KEY', 'vault:Ops/chunk-key')
        $result.StateHasReference | Should -BeTrue -Because 'the state file is read as it is on disk'
    }

    It 'reads the secrets when the driver opens the copies: env: from the process, vault: through Get-Secret' {
        $result = Read-Child $secrets
        $result.Synced | Should -Be 'active' -Because 'a full sync opened the copy on s1 (key from env:) and on s2 (key from vault:)'
        $result.WrongKey | Should -BeLike 'PrimaryUnreadable|*does not open the folder*locked with another key*'
        $result.NoVaultSecret | Should -Be 'SecretUnresolvable|Setting ''AccessKey'' of backend ''s3'' refers to secret ''vault:Ops/missing'', which cannot be read: Get-Secret: The secret missing was not found.'
        $result.Unset | Should -Be 'SecretUnresolvable|Setting ''AccessKey'' of backend ''s1'' refers to secret ''env:T_CHUNK_KEY'', which cannot be read: the environment variable T_CHUNK_KEY is not set in this process.'
        $result.VaultGone | Should -BeLike 'SecretUnresolvable|Setting ''AccessKey'' of backend ''s2'' refers to secret ''vault:Ops/chunk-key'', which cannot be read*'
    }

    It 'reads vault: secrets off the pipeline thread too, in a runspace of its own' {
        $result = Read-Child $secrets
        $result.OffThread | Should -Be 'True/Get-Secret: The secret missing was not found.'
    }

    It 'never writes a secret''s value to verbose output, events, errors, the state file or the folder''s lock' {
        $result = Read-Child $secrets
        $result.Seen | Should -Match 'T_CHUNK_KEY' -Because 'what was searched holds the references'
        $result.Seen | Should -Not -Match 'env-secret-value|vault-secret-value|another-secret-value|plain-secret-value'
    }

    It 'keeps the driver registered while backends use it' {
        $result = Read-Child $secrets
        $result.InUse | Should -BeLike 'DriverInUse|Rule: a storage driver can be unregistered only when no backend uses it. 2 backend(s) use ''ChunkFolder'' (s1, s2)*'
    }
}
