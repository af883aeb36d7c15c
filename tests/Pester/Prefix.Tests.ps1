# The module imported with -Prefix, as on Windows next to the Storage module (its own Get-Volume and New-Volume): the
# errors' advice and the scheduled DR runbook use the names the session knows.

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Enable-DefaultStateGuard
    $pwsh = Get-PwshCommand
    $runbook = Join-Path $PSScriptRoot '../../docs/examples/Invoke-ScheduledDRTest.ps1'

    # Runs a script in a fresh pwsh where a stand-in Storage module owns Get-Volume, as on Windows; returns its output.
    function Invoke-PrefixedSession([string] $Script, [string] $Root) {
        $setup = "New-Module -Name Storage -ScriptBlock { function Get-Volume { 'the Storage module''s volume' }; Export-ModuleMember -Function Get-Volume } | Import-Module; " +
            "Import-Module '$env:REPLICATION_MODULE_PATH' -Prefix DR; Set-DRReplicationStateStore -Path '$Root/state.db'; "
        & $pwsh.File @($pwsh.Prefix) -NoProfile -NonInteractive -Command ($setup + $Script) 2>&1 | ForEach-Object { "$_" }
    }
}

AfterAll {
    Remove-DefaultStateGuard
}

Describe 'Imported with -Prefix DR' {
    BeforeAll {
        $root = Join-Path ([IO.Path]::GetTempPath()) ("rp-prefix-" + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $root | Out-Null
        Invoke-PrefixedSession -Root $root -Script (
            "New-DRStorageBackend -Name dc1 -Path '$root/dc1' -ReplicationPartner dc2 | Out-Null; " +
            "New-DRStorageBackend -Name dc2 -Path '$root/dc2' -ReplicationPartner dc1 | Out-Null; " +
            "New-DRReplicatedVolumeType -Name replicated | Out-Null; New-DRVolume -Name db01 -SizeBytes 8MB -VolumeType replicated | Out-Null; " +
            "New-DRVolume -Name db02 -SizeBytes 8MB -VolumeType replicated | Out-Null; Disable-DRReplication db02 -Force") | Out-Null
    }
    AfterAll { Remove-Item -LiteralPath $root -Recurse -Force }

    It 'leaves Get-Volume to the Storage module and names its own commands with the prefix in its advice' {
        $output = Invoke-PrefixedSession -Root $root -Script (
            "Get-Volume; (Get-DRVolume db01).Name; " +
            "Sync-DRVolumeReplica db02 -ErrorAction SilentlyContinue -ErrorVariable refused; 'shown: ' + `$refused[0]; 'engine: ' + `$refused[0].Exception.Message; " +
            "Sync-DRVolumeReplica 'db*' -ErrorAction SilentlyContinue -ErrorVariable wild; 'wildcard: ' + `$wild[0]; " +
            "New-DRVolume -Name db09 -SizeBytes 8MB -VolumeType gold -ErrorAction SilentlyContinue -ErrorVariable missing; 'missing: ' + `$missing[0]")
        $output | Should -Contain "the Storage module's volume"
        $output | Should -Contain 'db01'
        $shown = @($output -like 'shown: *')[0]
        $shown | Should -Match 'Enable-DRReplication resumes it'
        $shown | Should -Not -Match '(?<![\w-])Enable-Replication'
        @($output -like 'engine: *')[0] | Should -Match 'Enable-Replication resumes it' -Because 'the exception keeps the engine''s text; the record shows the session''s'
        @($output -like 'wildcard: *')[0] | Should -Match "Use Get-DRVolume 'db\*' \| Sync-DRVolumeReplica\."
        @($output -like 'missing: *')[0] | Should -Match 'Get-DRVolumeType lists them'
    }

    It 'runs the scheduled DR runbook with the module already imported under the prefix, and with -Prefix' {
        $reports = Join-Path $root 'reports'
        $inSession = Invoke-PrefixedSession -Root $root -Script "& '$runbook' -ModulePath '$env:REPLICATION_MODULE_PATH' -ReportFolder '$reports' -Name db01; 'exit ' + `$LASTEXITCODE"
        $inSession | Should -Contain 'exit 0' -Because ($inSession -join "`n")
        $inSession -join "`n" | Should -Match '1 passed, 0 failed'

        $fresh = & $pwsh.File @($pwsh.Prefix) -NoProfile -NonInteractive -File $runbook -ModulePath $env:REPLICATION_MODULE_PATH -Prefix DR -StatePath "$root/state.db" -ReportFolder $reports -Name db01 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($fresh -join "`n")
    }

    It 'tells in its help how to import it next to the Storage module' {
        (Get-Help about_Replication_PowerShell | Out-String) | Should -Match 'Import-Module\s+Replication\.PowerShell\s+-Prefix'
    }
}
