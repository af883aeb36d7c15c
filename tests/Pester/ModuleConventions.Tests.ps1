# The module as users load it: what it exports, its help, and how its default views read in an 80-column console.

BeforeDiscovery {
    # Data for -ForEach must exist when Pester discovers the tests, before any BeforeAll runs.
    $exported = (Import-PowerShellDataFile $env:REPLICATION_MODULE_PATH).CmdletsToExport
}

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Enable-DefaultStateGuard
    $manifest = Import-PowerShellDataFile $env:REPLICATION_MODULE_PATH
    $module = Get-Module Replication.PowerShell
}

AfterAll {
    Remove-DefaultStateGuard
}

Describe 'The module as imported' {
    It 'exports exactly the manifest''s CmdletsToExport' {
        @($module.ExportedCmdlets.Keys | Sort-Object) | Should -Be @($manifest.CmdletsToExport | Sort-Object)
        $module.ExportedFunctions.Count | Should -Be 0
        $module.ExportedAliases.Count | Should -Be 0
    }

    It 'has a manifest that Test-ModuleManifest accepts, naming files that ship with it' {
        { Test-ModuleManifest -Path $env:REPLICATION_MODULE_PATH -ErrorAction Stop } | Should -Not -Throw
        $folder = Split-Path $env:REPLICATION_MODULE_PATH
        foreach ($file in @($manifest.RootModule) + $manifest.FormatsToProcess + $manifest.TypesToProcess + 'en-US/Replication.PowerShell.dll-Help.xml') {
            Join-Path $folder $file | Should -Exist
        }
        $manifest.Description | Should -Not -BeNullOrEmpty
        $manifest.PrivateData.PSData.Tags | Should -Not -BeNullOrEmpty
        $manifest.PrivateData.PSData.LicenseUri | Should -Not -BeNullOrEmpty
    }

    It 'hashes blocks with the System.IO.Hashing build for its runtime (net8.0 on PowerShell 7.4+), from its own lib folder' {
        [Replication.Engine.Replication.BlockMap]::Hash([byte[]]::new(64KB), [byte[]]::new(16))
        $hashing = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'System.IO.Hashing' }
        @($hashing).Count | Should -Be 1
        $hashing.Location | Should -Be (Join-Path (Split-Path $env:REPLICATION_MODULE_PATH) 'lib/net8.0/System.IO.Hashing.dll')
        $folder = Split-Path $env:REPLICATION_MODULE_PATH
        Join-Path $folder 'lib/netstandard2.0/System.IO.Hashing.dll' | Should -Exist   # for Windows PowerShell
        Join-Path $folder 'System.IO.Hashing.dll' | Should -Not -Exist                 # nothing finds a build before the resolver
    }

    It 'has a real version and both editions' {
        $module.Version | Should -BeGreaterThan ([version]'0.0')
        $manifest.CompatiblePSEditions | Should -Contain 'Core'
    }
}

Describe 'Every exported cmdlet follows PowerShell''s guidelines' {
    BeforeAll {
        $approved = @(Get-Verb).Verb
        $changesState = 'New', 'Add', 'Remove', 'Set', 'Copy', 'Sync', 'Invoke', 'Enable', 'Disable', 'Repair', 'Test', 'Suspend', 'Resume', 'Start', 'Stop'
    }

    It '<_> uses an approved verb' -ForEach $exported {
        (Get-Command $_).Verb | Should -BeIn $approved
    }

    It '<_> declares a non-empty OutputType' -ForEach $exported {
        @((Get-Command $_).OutputType).Count | Should -BeGreaterThan 0
    }

    It '<_> offers -WhatIf and -Confirm when its verb changes state or it writes a report' -ForEach $exported {
        $command = Get-Command $_
        if ($command.Verb -in $changesState -or $command.Parameters.ContainsKey('ReportPath')) {
            $command.Parameters.Keys | Should -Contain 'WhatIf'
            $command.Parameters.Keys | Should -Contain 'Confirm'
        }
        else {
            $command.Parameters.Keys | Should -Not -Contain 'WhatIf'
        }
    }
}

