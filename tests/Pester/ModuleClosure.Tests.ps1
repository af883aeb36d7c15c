# The build's closure check (src/Replication.ModuleClosure): how Windows PowerShell 5.1 on .NET Framework 4.7.2 would
# bind every assembly of the module. It passes on the built module and names each conflict planted in a copy of it.

BeforeAll {
    $checkerProject = Join-Path $PSScriptRoot '../../src/Replication.ModuleClosure/Replication.ModuleClosure.csproj'
    $checkerOutput = Join-Path ([IO.Path]::GetTempPath()) ("rp-closure-check-" + [guid]::NewGuid().ToString('N'))
    & dotnet build $checkerProject -c Release -o $checkerOutput --nologo -v quiet | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "The closure check did not build (exit $LASTEXITCODE)." }
    $builtModule = Split-Path $env:REPLICATION_MODULE_PATH

    function Invoke-ClosureCheck([string] $Folder) {
        $output = & dotnet (Join-Path $checkerOutput 'Replication.ModuleClosure.dll') $Folder
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output -join "`n" }
    }

    function Copy-BuiltModule {
        $copy = Join-Path ([IO.Path]::GetTempPath()) ("rp-closure-" + [guid]::NewGuid().ToString('N'))
        Copy-Item $builtModule $copy -Recurse
        $copy
    }

    function Set-MetadataVersion {
        <#
        .SYNOPSIS
            Rewrites a version in an assembly's metadata, in place: its own (Assembly table) or that of one reference
            (AssemblyRef table). The strong-name signature no longer matches; only the checker reads the file.
        #>
        param([string] $Path, [version] $Version, [string] $Reference)
        $bytes = [IO.File]::ReadAllBytes($Path)
        $pe = [System.Reflection.PortableExecutable.PEReader]::new([IO.MemoryStream]::new($bytes))
        try {
            $metadata = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
            $tables = [System.Reflection.Metadata.Ecma335.MetadataReaderExtensions]
            if ($Reference) {
                $handle = @($metadata.AssemblyReferences | Where-Object { $metadata.GetString($metadata.GetAssemblyReference($_).Name) -eq $Reference })[0]
                $table = [System.Reflection.Metadata.Ecma335.TableIndex]::AssemblyRef
                $row = [System.Reflection.Metadata.Ecma335.MetadataTokens]::GetRowNumber([System.Reflection.Metadata.AssemblyReferenceHandle]$handle)
                $skip = 0                 # AssemblyRef rows start with the version
            }
            else {
                $table = [System.Reflection.Metadata.Ecma335.TableIndex]::Assembly
                $row = 1
                $skip = 4                 # after HashAlgId
            }
            $offset = $pe.PEHeaders.MetadataStartOffset + $tables::GetTableMetadataOffset($metadata, $table) + ($row - 1) * $tables::GetTableRowSize($metadata, $table) + $skip
        }
        finally { $pe.Dispose() }
        $parts = $Version.Major, $Version.Minor, $Version.Build, $Version.Revision
        for ($i = 0; $i -lt 4; $i++) { [BitConverter]::GetBytes([uint16]$parts[$i]).CopyTo($bytes, $offset + 2 * $i) }
        [IO.File]::WriteAllBytes($Path, $bytes)
    }
}

AfterAll { Remove-Item $checkerOutput -Recurse -Force -ErrorAction Ignore }

Describe 'The closure check on the built module' {
    It 'passes, listing each request .NET Framework would not bind by itself with the copy the module''s resolver gives' {
        $result = Invoke-ClosureCheck $builtModule
        $result.Output | Should -Match 'Module closure: every reference binds'
        $result.Output | Should -Match 'Polly\.Core asks for Microsoft\.Bcl\.AsyncInterfaces 6\.0\.0\.0, gets Microsoft\.Bcl\.AsyncInterfaces\.dll 8\.0\.0\.0'
        $result.Output | Should -Match 'SQLitePCLRaw\.core asks for System\.Memory 4\.0\.1\.1, gets System\.Memory\.dll 4\.0\.2\.0'
        $result.Output | Should -Match 'Polly\.Core asks for System\.Runtime\.CompilerServices\.Unsafe 4\.0\.4\.1, gets System\.Runtime\.CompilerServices\.Unsafe\.dll 6\.0\.0\.0'
        $result.Output | Should -Match 'Replication\.Engine asks for System\.IO\.Hashing 10\.0\.0\.15, gets lib/netstandard2\.0/System\.IO\.Hashing\.dll'
        $result.Output | Should -Match 'built for \.NET only, which it would not: .*Npgsql\.dll'
        $result.ExitCode | Should -Be 0
    }

    It 'models the .NET Framework the manifest asks for, and the manifest claims Windows PowerShell 5.1' {
        $manifest = Import-PowerShellDataFile $env:REPLICATION_MODULE_PATH
        $result = Invoke-ClosureCheck ($builtModule + [IO.Path]::DirectorySeparatorChar)   # a trailing separator reads the same folder
        $result.Output | Should -Match ('on \.NET Framework ' + [regex]::Escape($manifest.DotNetFrameworkVersion) + ' \(')
        $result.ExitCode | Should -Be 0
        $manifest.CompatiblePSEditions | Should -Contain 'Desktop'
        $manifest.PowerShellVersion | Should -Be '5.1'
    }
}

