# Issue 13's findings 2 to 6 on the built module, as an attacker and bad luck would try them: links planted at the files
# the module keeps, state files another user made or can write, world-readable data, -ReportPath aimed at the module's
# own files, and backends that share a folder. Each case proves the module refused, said why, and that nothing outside
# was written, chmod-ed or removed. Another user is uid 65534 (files handed over with chown or made through setpriv).

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Enable-DefaultStateGuard

    function New-OutsideFile([string] $Path) {
        [IO.File]::WriteAllBytes($Path, (Get-RandomBytes -Count 65536 -Seed 7))
        & chmod 0640 $Path
        (Get-Item $Path).LastWriteTimeUtc = [datetime]::SpecifyKind([datetime]'2029-06-01', 'Utc')
        Get-OutsideFileState $Path
    }

    function Get-OutsideFileState([string] $Path) {
        $item = Get-Item -LiteralPath $Path
        '{0} {1} {2} {3}' -f $item.Length, (Get-NativeFileMode $Path), $item.LastWriteTimeUtc.Ticks, (Get-FileSha256 $Path)
    }

    function Set-Link([string] $Link, [string] $Target) {
        Remove-Item -LiteralPath $Link -Force -ErrorAction SilentlyContinue
        New-Item -ItemType SymbolicLink -Path $Link -Target $Target | Out-Null
    }

    function Invoke-Refused([scriptblock] $Run) {
        $caught = $null
        $ErrorActionPreference = 'Stop'
        try { & $Run | Out-Null } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty -Because 'the module refuses'
        $caught
    }

    function New-StorySite {
        $site = New-ReplicationStory
        New-Volume -Name db01 -SizeBytes 16MB -VolumeType replicated | Out-Null
        Write-VolumeBytes -Path (Get-VolumeConnection db01).Path -Offset 0 -Bytes (Get-RandomBytes -Count 1MB)
        Sync-VolumeReplica db01 | Out-Null
        $site
    }

    function Invoke-AsNobody([string] $Command) {
        & setpriv --reuid=65534 --regid=65534 --clear-groups sh -c $Command
        if ($LASTEXITCODE -ne 0) { throw "'$Command' as uid 65534 exited with $LASTEXITCODE" }
    }
}

AfterAll { Remove-DefaultStateGuard }

Describe 'A link where the module keeps a file is refused, and nothing outside changes' {
    BeforeEach {
        $site = New-StorySite
        $outside = Join-Path $site.Root 'precious.bin'
        $before = New-OutsideFile $outside
        $id = (Get-Volume db01).Id
    }
    AfterEach { Remove-ReplicationTestSite $site }

    It 'a replica replaced by a link: Sync-VolumeReplica -> LinkRefused, nothing written through it' {
        Set-Link (Get-ReplicaFile db01) $outside
        $refused = Invoke-Refused { Sync-VolumeReplica db01 -Full }
        $refused.FullyQualifiedErrorId | Should -BeLike 'LinkRefused,*'
        Get-OutsideFileState $outside | Should -Be $before
    }

    It 'a primary replaced by a link: promotion neither reads nor fences it, re-enable never writes through it' {
        $primary = (Get-VolumeConnection db01).Path
        Set-Link $primary $outside
        (Invoke-Refused { Invoke-ReplicaPromotion db01 -Planned -Force }).FullyQualifiedErrorId | Should -BeLike 'PlannedPromotionFailed,*'
        $promotion = Invoke-ReplicaPromotion db01 -Force
        $promotion.FencedOnDisk | Should -BeFalse
        Get-OutsideFileState $outside | Should -Be $before
        (Invoke-Refused { Enable-Replication db01 -Force }).FullyQualifiedErrorId | Should -BeLike 'LinkRefused,*'
        Get-OutsideFileState $outside | Should -Be $before
    }

    It 'a dirty bitmap planted as a link: the export is refused and the file it leads to is neither written nor grown' {
        Set-Link (Join-Path $site.Dc1 ".replication/volume-$id.dirty") $outside
        $refused = Invoke-Refused { Start-VolumeExport -Name db01 -Port 0 -Confirm:$false }
        "$($refused.Exception.Message)" | Should -BeLike '*link*'
        Get-VolumeExport | Should -BeNullOrEmpty
        Get-OutsideFileState $outside | Should -Be $before
    }

    It 'a link at <Name>: the next round is refused, nothing written through it' -ForEach @(
        @{ Name = 'the committed journal'; Suffix = '.sync-journal' }
        @{ Name = 'the uncommitted journal'; Suffix = '.sync-journal.tmp' }
        @{ Name = 'the export record'; Suffix = '.export' }
    ) {
        $folder = if ($Suffix -eq '.export') { $site.Dc1 } else { $site.Dc2 }
        Set-Link (Join-Path $folder ".replication/volume-$id$Suffix") $outside
        (Invoke-Refused { Sync-VolumeReplica db01 -Full }).FullyQualifiedErrorId | Should -BeLike 'LinkRefused,*'
        Get-OutsideFileState $outside | Should -Be $before
    }

    It 'Remove-Volume and Repair-ReplicationState -RemoveOrphanFiles remove no link and nothing it leads to' {
        $orphan = Join-Path $site.Dc1 "volume-$([guid]::NewGuid()).img"
        Set-Link $orphan $outside
        $finding = Repair-ReplicationState -RemoveOrphanFiles -Confirm:$false | Where-Object Kind -EQ OrphanFile
        $finding.Applied | Should -BeFalse
        Test-Path -LiteralPath $orphan | Should -BeTrue
        Set-Link (Get-ReplicaFile db01) $outside
        (Invoke-Refused { Remove-Volume db01 -Force }).FullyQualifiedErrorId | Should -BeLike 'LinkRefused,*'
        Get-OutsideFileState $outside | Should -Be $before
    }
}