Describe 'Help of every exported cmdlet' {
    BeforeAll {
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        $helps = foreach ($name in $manifest.CmdletsToExport) {
            [pscustomobject]@{ Name = $name; Help = Get-Help -Name $name -Full; Command = Get-Command -Name $name }
        }
    }

    It 'has a written synopsis and description, not the generated syntax' {
        $missing = @($helps | Where-Object {
                $synopsis = "$($_.Help.Synopsis)".Trim()
                -not $synopsis -or $synopsis -like "$($_.Name) *" -or -not ($_.Help.Description | Out-String).Trim()
            }).Name
        $missing | Should -BeNullOrEmpty -Because "these cmdlets have no written synopsis or description: $($missing -join ', ')"
    }

    It 'has at least two examples, each using the cmdlet' {
        $missing = @($helps | Where-Object {
                $name = $_.Name
                $examples = @($_.Help.Examples.Example)
                $examples.Count -lt 2 -or @($examples | Where-Object { ($_.Code | Out-String) -notmatch [regex]::Escape($name) }).Count -gt 0
            }).Name
        $missing | Should -BeNullOrEmpty -Because "these cmdlets have fewer than two examples using them: $($missing -join ', ')"
    }

    It 'lists inputs and outputs' {
        $missing = @($helps | Where-Object { -not ($_.Help.inputTypes | Out-String).Trim() -or -not ($_.Help.returnValues | Out-String).Trim() }).Name
        $missing | Should -BeNullOrEmpty -Because "these cmdlets' help lacks inputs or outputs: $($missing -join ', ')"
    }

    It 'has the about topic' {
        (Get-Help about_Replication_PowerShell | Out-String) | Should -Match 'Invoke-ReplicaPromotion'
    }

    It 'documents every parameter' {
        $undocumented = foreach ($entry in $helps) {
            foreach ($parameter in $entry.Command.Parameters.Keys | Where-Object { $_ -notin $common }) {
                $documented = $entry.Help.Parameters.Parameter | Where-Object Name -EQ $parameter
                if (-not ($documented.Description | Out-String).Trim()) { "$($entry.Name) -$parameter" }
            }
        }
        @($undocumented) | Should -BeNullOrEmpty -Because "these parameters have no description: $($undocumented -join ', ')"
    }
}

Describe 'Default table views in an 80-column console' {
    BeforeAll {
        $site = New-ReplicationStory
        New-Volume -Name db01 -SizeBytes 64MB -VolumeType replicated | Out-Null
        New-Volume -Name web01 -SizeBytes 64MB -VolumeType plain | Out-Null
        $sync = Sync-VolumeReplica db01
        New-Volume -Name db02 -SizeBytes 64MB -VolumeType replicated | Out-Null
        $promotion = Invoke-ReplicaPromotion db02 -Force

        function Get-TableLabels([string] $TypeName) {
            $table = (Get-FormatData -TypeName $TypeName).FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.TableControl] } | Select-Object -First 1
            @($table.Control.Headers | ForEach-Object { $_.Label })
        }
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It '<Command> shows every column with its header on one line' -ForEach @(
        @{ Command = 'Get-StorageBackend'; Produce = { Get-StorageBackend } }
        @{ Command = 'Get-VolumeType'; Produce = { Get-VolumeType } }
        @{ Command = 'Get-Volume'; Produce = { Get-Volume } }
        @{ Command = 'Get-VolumeReplica'; Produce = { Get-VolumeReplica } }
        @{ Command = 'Get-VolumeConnection'; Produce = { Get-VolumeConnection db01 } }
        @{ Command = 'Sync-VolumeReplica'; Produce = { $sync } }
        @{ Command = 'Invoke-ReplicaPromotion'; Produce = { $promotion } }
        @{ Command = 'Get-ReplicationEvent'; Produce = { Get-ReplicationEvent -Newest 5 } }
    ) {
        $objects = @(& $Produce)
        $objects.Count | Should -BeGreaterThan 0
        $labels = Get-TableLabels $objects[0].GetType().FullName
        $labels.Count | Should -BeGreaterThan 0 -Because 'the type has a table view'
        $lines = @(($objects | Format-Table | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() })
        $lines[1] | Should -Match '^[- ]+$' -Because "the header is one line: `n$($lines[0..2] -join "`n")"
        [regex]::Matches($lines[1], '-+').Count | Should -Be $labels.Count -Because "no column is dropped: `n$($lines[0..2] -join "`n")"
        foreach ($label in $labels | Where-Object { $_ }) { $lines[0] | Should -Match ([regex]::Escape($label)) }
    }
}
