# The smaller things a first-time admin tripped over: a partner that does not exist, completion of -SourceReplica,
# sizes typed as 10G, the words of a DR test's verification, and Get-Help -Online.

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Enable-DefaultStateGuard
    $manifest = Import-PowerShellDataFile $env:REPLICATION_MODULE_PATH
}

AfterAll {
    Remove-DefaultStateGuard
}

Describe 'Small mends' {
    BeforeEach { $site = New-ReplicationTestSite }
    AfterEach { Remove-ReplicationTestSite $site }

    It 'warns when -ReplicationPartner names a backend that does not exist, and says why replication is off' {
        $dc1 = New-StorageBackend -Name dc1 -Path $site.Dc1 -ReplicationPartner dc9 -WarningVariable warned -WarningAction SilentlyContinue
        @($warned).Count | Should -Be 1
        "$($warned[0])" | Should -Match "There is no backend named 'dc9'"
        "$($warned[0])" | Should -Match 'New-StorageBackend -Name dc9 -ReplicationPartner dc1'
        $dc1.ReplicationEnabled | Should -BeFalse
        (Get-StorageBackend dc1 | Format-List | Out-String) | Should -Match "PartnerProblem\s*:\s*There is no backend named 'dc9'"

        New-StorageBackend -Name dc9 -Path $site.Dc2 -ReplicationPartner dc1 -WarningVariable none | Out-Null
        $none | Should -BeNullOrEmpty
        (Get-StorageBackend dc1).PartnerProblem | Should -BeNullOrEmpty
        (Get-StorageBackend dc1).ReplicationEnabled | Should -BeTrue
    }

    It '-SourceReplica completes only volumes whose replica a test volume can be cloned from' {
        New-PairedBackends -Site $site
        New-ReplicatedVolumeType -Name replicated | Out-Null
        New-VolumeType -Name plain | Out-Null
        foreach ($name in 'db01', 'db02', 'db03') { New-Volume -Name $name -SizeBytes 8MB -VolumeType replicated | Out-Null }
        New-Volume -Name db04 -SizeBytes 8MB -VolumeType plain | Out-Null
        Disable-Replication db02 -Force                      # active-stopped: still a source
        Invoke-ReplicaPromotion db03 -Force | Out-Null       # inactive: not one
        New-Volume -Name db01-test -SourceReplica db01 | Out-Null   # a test volume: not one

        $line = 'New-Volume -Name t -SourceReplica db'
        @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText) | Should -Be @('db01', 'db02')
    }

    It '-SizeBytes takes 10M, 512MiB and 1 G as well as PowerShell''s 2GB, and explains what a size is' {
        New-PairedBackends -Site $site
        New-ReplicatedVolumeType -Name replicated | Out-Null
        (New-Volume -Name a -SizeBytes 10M -VolumeType replicated).SizeBytes | Should -Be 10MB
        (New-Volume -Name b -SizeBytes '512MiB' -VolumeType replicated).SizeBytes | Should -Be 512MB
        (New-Volume -Name c -SizeBytes '1 G' -VolumeType replicated).SizeBytes | Should -Be 1GB
        (New-Volume -Name d -SizeBytes 2GB -VolumeType replicated).SizeBytes | Should -Be 2GB
        $error.Clear()
        { New-Volume -Name e -SizeBytes 10X -VolumeType replicated -ErrorAction Stop } | Should -Throw -ExpectedMessage "*'10X' is not a size*10G*"
        Get-Volume e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'says what a DR test verified in sentences with one period' {
        New-PairedBackends -Site $site
        New-ReplicatedVolumeType -Name replicated | Out-Null
        New-Volume -Name db01 -SizeBytes 8MB -VolumeType replicated | Out-Null
        $quiet = Test-VolumeReplica db01 -Validation { $true }
        $quiet.Verified | Should -Match 'custom validation passed\.$'
        $quiet.Verified | Should -Not -Match '\.\.'
        $talking = Test-VolumeReplica db01 -Validation { 'file system clean.'; $true }
        $talking.Verified | Should -Match 'custom validation passed: file system clean\.$'
        $failed = Test-VolumeReplica db01 -Validation { 'no superblock'; $false }
        $failed.Reason | Should -Match 'The custom validation failed: no superblock\.$'
    }

    It 'gives every cmdlet''s help an online address under the project''s, which Get-Help -Online opens' {
        $project = $manifest.PrivateData.PSData.ProjectUri
        $project | Should -Match '^https://'
        foreach ($name in $manifest.CmdletsToExport) {
            $uri = @((Get-Help $name).relatedLinks.navigationLink.uri | Where-Object { $_ })[0]
            $uri | Should -Be "$project/blob/main/docs/en-US/$name.md"
        }
    }
}
