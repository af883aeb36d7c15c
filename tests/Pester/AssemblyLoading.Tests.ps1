# The module where PowerShell 7 already holds an older copy of one of its dependencies: PowerShell 7.4.0 and 7.4.1 ship
# Microsoft.Bcl.AsyncInterfaces 5.0.0, and Polly.Core (every volume-file open and block read or write goes through it)
# asks for 6.0. A host process built with that old copy among its own assemblies (tests/OldAsyncInterfacesHost) imports
# the built module and syncs a volume.

BeforeAll {
    $hostProject = Join-Path $PSScriptRoot '../OldAsyncInterfacesHost/OldAsyncInterfacesHost.csproj'
    $hostOutput = Join-Path ([IO.Path]::GetTempPath()) ("rp-old-host-" + [guid]::NewGuid().ToString('N'))
    & dotnet build $hostProject -c Release -o $hostOutput --nologo -v quiet | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "The host with Microsoft.Bcl.AsyncInterfaces 5.0.0 did not build (exit $LASTEXITCODE)." }
}

AfterAll { Remove-Item $hostOutput -Recurse -Force -ErrorAction Ignore }

Describe 'A PowerShell host holding Microsoft.Bcl.AsyncInterfaces 5.0.0 (as PowerShell 7.4.0 does)' {
    It 'syncs a volume through Polly, with the module''s AsyncInterfaces 8.0 in the module''s own load context' {
        $output = & dotnet (Join-Path $hostOutput 'OldAsyncInterfacesHost.dll') (Join-Path $PSScriptRoot 'AssemblyLoading/Sync-ThroughPolly.ps1') -ModulePath $env:REPLICATION_MODULE_PATH 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $result = $output | Select-Object -Last 1 | ConvertFrom-Json
        $result.HostAsyncInterfaces | Should -Be '5.0.0.0'   # the host is what it stands in for
        $result.SyncStatus | Should -Be 'Active'
        $result.ReplicaMatches | Should -BeTrue
        $result.ModuleAsyncInterfaces | Should -Be '8.0.0.0'
        $result.ModuleLoadContext | Should -Be 'Replication.PowerShell'
        $result.ModuleCopyPath | Should -Be (Join-Path (Split-Path $env:REPLICATION_MODULE_PATH) 'Microsoft.Bcl.AsyncInterfaces.dll')
    }
}
