# The verdict of build.ps1 -Task Test (tests/TestRun/TestRun.psm1), on real runs that must turn it red: an engine test
# host that kills itself mid-run (REPLICATION_TEST_HOST_DIES_AT), a Pester file with an It whose -ForEach is empty, a
# failing Pester test. The same runs without the fault are green, so each check can tell the two apart. And every
# environment variable the code reads is either cleared before a run or knowingly honoured.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestRun/TestRun.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $repository = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $fixtures = Join-Path $repository 'tests/TestRun/Fixtures'
    $results = Join-Path ([IO.Path]::GetTempPath()) ('rp-testrun-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $results | Out-Null
}

AfterAll {
    Remove-Item -LiteralPath $results -Recurse -Force -ErrorAction Ignore
}

Describe 'An engine test run whose test host dies mid-run' {
    BeforeAll {
        $engineTests = Join-Path $repository 'tests/Replication.Engine.Tests/Replication.Engine.Tests.csproj'
        # One class of store-free tests, run one after another; the host dies as one of them starts.
        $class = 'Replication.Engine.Tests.Capabilities.ExtraSpecMatchTests'
        # Their output goes to files: the crash's stack trace in this run's log would read as a failure of this run.
        $whole = Invoke-XunitSuite -Suite 'whole' -Project $engineTests -ResultsFolder $results -Filter "FullyQualifiedName~$class" -Minimum 1 -LogPath "$results/whole.log"
        $crashed = Invoke-XunitSuite -Suite 'crashed' -Project $engineTests -ResultsFolder $results -Filter "FullyQualifiedName~$class" -NoBuild `
            -Minimum $whole.Passed -Environment @{ REPLICATION_TEST_HOST_DIES_AT = "$class.NestedPath_WalksNestedMaps" } -LogPath "$results/crashed.log"
    }

    It 'is green without the fault' {
        $whole.Problems | Should -BeNullOrEmpty
        $whole.Failed | Should -Be 0
        $whole.Passed | Should -BeGreaterThan 10
    }

    It 'counts no failed or skipped test: its counters alone look green' {
        # The results vstest got before the host died, if any (the host sends them in batches).
        $crashed.Passed | Should -BeLessThan $whole.Passed
        $crashed.Failed | Should -Be 0
        $crashed.Skipped | Should -Be 0
    }

    It 'is red by dotnet test''s exit code, its TRX outcome and its count under the minimum' {
        $problems = $crashed.Problems -join "`n"
        $problems | Should -Match 'dotnet test exited with [1-9]'
        $problems | Should -Match "its TRX outcome is '\w+', not 'Completed': .*Test host process crashed"
        $problems | Should -Match "ran $($crashed.Passed) tests, fewer than the $($whole.Passed) recorded"
    }

    It 'turns the whole run red, and only it' {
        Complete-TestRun -Results @($whole, $crashed) 6>$null | Should -BeFalse
        Complete-TestRun -Results @($whole) 6>$null | Should -BeTrue
    }
}

Describe 'A Pester run' {
    BeforeAll {
        $pester = Join-Path (Get-Module Pester).ModuleBase 'Pester.psd1'
        $pesterRun = @{ PesterPath = $pester; ModulePath = $env:REPLICATION_MODULE_PATH; ResultsFolder = $results; Minimum = 1 }
        $generated = Invoke-PesterSuite -Suite 'generated' -Path (Join-Path $fixtures 'Generated.Fixture.ps1') @pesterRun -LogPath "$results/generated.log"
        $empty = Invoke-PesterSuite -Suite 'empty' -Path (Join-Path $fixtures 'EmptyForEach.Fixture.ps1') @pesterRun -LogPath "$results/empty.log"
        $failing = Invoke-PesterSuite -Suite 'failing' -Path (Join-Path $fixtures 'Failing.Fixture.ps1') @pesterRun -LogPath "$results/failing.log"
    }

    It 'is green when every It makes its tests' {
        $generated.Problems | Should -BeNullOrEmpty
        $generated.Passed | Should -Be 3
    }

    It 'is red when an It makes no test (an empty -ForEach), naming the It, though nothing failed' {
        $empty.Passed | Should -Be 1
        $empty.Failed | Should -Be 0
        $problems = $empty.Problems -join "`n"
        $problems | Should -Match "made no test from EmptyForEach\.Fixture\.ps1:\d+ 'makes a test for <_>'"
        $problems | Should -Match "Pester's pwsh exited with 1"
        Complete-TestRun -Results @($empty) 6>$null | Should -BeFalse
    }

    It 'is red when a test fails, by its count and by Pester''s exit code' {
        $failing.Failed | Should -Be 1
        ($failing.Problems -join "`n") | Should -Match "Pester's pwsh exited with 1"
        Complete-TestRun -Results @($failing) 6>$null | Should -BeFalse
    }

    It 'is red when it runs fewer tests than recorded' {
        $short = Invoke-PesterSuite -Suite 'short' -Path (Join-Path $fixtures 'Generated.Fixture.ps1') @pesterRun -Minimum 4 -LogPath "$results/short.log"
        ($short.Problems -join "`n") | Should -Match 'ran 3 tests, fewer than the 4 recorded'
    }
}

Describe 'The environment of a test run' {
    It 'names every REPLICATION_* variable the code and tests read, and every PG* one the state store reads' {
        $known = @(Get-TestRunVariable).Name
        $files = Get-ChildItem -Path (Join-Path $repository 'src'), (Join-Path $repository 'tests'), (Join-Path $repository 'module') -Recurse -File -Include '*.cs', '*.ps1', '*.psm1' |
            Where-Object FullName -NotMatch '[\\/](bin|obj)[\\/]'
        $read = @($files | Select-String -Pattern '\bREPLICATION_[A-Z0-9_]+\b' -AllMatches -CaseSensitive | ForEach-Object { $_.Matches.Value })
        $read += @($files | Where-Object Extension -EQ '.cs' | Select-String -Pattern 'GetEnvironmentVariable\("(\w+)"\)' -AllMatches | ForEach-Object { $_.Matches.Groups[1].Value })
        $read.Count | Should -BeGreaterThan 10
        @($read | Sort-Object -Unique | Where-Object { $_ -notin $known }) | Should -BeNullOrEmpty
    }

    It 'is cleared of the variables that change what a process does, and keeps the ones a user sets on purpose' {
        $variables = @(Get-TestRunVariable)
        $environment = @{}
        foreach ($variable in $variables) { $environment[$variable.Name] = 'set-by-the-test' }
        $script = "Import-Module '$repository/tests/TestRun/TestRun.psm1'; Clear-TestEnvironment | Out-Null; " +
            "Get-TestRunVariable | ForEach-Object { '{0}={1}' -f `$_.Name, [Environment]::GetEnvironmentVariable(`$_.Name) }"
        $child = Invoke-ChildPwsh -Script $script -Environment $environment

        $child.ExitCode | Should -Be 0 -Because $child.Stderr
        $after = @($child.Stdout -split '\r?\n' | Where-Object { $_ })
        $expected = @(foreach ($variable in $variables) { '{0}={1}' -f $variable.Name, $(if ($variable.Cleared) { '' } else { 'set-by-the-test' }) })
        $after | Should -Be $expected
        @($variables | Where-Object Cleared).Name | Should -Contain 'REPLICATION_POWERSHELL_CRASH_AT'
    }
}
