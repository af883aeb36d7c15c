# Status values as an admin filters and exports them: the words the tables show, in filters, JSON and CSV.

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Enable-DefaultStateGuard
}

AfterAll {
    Remove-DefaultStateGuard
}

Describe 'Status words' {
    BeforeAll {
        $site = New-ReplicationStory
        New-StorageBackend -Name dc3 -Driver LocalFile -Path (Join-Path $site.Root 'dc3') -Capability @{ tier = 'gold'; site = 'east' } | Out-Null
        New-Volume -Name db01 -SizeBytes 8MB -VolumeType replicated | Out-Null
        New-Volume -Name db02 -SizeBytes 8MB -VolumeType replicated | Out-Null
        Disable-Replication -Name db02 -Confirm:$false
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'a filter written from the table finds the paused volume' {
        (Get-Volume | Format-Table | Out-String -Width 100) | Should -Match 'db02 .* active-stopped'
        @(Get-Volume | Where-Object ReplicationStatus -eq 'active-stopped').Name | Should -Be @('db02')
        @(Get-VolumeReplica | Where-Object Status -eq 'active-stopped').VolumeName | Should -Be @('db02')
        @(Get-VolumeReplica | Where-Object Status -like 'active*').Count | Should -Be 2
    }

    It 'parameters take both spellings and complete Cinder''s' {
        @(Get-Volume -ReplicationStatus active-stopped).Name | Should -Be @('db02')
        @(Get-Volume -ReplicationStatus ActiveStopped).Name | Should -Be @('db02')
        @(Get-VolumeReplica -Status ActiveStopped).VolumeName | Should -Be @('db02')
        @(Get-Volume db01 -ReplicationStatus active-stopped -ErrorVariable missing).Count | Should -Be 0
        $missing | Should -BeNullOrEmpty -Because 'a named volume in another status is simply not listed'
        { Get-Volume -ReplicationStatus paused -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidReplicationStatus,Replication.PowerShell.Commands.GetVolumeCommand'
        $line = 'Get-Volume -ReplicationStatus active-s'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('active-stopped')
    }

    It 'ConvertTo-Json writes words, never enum numbers' {
        $volume = Get-Volume db02 | ConvertTo-Json | ConvertFrom-Json
        $volume.ReplicationStatus | Should -BeExactly 'active-stopped'
        $volume.Status | Should -BeExactly 'Available'
        $replica = Get-VolumeReplica db02 | ConvertTo-Json | ConvertFrom-Json
        $replica.Status | Should -BeExactly 'active-stopped'
        $replica.Health | Should -BeExactly 'Warning'
        $replica.DataAgeSeconds | Should -BeGreaterOrEqual 0
        (Measure-VolumeReplica | ConvertTo-Json | ConvertFrom-Json).Health | Should -BeExactly 'Warning'
        (Sync-VolumeReplica db01 | ConvertTo-Json | ConvertFrom-Json).Status | Should -BeExactly 'active'
        (Get-VolumeType replicated | ConvertTo-Json | ConvertFrom-Json).ReplicationType | Should -BeExactly 'Async'
        (Test-ReplicationPartnership dc1 | Select-Object -First 1 | ConvertTo-Json | ConvertFrom-Json).Severity | Should -BeIn 'Error', 'Warning'
    }

    It 'Export-Csv writes capabilities as key=value and the data age readably' {
        $csv = Join-Path $site.Root 'out.csv'
        Get-StorageBackend dc3 | Export-Csv -Path $csv
        $row = Import-Csv $csv
        $row.DeclaredCapabilities | Should -BeExactly 'site=east; tier=gold'
        $row.Capabilities | Should -Match '(^|; )tier=gold(;|$)'
        $row.Capabilities | Should -Not -Match 'System\.Collections'
        Get-VolumeReplica db01 | Export-Csv -Path $csv
        $row = Import-Csv $csv
        $row.Status | Should -BeExactly 'active'
        $row.Health | Should -BeExactly 'Normal'
        [timespan]::Parse($row.DataAge, [cultureinfo]::InvariantCulture) | Should -BeOfType [timespan]
        [double]::Parse($row.DataAgeSeconds, [cultureinfo]::InvariantCulture) | Should -BeGreaterOrEqual 0
        Get-VolumeType replicated | Export-Csv -Path $csv
        (Import-Csv $csv).ExtraSpecs | Should -BeExactly 'capabilities:replication=<is> True'
    }

    It 'no type the cmdlets write has an enum-typed property' {
        $types = Get-Command -Module Replication.PowerShell | ForEach-Object { $_.OutputType.Type } | Where-Object { $_ } | Sort-Object FullName -Unique
        $types.Count | Should -BeGreaterThan 10
        $enums = foreach ($type in $types) {
            foreach ($property in $type.GetProperties()) {
                $propertyType = [Nullable]::GetUnderlyingType($property.PropertyType) ?? $property.PropertyType
                if ($propertyType.IsEnum) { "$($type.Name).$($property.Name)" }
            }
        }
        @($enums) | Should -BeNullOrEmpty -Because 'ConvertTo-Json writes an enum as a number'
    }
}
