# The module as an admin gets it: the package build.ps1 -Task Package makes, published to a repository with
# PSResourceGet, installed with Install-PSResource, imported by name in a fresh pwsh, the README's first steps, the
# DR walkthrough and the scheduled DR runbook run from the installed copy. Everything happens under a temporary HOME,
# so the repository list and the module path are fresh and nothing reaches the network.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $repository = Resolve-Path (Join-Path $PSScriptRoot '../..')
    $manifest = Import-PowerShellDataFile $env:REPLICATION_MODULE_PATH
    $package = Join-Path (Split-Path (Split-Path (Split-Path $env:REPLICATION_MODULE_PATH))) "package/Replication.PowerShell.$($manifest.ModuleVersion).nupkg"
    $pwsh = Get-PwshCommand

    # Runs a script in a fresh pwsh whose HOME is the test's (PSResourceGet keeps its repositories there and installs
    # for the current user there), with no state-file variable of the runner's; returns its output and exit code.
    function Invoke-FreshPwsh([string] $UserHome, [string] $Script) {
        $saved = @{ HOME = $env:HOME; REPLICATION_POWERSHELL_STATE = $env:REPLICATION_POWERSHELL_STATE; PSModulePath = $env:PSModulePath }
        try {
            $env:HOME = $UserHome
            Remove-Item Env:REPLICATION_POWERSHELL_STATE, Env:PSModulePath -ErrorAction Ignore
            $output = @(& $pwsh.File @($pwsh.Prefix) -NoProfile -NonInteractive -Command $Script 2>&1 | ForEach-Object { "$_" } | Where-Object { $_.Trim() })
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output; Text = $output -join "`n" }
        }
        finally {
            foreach ($name in $saved.Keys) { if ($null -ne $saved[$name]) { Set-Item "Env:$name" $saved[$name] } }
        }
    }
}

Describe 'Installed from a PSResourceGet repository' {
    BeforeAll {
        $root = Join-Path ([IO.Path]::GetTempPath()) ("rp-install-" + [guid]::NewGuid().ToString('N'))
        $userHome = Join-Path $root 'home'
        $feed = Join-Path $root 'feed'
        # The user's config folder exists, as in any real HOME: .NET reports a missing one as '', and NuGet (under
        # Publish-PSResource) would then write NuGet/NuGet.Config into the current folder.
        New-Item -ItemType Directory -Path $userHome, (Join-Path $userHome '.config'), $feed | Out-Null
        Push-Location $root
    }
    AfterAll {
        Pop-Location
        Get-ChildItem $root -Recurse -File -ErrorAction SilentlyContinue | ForEach-Object { $_.IsReadOnly = $false }
        Remove-Item -LiteralPath $root -Recurse -Force
    }

    It 'build.ps1 -Task Package made a package of this build, with its changelog' {
        $package | Should -Exist -Because 'build.ps1 -Task Package (and -Task Test) writes it next to the module'
        $entries = [IO.Compression.ZipFile]::OpenRead($package)
        try {
            $names = @($entries.Entries.FullName)
            $stream = $entries.GetEntry('Replication.PowerShell.dll').Open()
            try { $packed = [BitConverter]::ToString([Security.Cryptography.SHA256]::HashData($stream)) } finally { $stream.Dispose() }
        }
        finally { $entries.Dispose() }
        $built = [BitConverter]::ToString([Security.Cryptography.SHA256]::HashData([IO.File]::ReadAllBytes((Join-Path (Split-Path $env:REPLICATION_MODULE_PATH) 'Replication.PowerShell.dll'))))
        $packed | Should -Be $built -Because 'the package holds this build (run build.ps1 -Task Package after a build)'
        $names | Should -Contain 'Replication.PowerShell.psd1'
        $names | Should -Contain 'CHANGELOG.md'
        $names | Should -Contain 'en-US/Replication.PowerShell.dll-Help.xml'
    }

    It 'publishes the package to a file repository of its own' {
        $result = Invoke-FreshPwsh -UserHome $userHome -Script (
            "`$ErrorActionPreference = 'Stop'; Unregister-PSResourceRepository -Name PSGallery; " +
            "Register-PSResourceRepository -Name team -Uri '$feed' -Trusted; " +
            "Publish-PSResource -NupkgPath '$package' -Repository team; " +
            "'found ' + (Find-PSResource -Name Replication.PowerShell -Repository team).Version")
        $result.ExitCode | Should -Be 0 -Because $result.Text
        $result.Output[-1] | Should -Be "found $($manifest.ModuleVersion)" -Because $result.Text
    }

    It 'runs the README''s first steps as written: install, two sites, a replicated volume, failover and failback' {
        $readme = Get-Content (Join-Path $repository 'README.md') -Raw
        $steps = [regex]::Match($readme, '(?ms)^## Install and first steps\s*```powershell\r?\n(.*?)^```').Groups[1].Value
        $steps | Should -Match 'Install-PSResource'
        $check = "`n`$r = Get-VolumeReplica db01; 'replica {0} {1} {2} {3}' -f `$r.PrimaryBackend, `$r.ReplicaBackend, `$r.Status, `$r.Health; (Get-Module Replication.PowerShell).ModuleBase"
        $result = Invoke-FreshPwsh -UserHome $userHome -Script ("`$ErrorActionPreference = 'Stop'; " + $steps + $check)
        $result.ExitCode | Should -Be 0 -Because $result.Text
        $result.Output[-1] | Should -BeLike "$userHome*" -Because 'the module came from the fresh module path'
        $result.Output[-2] | Should -Be 'replica dc1 dc2 active Normal'
        Join-Path $userHome '.local/share/Replication.PowerShell/state.db' | Should -Exist
    }

    It 'imports by name in a fresh pwsh and runs the DR walkthrough and the scheduled DR runbook from the installed copy' {
        $walkthrough = Join-Path $repository 'docs/examples/DR-Walkthrough.ps1'
        $runbook = Join-Path $repository 'docs/examples/Invoke-ScheduledDRTest.ps1'
        $reports = Join-Path $root 'reports'
        $result = Invoke-FreshPwsh -UserHome $userHome -Script (
            "`$ErrorActionPreference = 'Stop'; Import-Module Replication.PowerShell; (Get-Module Replication.PowerShell).ModuleBase; " +
            "& '$walkthrough'; " +
            "& '$runbook' -ReportFolder '$reports'; 'runbook exit ' + `$LASTEXITCODE")
        $result.ExitCode | Should -Be 0 -Because $result.Text
        $result.Output[0] | Should -BeLike "$userHome*"
        $result.Text | Should -Match 'both copies are byte-identical'
        $result.Output[-1] | Should -Be 'runbook exit 0' -Because $result.Text
        $result.Text | Should -Match '1 passed, 0 failed'
        @(Get-ChildItem $reports -Filter 'dr-test-*.json').Count | Should -Be 1
    }
}
