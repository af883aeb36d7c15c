# Every example in the help (docs/en-US/*.md, "## EXAMPLES") runs as written, each on a fresh site set up the way the
# help says examples assume: dc1 and dc2 paired, types 'replicated' and 'scratch', and a synced 1 GiB volume db01; for
# the PostgreSQL examples, PGHOST, PGPORT and PGUSER name the test server (REPLICATION_TEST_POSTGRES), where the
# database 'replication' is created empty before each example that names it.
# An example that shows a refusal names it in its text by its full ErrorId, as `$_.FullyQualifiedErrorId` gives it
# (`VolumeTypeInUse,Replication.PowerShell.Commands.RemoveVolumeTypeCommand`). Every error the example raises, caught
# or silenced, is recorded in $Error; the test asserts that those are exactly the ones its text names: a refusal that
# does not happen, or happens with another ErrorId, or an error the text does not mention, fails the example.

BeforeDiscovery {
    $docs = Join-Path $PSScriptRoot '../../docs/en-US'
    $examples = foreach ($file in Get-ChildItem $docs -Filter '*.md' | Where-Object Name -NotLike 'about_*') {
        $text = Get-Content $file.FullName -Raw
        $section = [regex]::Match($text, '(?ms)^## EXAMPLES\s*$(.*?)^## ').Groups[1].Value
        $number = 0
        # Each code block with the text after it, up to the next example's code or heading.
        foreach ($block in [regex]::Matches($section, '(?ms)^```powershell\s*\r?\n(.*?)^```[ \t]*\r?$(.*?)(?=^```powershell|^### |\z)')) {
            $number++
            $refusals = @([regex]::Matches($block.Groups[2].Value, '`(\w+,Replication\.PowerShell\.Commands\.\w+Command)`') | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique)
            @{ Doc = $file.BaseName; Number = $number; Code = $block.Groups[1].Value; Refusals = $refusals }
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

    It '<Doc> example <Number> runs as written, raising exactly the errors its text names' -ForEach $examples {
        if ($Code -match 'Database=replication') { Reset-TestPostgresDatabase -Name replication }
        # Any error the example does not handle itself stops it (examples that show a refusal catch it); the output is
        # formatted, as at a prompt, so a broken view fails too.
        $ErrorActionPreference = 'Stop'
        $global:Error.Clear()
        $stopped = $null
        try { & ([scriptblock]::Create($Code)) | Out-String | Out-Null } catch { $stopped = $_ }
        $raised = @($global:Error | Where-Object { $_ -is [Management.Automation.ErrorRecord] } | ForEach-Object FullyQualifiedErrorId | Sort-Object -Unique)

        $stopped | Should -BeNullOrEmpty -Because 'the example handles every error it shows'
        Should -ActualValue ($raised -join ', ') -Be ($Refusals -join ', ') -Because 'the errors an example raises are exactly the refusals its text names'
    }
}