Describe 'The closure check on a folder without the module' {
    It 'fails rather than passing on nothing' {
        $empty = Join-Path ([IO.Path]::GetTempPath()) ("rp-closure-empty-" + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory $empty | Out-Null
        try {
            $result = Invoke-ClosureCheck $empty
            $result.Output | Should -Match 'FAIL: Replication\.PowerShell\.dll is not in the folder'
            $result.ExitCode | Should -Be 1
        }
        finally { Remove-Item $empty -Recurse -Force }
    }
}

Describe 'The closure check on a module folder with a planted conflict' {
    BeforeEach { $module = Copy-BuiltModule }
    AfterEach { Remove-Item $module -Recurse -Force }

    It 'fails when an assembly asks for a newer version than the module ships' {
        Set-MetadataVersion (Join-Path $module 'Polly.Core.dll') -Reference 'Microsoft.Bcl.AsyncInterfaces' -Version 9.0.0.0
        $result = Invoke-ClosureCheck $module
        $result.Output | Should -Match 'FAIL: Polly\.Core\.dll references Microsoft\.Bcl\.AsyncInterfaces, Version=9\.0\.0\.0, .*: the module ships Microsoft\.Bcl\.AsyncInterfaces\.dll as Microsoft\.Bcl\.AsyncInterfaces, Version=8\.0\.0\.0'
        $result.Output | Should -Match 'Module closure: 1 problem\(s\)'
        $result.ExitCode | Should -Be 1
    }

    It 'fails when the module ships an older version than its assemblies ask for' {
        Set-MetadataVersion (Join-Path $module 'System.Memory.dll') -Version 4.0.1.0
        $result = Invoke-ClosureCheck $module
        $result.Output | Should -Match 'FAIL: Replication\.Engine\.dll references System\.Memory, Version=4\.0\.2\.0'
        $result.Output | Should -Match 'FAIL: SQLitePCLRaw\.core\.dll references System\.Memory, Version=4\.0\.1\.1'
        $result.ExitCode | Should -Be 1
    }

    It 'fails when a referenced assembly is neither .NET Framework''s nor shipped' {
        Remove-Item (Join-Path $module 'System.Buffers.dll')
        $result = Invoke-ClosureCheck $module
        $result.Output | Should -Match 'FAIL: System\.Memory\.dll references System\.Buffers, Version=4\.0\.2\.0, .*: neither \.NET Framework 4\.7\.2 nor Windows PowerShell has it and the module ships no copy'
        $result.ExitCode | Should -Be 1
    }

    It 'fails when Windows PowerShell''s build of an assembly is one built for .NET only' {
        Copy-Item (Join-Path $module 'lib/net8.0/System.IO.Hashing.dll') (Join-Path $module 'lib/netstandard2.0') -Force
        $result = Invoke-ClosureCheck $module
        $result.Output | Should -Match 'FAIL: lib/netstandard2\.0/System\.IO\.Hashing\.dll is built for \.NETCoreApp,Version=v8\.0'
        $result.Output | Should -Match 'FAIL: Replication\.Engine\.dll references System\.IO\.Hashing, .*: it binds to lib/netstandard2\.0/System\.IO\.Hashing\.dll, built for \.NETCoreApp'
        $result.ExitCode | Should -Be 1
    }

    It 'fails when a Windows SQLite native library is missing or built for another machine' {
        Remove-Item (Join-Path $module 'runtimes/win-arm64/native/e_sqlite3.dll')
        Copy-Item (Join-Path $module 'runtimes/win-x64/native/e_sqlite3.dll') (Join-Path $module 'runtimes/win-x86/native/e_sqlite3.dll') -Force
        $result = Invoke-ClosureCheck $module
        $result.Output | Should -Match 'FAIL: runtimes/win-arm64/native/e_sqlite3\.dll is missing'
        $result.Output | Should -Match 'FAIL: runtimes/win-x86/native/e_sqlite3\.dll is built for Amd64, not I386'
        $result.ExitCode | Should -Be 1
    }
}