Describe 'A state file is used only if it is the user''s own and nobody else can write it' {
    BeforeEach {
        $root = Join-Path ([IO.Path]::GetTempPath()) ("rp-trust-" + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $root | Out-Null
        $state = Join-Path $root 'state.db'
        Set-ReplicationStateStore -Path $state
        New-StorageBackend -Name dc1 -Path (Join-Path $root 'dc1') | Out-Null
        Set-ReplicationStateStore -Default
    }
    AfterEach { Remove-Item $root -Recurse -Force }

    It 'a state file owned by another user -> StateStoreUntrusted, unless REPLICATION_POWERSHELL_TRUSTED_OWNERS names that user' {
        & chown 65534 $state
        $fingerprint = Get-FileSha256 $state
        $refused = Invoke-Refused { Set-ReplicationStateStore -Path $state; Get-StorageBackend }
        $refused.FullyQualifiedErrorId | Should -BeLike 'StateStoreUntrusted,*'
        "$($refused.Exception.Message)" | Should -BeLike '*owned by uid 65534*'
        Get-FileSha256 $state | Should -Be $fingerprint
        $env:REPLICATION_POWERSHELL_TRUSTED_OWNERS = 'nobody'
        try {
            Set-ReplicationStateStore -Path $state
            (Get-StorageBackend).Name | Should -Be 'dc1'
        }
        finally { Remove-Item Env:REPLICATION_POWERSHELL_TRUSTED_OWNERS; Set-ReplicationStateStore -Default }
    }

    It 'a state file another user pre-created 0666 in a shared folder is not used' {
        $shared = Join-Path $root 'shared'
        New-Item -ItemType Directory -Path $shared | Out-Null
        & chmod 1777 $shared
        Invoke-AsNobody "umask 000; : > '$shared/state.db'; chmod 0666 '$shared/state.db'"
        (Invoke-Refused { Set-ReplicationStateStore -Path (Join-Path $shared 'state.db'); Get-Volume }).FullyQualifiedErrorId | Should -BeLike 'StateStoreUntrusted,*'
        (Get-Item (Join-Path $shared 'state.db')).Length | Should -Be 0
        Set-ReplicationStateStore -Default
    }

    It 'a world-writable state file -> StateStoreUntrusted' {
        & chmod 0666 $state
        (Invoke-Refused { Set-ReplicationStateStore -Path $state; Get-Volume }).FullyQualifiedErrorId | Should -BeLike 'StateStoreUntrusted,*'
        Get-NativeFileMode $state | Should -Be '-rw-rw-rw-'
        Set-ReplicationStateStore -Default
    }

    It 'a state path that is a dangling link is refused and no file appears at its target' {
        $link = Join-Path $root 'link.db'
        New-Item -ItemType SymbolicLink -Path $link -Target (Join-Path $root 'target.db') | Out-Null
        (Invoke-Refused { Set-ReplicationStateStore -Path $link; Get-Volume }).FullyQualifiedErrorId | Should -BeLike 'StateStoreUntrusted,*'
        Test-Path (Join-Path $root 'target.db') | Should -BeFalse
        Set-ReplicationStateStore -Default
    }

    It 'an empty state file the module did not make -> StateStoreUntrusted' {
        $empty = Join-Path $root 'empty.db'
        New-Item -ItemType File -Path $empty | Out-Null
        & chmod 0600 $empty
        (Invoke-Refused { Set-ReplicationStateStore -Path $empty; Get-Volume }).FullyQualifiedErrorId | Should -BeLike 'StateStoreUntrusted,*'
        (Get-Item $empty).Length | Should -Be 0
        Set-ReplicationStateStore -Default
    }
}

Describe 'Data readable by its owner only' {
    BeforeAll {
        $site = New-StorySite
        Invoke-ReplicaPromotion db01 -Planned -Force | Out-Null
        Enable-Replication db01 -Force | Out-Null
        Test-VolumeReplica db01 | Out-Null
        New-Volume -Name db02 -SizeBytes 16MB -VolumeType replicated | Out-Null
        Start-VolumeExport -Name db02 -Port 0 -Confirm:$false | Out-Null
        Wait-VolumeExport -VolumeName db02 -Mode Tracking | Out-Null
    }
    AfterAll {
        Stop-VolumeExport -Name db02 -Force -ErrorAction SilentlyContinue
        Remove-ReplicationTestSite $site
    }

    It 'every file the story made is -rw------- and every folder drwx------' {
        $entries = Get-ChildItem -LiteralPath $site.Root -Recurse -Force
        ($entries | Where-Object Name -Like '*.dirty') | Should -Not -BeNullOrEmpty
        ($entries | Where-Object Name -Like '*.export') | Should -Not -BeNullOrEmpty
        foreach ($entry in $entries) {
            $expected = if ($entry.PSIsContainer) { 'drwx------' } else { '-rw-------' }
            "$($entry.FullName) $(Get-NativeFileMode $entry.FullName)" | Should -Be "$($entry.FullName) $expected"
        }
    }

    It 'a backend defined with -Setting @{ FileMode = ''0660''; FolderMode = ''0770'' } lets its group use volumes, and nobody else' {
        $shared = Join-Path $site.Root 'shared'
        $backend = New-StorageBackend -Name shared -Path $shared -Setting @{ FileMode = '0660'; FolderMode = '0770' }
        $backend.Settings.FileMode | Should -Be '0660'
        New-VolumeType -Name onshared -ExtraSpec @{ volume_backend_name = 'shared' } | Out-Null
        New-Volume -Name vm01 -SizeBytes 1MB -VolumeType onshared | Out-Null
        Get-NativeFileMode (Get-VolumeConnection vm01).Path | Should -Be '-rw-rw----'
        Get-NativeFileMode $shared | Should -Be 'drwxrwx---'
        Get-NativeFileMode (Join-Path $shared '.replication') | Should -Be 'drwx------'
        (Invoke-Refused { New-StorageBackend -Name loose -Path (Join-Path $site.Root 'loose') -Setting @{ FileMode = '0644' } }).FullyQualifiedErrorId | Should -BeLike 'InvalidSetting,*'
    }
}

Describe '-ReportPath never lands on the module''s own files' {
    BeforeAll {
        $site = New-StorySite
        Test-VolumeReplica db01 | Out-Null
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It '<Name> -> <ErrorId>, nothing changed' -ForEach @(
        @{ Name = 'the state file'; ErrorId = 'ReportPathRefused'; Path = { $site.State } }
        @{ Name = 'a live volume file'; ErrorId = 'ReportPathRefused'; Path = { (Get-VolumeConnection db01).Path } }
        @{ Name = 'a new file in a backend folder'; ErrorId = 'ReportPathRefused'; Path = { Join-Path $site.Dc2 'report.html' } }
        @{ Name = 'a folder'; ErrorId = 'InvalidPath'; Path = { $site.Root } }
        @{ Name = 'a missing folder'; ErrorId = 'InvalidPath'; Path = { Join-Path $site.Root 'missing/report.html' } }
    ) {
        $target = & $Path
        $before = Get-SiteFingerprint $site
        foreach ($command in { Test-VolumeReplica db01 -ReportPath $target -ErrorAction Stop }, { Get-DRTestResult -ReportPath $target -ErrorAction Stop }) {
            (Invoke-Refused $command).FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        }
        Get-SiteFingerprint $site | Where-Object { $_ -notlike '*state.db*' } | Should -Be ($before | Where-Object { $_ -notlike '*state.db*' })
        (Get-Volume db01).Status | Should -Be 'available'
        Sync-VolumeReplica db01 | Out-Null
    }

    It 'a report is written whole, -rw-------, and Get-DRTestResult -WhatIf writes nothing' {
        $report = Join-Path $site.Root 'dr.html'
        Get-DRTestResult -ReportPath $report -WhatIf | Out-Null
        Test-Path $report | Should -BeFalse
        Get-DRTestResult -ReportPath $report | Out-Null
        Get-Content $report -Raw | Should -BeLike '*db01*'
        Get-NativeFileMode $report | Should -Be '-rw-------'
        Get-ChildItem $site.Root -Filter '*.tmp' -Force | Should -BeNullOrEmpty
    }
}

Describe 'The scheduled DR test script writes its reports only where the module allows' {
    BeforeAll {
        $site = New-StorySite
        $runbook = Join-Path $PSScriptRoot '../../docs/examples/Invoke-ScheduledDRTest.ps1'
        $pwsh = Get-PwshCommand
        function Invoke-Runbook([string] $Folder) {
            $output = & $pwsh.File @($pwsh.Prefix) -NoProfile -NonInteractive -File $runbook -ModulePath $env:REPLICATION_MODULE_PATH -StatePath $site.State -ReportFolder $Folder 2>&1 | Out-String
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output }
        }
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'a report folder inside a backend''s folder gets no file, and the run exits 2 saying why' {
        $before = Get-VolumeFileSnapshot $site
        $run = Invoke-Runbook $site.Dc1
        $run.ExitCode | Should -Be 2
        $run.Output | Should -BeLike '*ReportPathRefused*'
        Get-ChildItem $site.Dc1 -Filter 'dr-test-*' | Should -BeNullOrEmpty
        Get-VolumeFileSnapshot $site | Should -Be $before
    }

    It 'a folder of its own gets the HTML report, -rw-------, and the JSON' {
        $folder = Join-Path $site.Root 'reports'
        $run = Invoke-Runbook $folder
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $html = @(Get-ChildItem $folder -Filter 'dr-test-*.html')
        $html.Count | Should -Be 1
        Get-NativeFileMode $html[0].FullName | Should -Be '-rw-------'
        @(Get-ChildItem $folder -Filter 'dr-test-*.json').Count | Should -Be 1
    }
}

Describe 'Backends are told apart by their real folders, and a folder belongs to one state store' {
    BeforeEach { $site = New-StorySite }
    AfterEach { Remove-ReplicationTestSite $site }

    It '<Name> -> BackendFolderTaken' -ForEach @(
        @{ Name = 'a backend on dc1''s folder through a link'; Path = { $l = Join-Path $site.Root 'alias'; New-Item -ItemType SymbolicLink -Path $l -Target $site.Dc1 | Out-Null; $l } }
        @{ Name = 'a backend inside dc1''s folder'; Path = { Join-Path $site.Dc1 'inner' } }
        @{ Name = 'a backend holding both folders'; Path = { $site.Root } }
    ) {
        $target = & $Path
        (Invoke-Refused { New-StorageBackend -Name dc3 -Path $target }).FullyQualifiedErrorId | Should -BeLike 'BackendFolderTaken,*'
        (Get-StorageBackend).Name | Should -Be @('dc1', 'dc2')
    }

    It 'a second state file on the same folders is refused, and its -RemoveOrphanFiles removes no file of the first' {
        $before = Get-VolumeFileSnapshot $site
        $second = Join-Path $site.Root 'second.db'
        Set-ReplicationStateStore -Path $second
        (Invoke-Refused { New-StorageBackend -Name dc1 -Path $site.Dc1 }).FullyQualifiedErrorId | Should -BeLike 'BackendFolderTaken,*'
        # What an older version let a second state file do: name the same folders.
        $connection = [Microsoft.Data.Sqlite.SqliteConnection]::new("Data Source=$second;Pooling=False")
        $connection.Open()
        $command = $connection.CreateCommand()
        $command.CommandText = "INSERT INTO backends (name, driver, path, declared_capabilities, created_at) VALUES ('dc1', 'LocalFile', '$($site.Dc1)', '{}', '2030-01-01T00:00:00.0000000Z'), ('dc2', 'LocalFile', '$($site.Dc2)', '{}', '2030-01-01T00:00:00.0000000Z');"
        $command.ExecuteNonQuery() | Out-Null
        $connection.Dispose()
        $findings = Repair-ReplicationState -RemoveOrphanFiles -Confirm:$false
        @($findings | Where-Object Applied) | Should -BeNullOrEmpty
        @($findings | Where-Object Kind -EQ BackendFolderTaken).Count | Should -Be 2
        Set-ReplicationStateStore -Path $site.State
        Get-VolumeFileSnapshot $site | Should -Be $before
        Sync-VolumeReplica db01 -Full | Out-Null
    }
}

Describe 'The module run by an unprivileged user' {
    It 'makes its state, folders and volumes its own and private, and refuses a backend folder root made for it writable by all' {
        $root = Join-Path ([IO.Path]::GetTempPath()) ("rp-nobody-" + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $root | Out-Null
        & chown 65534:65534 $root
        $script = Join-Path $root 'run.ps1'
        @"
Import-Module '$($env:REPLICATION_MODULE_PATH)'
Set-ReplicationStateStore -Path '$root/state/state.db'
New-StorageBackend -Name dc1 -Path '$root/dc1' -ReplicationPartner dc2 | Out-Null
New-StorageBackend -Name dc2 -Path '$root/dc2' -ReplicationPartner dc1 | Out-Null
New-ReplicatedVolumeType -Name replicated | Out-Null
New-Volume -Name db01 -SizeBytes 4MB -VolumeType replicated | Out-Null
Sync-VolumeReplica db01 | Out-Null
New-Item -ItemType Directory -Path '$root/open' | Out-Null
chmod 0777 '$root/open'
try { New-StorageBackend -Name open -Path '$root/open' -ErrorAction Stop } catch { "refused: `$(`$_.FullyQualifiedErrorId)" }
"@ | Set-Content -LiteralPath $script
        & chmod 0644 $script
        $pwsh = Get-PwshCommand
        $home65534 = Join-Path $root 'home'
        New-Item -ItemType Directory -Path $home65534 | Out-Null
        & chown 65534:65534 $home65534
        # Reading pwsh itself (under root's home) needs DAC_READ_SEARCH; every file it makes is still uid 65534's, by its own modes.
        $env:HOME, $oldHome = $home65534, $env:HOME
        try {
            $output = & setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=+dac_read_search --ambient-caps=+dac_read_search $pwsh.File @($pwsh.Prefix) -NoProfile -NonInteractive -File $script 2>&1 | Out-String
        }
        finally { $env:HOME = $oldHome }
        $output | Should -BeLike '*refused: PathNotTrusted,*'
        foreach ($entry in Get-ChildItem -LiteralPath "$root/state", "$root/dc1", "$root/dc2" -Recurse -Force) {
            & stat -c '%u' $entry.FullName | Should -Be '65534'
            $expected = if ($entry.PSIsContainer) { 'drwx------' } else { '-rw-------' }
            "$($entry.Name) $(Get-NativeFileMode $entry.FullName)" | Should -Be "$($entry.Name) $expected"
        }
        Remove-Item $root -Recurse -Force
    }
}
