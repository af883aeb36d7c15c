# Operating agent backends (issue 15), on a two-site network of the test run's own (tests/Agents/TwoSites.psm1):
# Test-ReplicationPartnership measuring the inter-site link shaped with tbf, and each agent's metrics scraped with curl
# in its namespace after a round. The lab is removed in AfterAll, also when a test fails. Needs root (as CI runs), ip, tc, openssl and curl.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../Agents/TwoSites.psm1') -Force
    $agentPath = Join-Path (Split-Path (Split-Path (Split-Path $env:REPLICATION_MODULE_PATH))) 'agent/Replication.Agent.dll'
    if (-not (Test-Path $agentPath)) { throw "The agent is not built at '$agentPath': build.ps1 -Task Agent publishes it (Test does)." }
    $root = Join-Path ([IO.Path]::GetTempPath()) ("rp-agentops-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $root | Out-Null
    $lab = New-TwoSiteLab -AgentPath $agentPath -Root $root

    # Each agent serves its metrics on loopback in its namespace (Metrics.Listen: a port alone means 127.0.0.1).
    foreach ($agent in $lab.Agents.Values) {
        $agent.Process.Kill($true)
        $agent.Process.WaitForExit(10000) | Out-Null
        $config = Get-Content -Raw $agent.Config | ConvertFrom-Json -AsHashtable
        $config.Metrics = @{ Listen = '9464' }
        $config | ConvertTo-Json | Set-Content -Path $agent.Config
        Restart-SiteAgent $agent
    }
    function Get-Metric([string] $Site, [string] $Metric, [string] $Label) {
        $namespace = if ($Site -eq 'dc1') { $lab.Dc1 } else { $lab.Dc2 }
        $scrape = & ip netns exec $namespace curl -sS --max-time 10 http://127.0.0.1:9464/metrics
        if ($LASTEXITCODE -ne 0) { throw "curl in $namespace exited with $LASTEXITCODE" }
        $line = $scrape | Where-Object { $_ -match "^$([regex]::Escape($Metric))[{ ]" -and $_.Contains($Label) } | Select-Object -First 1
        if ($line) { [double]($line -split ' ')[1] }
    }

    # dc1 sends to dc2 over the inter-site link, shaped to 40 Mbit/s (5 MB/s).
    $rateMbit = 40
    & ip netns exec $lab.Dc1 tc qdisc add dev "$($lab.Prefix)12" root tbf rate "${rateMbit}mbit" burst 32kbit latency 400ms
    $shaped = $LASTEXITCODE

    $dataMiB = 12
    $run = Invoke-InNamespace -Namespace $lab.Ctl -ScriptPath (Join-Path $PSScriptRoot '../Agents/PreflightAndRound.ps1') -TimeoutSeconds 240 -Parameters @{
        ModulePath = $env:REPLICATION_MODULE_PATH
        StatePath  = (Join-Path $root 'ops.db')
        Dc1Setting = (Get-AgentBackendSetting -Lab $lab -Site dc1 | ConvertTo-Json -Compress)
        Dc2Setting = (Get-AgentBackendSetting -Lab $lab -Site dc2 | ConvertTo-Json -Compress)
        Dc1Storage = $lab.Agents['dc1'].Storage
        DataMiB    = $dataMiB
    }
    function Get-Check([string] $Check, [string] $Backend = 'dc1') { @($run.Checks | Where-Object { $_.Check -eq $Check -and $_.Backend -eq $Backend }) }
}

AfterAll {
    try { Remove-TwoSiteLab $lab }
    finally { if ($root -and (Test-Path $root)) { Remove-Item $root -Recurse -Force } }
}

Describe 'Test-ReplicationPartnership on two agent backends, the inter-site link shaped with tbf' {
    It 'shapes the inter-site link' {
        $shaped | Should -Be 0
    }

    It 'reaches both agents from the controller' {
        (Get-Check FolderReachable dc1).Passed | Should -BeTrue
        (Get-Check FolderReachable dc2).Passed | Should -BeTrue
    }

    It 'checks the certificates of each side and warns that the lab''s expire within 30 days' {
        foreach ($site in 'dc1', 'dc2') {
            $check = Get-Check Certificates $site
            $check.Count | Should -Be 1
            $check.Passed | Should -BeFalse
            $check.Severity | Should -Be 'Warning'
            $check.Detail | Should -Match "CN=agent-$site\) expires on"
            $check.Detail | Should -Match 'CN=controller\) expires on'
        }
    }

    It 'reaches dc2''s agent from dc1''s and measures a rate near the shaped one' {
        $link = Get-Check PartnerLink
        $link.Passed | Should -BeTrue
        $link.Detail | Should -Match "at https://$([regex]::Escape($lab.Dc2ForDc1)):$($lab.Port)/"
        $link.Detail -match ': (?<rate>[0-9.]+) Mbit/s\.$' | Should -BeTrue -Because $link.Detail
        # TCP, TLS and HTTP/2 take their share of the shaped rate; tbf lets a little more through in bursts.
        $measured = [double]$Matches.rate
        $measured | Should -BeGreaterThan ($rateMbit * 0.5)
        $measured | Should -BeLessThan ($rateMbit * 1.5)
    }

    It 'finds the clocks of the two agents in agreement' {
        (Get-Check PartnerClockSkew).Passed | Should -BeTrue
    }

    It 'estimates the initial sync of dc1''s data at the measured rate' {
        $estimate = Get-Check InitialSync
        $estimate.Severity | Should -Be 'Information'
        $estimate.Detail -match "^The 1 volume\(s\) of 'dc1' replicated to 'dc2' hold $dataMiB MiB of data; at the measured [0-9.]+ Mbit/s an initial sync takes about (?<seconds>[0-9.]+) s" | Should -BeTrue -Because $estimate.Detail
        # 12 MiB at 40 Mbit/s: about 2.5 s.
        [double]$Matches.seconds | Should -BeGreaterThan 1.2
        [double]$Matches.seconds | Should -BeLessThan 5
    }

    It 'still runs the storage checks, and a round then syncs the data' {
        (Get-Check FreeSpace dc2).Passed | Should -BeTrue
        $run.SyncStatus | Should -Be 'active'
        $run.SyncBytes | Should -Be ($dataMiB * 1MB)
    }
}

Describe 'Each agent''s metrics, scraped in its namespace after the round' {
    It 'counts at dc1 the bytes the round sent, and at dc2 the bytes it received' {
        Get-Metric dc1 replication_agent_sent_bytes_total 'backend="dc1"' | Should -Be $run.SyncBytes
        Get-Metric dc2 replication_agent_received_bytes_total 'backend="dc2"' | Should -Be $run.SyncBytes
    }

    It 'times the round at both ends' {
        Get-Metric dc1 replication_agent_round_duration_seconds_count 'side="send"' | Should -Be 1
        Get-Metric dc2 replication_agent_round_duration_seconds_count 'side="apply"' | Should -Be 1
    }

    It 'shows the replica''s lag at dc2, and none at dc1, which holds no replica' {
        $copy = "volume-$($run.VolumeId).img"
        $lag = Get-Metric dc2 replication_agent_replication_lag_seconds $copy
        $lag | Should -BeGreaterOrEqual 0
        $lag | Should -BeLessThan 600
        Get-Metric dc1 replication_agent_replication_lag_seconds $copy | Should -BeNullOrEmpty
    }
}
