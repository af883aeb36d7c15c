# Every example in the help (docs/en-US/*.md, "## EXAMPLES") runs as written, each on a fresh site set up the way the
# help says examples assume: dc1 and dc2 paired, types 'replicated' and 'scratch', and a synced 1 GiB volume db01; for
# the PostgreSQL examples, PGHOST, PGPORT and PGUSER name the test server (REPLICATION_TEST_POSTGRES), where the
# database 'replication' is created empty before each example that names it.

BeforeDiscovery {
    $docs = Join-Path $PSScriptRoot '../../docs/en-US'
    $examples = foreach ($file in Get-ChildItem $docs -Filter '*.md' | Where-Object Name -NotLike 'about_*') {
        $text = Get-Content $file.FullName -Raw
        $section = [regex]::Match($text, '(?ms)^## EXAMPLES\s*$(.*?)^## ').Groups[1].Value
        $number = 0
        foreach ($block in [regex]::Matches($section, '(?ms)^```powershell\s*\r?\n(.*?)^```')) {
            $number++
            @{ Doc = $file.BaseName; Number = $number; Code = $block.Groups[1].Value }
        }
    }
}

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Enable-DefaultStateGuard
    $server = Get-TestPostgres
    $savedPg = @{ PGHOST = $env:PGHOST; PGPORT = $env:PGPORT; PGUSER = $env:PGUSER }
    $env:PGHOST = $server.Host; $env:PGPORT = $server.Port; $env:PGUSER = $server.Username
}

AfterAll {
    foreach ($name in $savedPg.Keys) { Set-Item "Env:$name" -Value $savedPg[$name] -ErrorAction Ignore; if (-not $savedPg[$name]) { Remove-Item "Env:$name" -ErrorAction Ignore } }
    Remove-DefaultStateGuard
}

Describe 'Help examples' {
    BeforeEach {
        $site = New-ReplicationTestSite
        # Examples that write to the temp folder (a report, a copy) write into the site, and go with it.
        $savedTmp = $env:TMPDIR
        $env:TMPDIR = $site.Root
        New-PairedBackends -Site $site
        New-ReplicatedVolumeType -Name replicated | Out-Null
        New-VolumeType -Name scratch | Out-Null
        New-Volume -Name db01 -SizeBytes 1GB -VolumeType replicated | Out-Null
        Write-VolumeBytes -Path (Get-VolumeConnection db01).Path -Offset 0 -Bytes (Get-RandomBytes -Count 4MB)
        Sync-VolumeReplica db01 | Out-Null
    }
    AfterEach {
        if ($savedTmp) { $env:TMPDIR = $savedTmp } else { Remove-Item Env:TMPDIR -ErrorAction Ignore }
        Remove-ReplicationTestSite $site
    }

    It '<Doc> example <Number> runs as written' -ForEach $examples {
        if ($Code -match 'Database=replication') { Reset-TestPostgresDatabase -Name replication }
        # Any error the example does not handle itself stops it (examples that show a refusal catch it); the output is
        # formatted, as at a prompt, so a broken view fails too.
        $ErrorActionPreference = 'Stop'
        { & ([scriptblock]::Create($Code)) | Out-String | Out-Null } | Should -Not -Throw
    }
}
