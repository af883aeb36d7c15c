# The module as users load it: what it exports, its help, and how its default views read in a 100-column console.

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
        $changesState = 'New', 'Add', 'Remove', 'Set', 'Copy', 'Sync', 'Invoke', 'Enable', 'Disable', 'Repair', 'Test', 'Suspend', 'Resume', 'Start', 'Stop', 'Register', 'Unregister', 'Resize', 'Move'
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

Describe 'Default views in a 100-column console, with long names' {
    BeforeAll {
        $site = New-ReplicationStory
        # Names as production sites have them: two that differ only at the end, and one of the full 64 characters.
        $long = 'postgres-production-01', 'postgres-production-02'
        $longest = 'analytics-warehouse-replica-' + ('x' * 36)
        foreach ($name in $long + $longest) { New-Volume -Name $name -SizeBytes 64MB -VolumeType replicated | Out-Null }
        New-Volume -Name web-frontend-static-01 -SizeBytes 64MB -VolumeType plain | Out-Null
        $sync = Sync-VolumeReplica $long[0]
        $promotion = Invoke-ReplicaPromotion $long[1] -Force
        New-ReplicationGroup -Name application-tier-east -VolumeName $long[0] | Out-Null

        function Get-TableLabels([string] $TypeName) {
            $table = (Get-FormatData -TypeName $TypeName).FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.TableControl] } | Select-Object -First 1
            @($table.Control.Headers | ForEach-Object { $_.Label })
        }

        # A table as text, back into rows of cells: each column spans from its header's dashes to the next column's; a
        # row starts where the first column has text, and the fragments of a wrapped cell are joined.
        function ConvertFrom-TableText([string[]] $Lines) {
            $starts = @([regex]::Matches($Lines[1], '-+').Index)
            $spans = for ($i = 0; $i -lt $starts.Count; $i++) { [pscustomobject]@{ Start = $starts[$i]; End = if ($i + 1 -lt $starts.Count) { $starts[$i + 1] } else { [int]::MaxValue } } }
            $rows = [Collections.Generic.List[object]]::new()
            foreach ($line in $Lines | Select-Object -Skip 2) {
                $cells = foreach ($span in $spans) { if ($line.Length -gt $span.Start) { $line.Substring($span.Start, [Math]::Min($line.Length, $span.End) - $span.Start).Trim() } else { '' } }
                if ($cells[0]) { $rows.Add([string[]]$cells) }
                else { for ($i = 1; $i -lt $cells.Count; $i++) { $rows[-1][$i] = ($rows[-1][$i] + ' ' + $cells[$i]).Trim() } }
            }
            , $rows
        }
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It '<Command> shows every column in 100 columns, names whole, nothing cut' -ForEach @(
        @{ Command = 'Get-StorageBackend'; Produce = { Get-StorageBackend }; Key = 'Name' }
        @{ Command = 'Get-VolumeType'; Produce = { Get-VolumeType }; Key = 'Name' }
        @{ Command = 'Get-Volume'; Produce = { Get-Volume | Where-Object Name -ne $longest }; Key = 'Name' }
        @{ Command = 'Get-VolumeReplica'; Produce = { Get-VolumeReplica | Where-Object VolumeName -ne $longest }; Key = 'VolumeName' }
        @{ Command = 'Get-VolumeConnection | Format-Table'; Produce = { Get-VolumeConnection $long[0] }; Key = 'VolumeName' }
        @{ Command = 'Sync-VolumeReplica'; Produce = { $sync }; Key = 'VolumeName' }
        @{ Command = 'Invoke-ReplicaPromotion'; Produce = { $promotion }; Key = 'VolumeName' }
        @{ Command = 'Get-ReplicationGroup'; Produce = { Get-ReplicationGroup }; Key = 'Name' }
        @{ Command = 'Get-ReplicationEvent'; Produce = { Get-ReplicationEvent -Name $long -Newest 5 }; Key = 'Message' }
    ) {
        $objects = @(& $Produce)
        $objects.Count | Should -BeGreaterThan 0
        $labels = Get-TableLabels $objects[0].GetType().FullName
        $labels.Count | Should -BeGreaterThan 0 -Because 'the type has a table view'
        $text = $objects | Format-Table | Out-String -Width 100
        $lines = @($text -split "`r?`n" | Where-Object { $_.Trim() })
        $lines[1] | Should -Match '^[- ]+$' -Because "the header is one line: `n$($lines[0..2] -join "`n")"
        [regex]::Matches($lines[1], '-+').Count | Should -Be $labels.Count -Because "no column is dropped: `n$($lines[0..2] -join "`n")"
        foreach ($label in $labels | Where-Object { $_ }) { $lines[0] | Should -Match ([regex]::Escape($label)) }
        $text | Should -Not -Match ([char]0x2026) -Because "a value that does not fit wraps, it is not cut:`n$text"
        @($lines | Where-Object Length -GT 100) | Should -BeNullOrEmpty
        # The key field: each object's whole value in its column (the names in the first column, on one line).
        $cells = (ConvertFrom-TableText $lines) | ForEach-Object { $_[$(if ($Key -eq 'Message') { -1 } else { 0 })] }
        foreach ($object in $objects) {
            $want = "$($object.$Key)" -replace '\s', ''
            @($cells | Where-Object { ($_ -replace '\s', '') -eq $want }).Count | Should -BeGreaterThan 0 -Because "'$($object.$Key)' should be shown whole:`n$text"
        }
    }

    It 'wraps a 64-character name in the Name column instead of cutting it' {
        $text = Get-Volume -Name $longest | Format-Table | Out-String -Width 100
        $text | Should -Not -Match ([char]0x2026)
        $lines = @($text -split "`r?`n" | Where-Object { $_.Trim() })
        $width = [regex]::Matches($lines[1], '-+')[1].Index
        -join ($lines | Select-Object -Skip 2 | ForEach-Object { $_.PadRight($width).Substring(0, $width).Trim() }) | Should -Be $longest
    }

    It 'shows a volume''s connection as a list by default, with the whole path a hypervisor needs' {
        $connection = Get-VolumeConnection $long[0]
        $text = $connection | Out-String -Width 100
        $text | Should -Match '(?m)^Path\s+:'
        $text | Should -Not -Match ([char]0x2026)
        ($text -replace '\s', '') | Should -Match ([regex]::Escape(($connection.Path -replace '\s', '')))
    }
}
