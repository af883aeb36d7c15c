# Issue 5's two-site scenario: the README's fifty-volume site drill (docs/examples/Site-Failover.ps1), run as written.
# The drill checks every copy's SHA-256 after each phase and throws at the first check that fails; this test runs it,
# then asserts the figures it reports: nothing lost in the planned failover, a failback that copies only the blocks
# written meanwhile, a data-loss window for the unplanned failover, and the finished group promotion.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Enable-DefaultStateGuard
    $drill = Join-Path $PSScriptRoot '../../docs/examples/Site-Failover.ps1'
    $volumeSize = 32MB
    $blocksPerVolume = $volumeSize / 64KB
    $phases = & $drill -ModulePath $env:REPLICATION_MODULE_PATH -VolumeCount 50 -VolumeSizeBytes $volumeSize -PassThru 6>$null
    $byName = @{}; $phases | ForEach-Object { $byName[$_.Phase] = $_ }
    Write-Host ($phases | Format-Table Phase, Seconds, Volumes, BytesCopied, MaxDataLossSeconds -AutoSize | Out-String -Width 160)
}

AfterAll {
    Remove-DefaultStateGuard
}

Describe 'The fifty-volume site drill' {
    It 'runs every phase over all fifty volumes' {
        $phases.Phase | Should -Be @('Initial sync', 'Planned failover', 'Failback', 'Unplanned failover', 'Failback after loss', 'Interrupted group promotion', 'RPO health')
        foreach ($phase in 'Initial sync', 'Planned failover', 'Failback', 'Unplanned failover', 'Failback after loss', 'RPO health') {
            $byName[$phase].Volumes | Should -Be 50 -Because $phase
        }
        $byName['Interrupted group promotion'].Volumes | Should -Be 5
    }

    It 'loses nothing in the planned failover, whose final sync copied the 1% written since the last round' {
        $byName['Planned failover'].MaxDataLossSeconds | Should -Be 0
        $written = 50 * [Math]::Max(1, [int]($blocksPerVolume / 100)) * 64KB
        $byName['Planned failover'].BytesCopied | Should -BeGreaterThan 0
        $byName['Planned failover'].BytesCopied | Should -BeLessOrEqual $written
    }

    It 'fails back copying only the blocks written on the surviving site, not the volumes' {
        $writtenOnDc2 = 50 * [Math]::Max(1, [int]($blocksPerVolume / 100)) * 64KB
        $byName['Failback'].BytesCopied | Should -BeGreaterThan 0
        $byName['Failback'].BytesCopied | Should -BeLessOrEqual $writtenOnDc2
        $byName['Failback'].BytesCopied | Should -BeLessThan ($byName['Initial sync'].BytesCopied / 10)
    }

    It 'reports a data-loss window for the unplanned failover and copies nothing to do it' {
        $byName['Unplanned failover'].MaxDataLossSeconds | Should -BeGreaterThan 0
        $byName['Unplanned failover'].BytesCopied | Should -Be 0
    }
}
