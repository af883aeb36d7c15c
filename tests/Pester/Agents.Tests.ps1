# Two sites on storage agents (issue 15), on a network of the test run's own: Linux network namespaces for the
# controller and the two sites, veth links between them, an agent (out/agent, build.ps1 -Task Agent) in each site's
# namespace, and the module used from the controller's namespace by a child pwsh. The lab (tests/Agents/TwoSites.psm1)
# is removed in AfterAll, also when a test fails. Needs root (as CI runs), ip and openssl.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../Agents/TwoSites.psm1') -Force
    $agentPath = Join-Path (Split-Path (Split-Path (Split-Path $env:REPLICATION_MODULE_PATH))) 'agent/Replication.Agent.dll'
    if (-not (Test-Path $agentPath)) { throw "The agent is not built at '$agentPath': build.ps1 -Task Agent publishes it (Test does)." }
    $root = Join-Path ([IO.Path]::GetTempPath()) ("rp-agents-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $root | Out-Null
    $lab = New-TwoSiteLab -AgentPath $agentPath -Root $root

    $sizeMiB = 64
    $storyState = Join-Path $root 'story.db'
    $story = Invoke-InNamespace -Namespace $lab.Ctl -ScriptPath (Join-Path $PSScriptRoot '../Agents/SeedStory.ps1') -TimeoutSeconds 480 -Parameters @{
        ModulePath = $env:REPLICATION_MODULE_PATH
        StatePath  = $storyState
        Dc1Setting = (Get-AgentBackendSetting -Lab $lab -Site dc1 | ConvertTo-Json -Compress)
        Dc2Setting = (Get-AgentBackendSetting -Lab $lab -Site dc2 | ConvertTo-Json -Compress)
        Dc1Storage = $lab.Agents['dc1'].Storage
        Dc2Storage = $lab.Agents['dc2'].Storage
        Interfaces = ($lab.CtlInterfaces -join ',')
        SizeMiB    = $sizeMiB
    }

    function Get-StorageFingerprint([string] $Folder) {
        Get-ChildItem -LiteralPath $Folder -Recurse -Force | Sort-Object FullName | ForEach-Object {
            if ($_.PSIsContainer) { "$($_.FullName) dir" } else { '{0} {1} {2}' -f $_.FullName, $_.Length, (Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash }
        }
    }
}

AfterAll {
    try { Remove-TwoSiteLab $lab }
    finally { if ($root -and (Test-Path $root)) { Remove-Item $root -Recurse -Force } }
}

Describe 'The seed story on two agent backends, the module in the controller''s namespace' {
    It 'syncs a volume written at dc1 to dc2, byte for byte' {
        $story.FirstSyncStatus | Should -Be 'active'
        $story.FirstSyncBytes | Should -Be ($sizeMiB * 1MB)
        $story.AfterFirst.Dc2 | Should -Be $story.AfterFirst.Dc1
    }

    It 'moves the volume''s bytes agent to agent: the controller''s interfaces carried well under 1% of them' {
        $story.ControllerBytes | Should -BeGreaterThan 0 -Because 'the controller did talk to both agents'
        $story.ControllerBytes | Should -BeLessThan ($sizeMiB * 1MB * 0.01)
    }

    It 'promotes the replica at dc2 and fences the old copy at dc1 through its agent' {
        $story.PromotedBackend | Should -Be 'dc2'
        $story.Dc1Fenced | Should -BeTrue
    }

    It 'replicates back to dc1 once replication is enabled again, byte for byte' {
        $story.ReplicaBackend | Should -Be 'dc1'
        $story.ReplicaStatus | Should -Be 'active'
        $story.Dc1 | Should -Be $story.Dc2
        $story.Dc1 | Should -Not -Be $story.AfterFirst.Dc1 -Because 'dc2 was written after the promotion'
    }

    It 'gives the copy''s path at dc2, where a hypervisor attaches it' {
        $story.ConnectionType | Should -Be 'file'
        $story.ConnectionPath | Should -Be (Join-Path $lab.Agents['dc2'].Storage $story.File)
    }
}

Describe 'Rounds that meet trouble on a shaped inter-site link: the sending agent SIGKILLed, the link cut' {
    BeforeAll {
        $dc1File = Join-Path $lab.Agents['dc1'].Storage $story.File
        $dc2File = Join-Path $lab.Agents['dc2'].Storage $story.File
        $sync = @{ ModulePath = $env:REPLICATION_MODULE_PATH; StatePath = $storyState; Volume = 'v1' }
        $syncScript = Join-Path $PSScriptRoot '../Agents/SyncOnce.ps1'
        function Get-Sha256([string] $Path) { (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash }
        # A write at dc2 (the primary since the story's promotion), as a hypervisor there would write its file.
        function Write-Site([string] $Path, [long] $Offset, [int] $Count, [int] $Seed) {
            $bytes = [byte[]]::new($Count)
            [Random]::new($Seed).NextBytes($bytes)
            $stream = [IO.File]::Open($Path, 'Open', 'ReadWrite', 'ReadWrite')
            try { $stream.Position = $Offset; $stream.Write($bytes, 0, $bytes.Length); $stream.Flush($true) } finally { $stream.Dispose() }
        }

        # dc2 sends to dc1 over the inter-site link, shaped to 50 Mbit/s: a 24 MiB round takes about 4 s.
        & ip netns exec $lab.Dc2 tc qdisc add dev "$($lab.Prefix)21" root tbf rate 50mbit burst 32kbit latency 400ms
        $shaped = $LASTEXITCODE

        # The sending agent killed mid-round, then started again.
        Write-Site $dc2File 0 (24MB) 11
        $replicaBeforeKill = Get-Sha256 $dc1File
        $child = Start-InNamespace -Namespace $lab.Ctl -ScriptPath $syncScript -Parameters $sync
        $stagedWhenKilled = Wait-StagedJournal -Storage $lab.Agents['dc1'].Storage -Bytes 2MB
        $lab.Agents['dc2'].Process.Kill()   # SIGKILL
        $killed = $child | Wait-InNamespace -TimeoutSeconds 240
        $replicaAfterKill = Get-Sha256 $dc1File
        $markersAfterKill = @(Get-ChildItem -LiteralPath $lab.Agents['dc1'].Storage -Recurse -Force -Filter '*.staged-round').Count
        Restart-SiteAgent $lab.Agents['dc2']
        $afterRestart = Invoke-InNamespace -Namespace $lab.Ctl -ScriptPath $syncScript -Parameters $sync
        $replicaAfterRestart = Get-Sha256 $dc1File
        $primaryAfterRestart = Get-Sha256 $dc2File

        # The inter-site link cut for two seconds mid-round, then restored.
        Write-Site $dc2File (8MB) (24MB) 12
        $replicaBeforeCut = Get-Sha256 $dc1File
        $primaryAtCut = Get-Sha256 $dc2File
        $child = Start-InNamespace -Namespace $lab.Ctl -ScriptPath $syncScript -Parameters $sync
        $stagedWhenCut = Wait-StagedJournal -Storage $lab.Agents['dc1'].Storage -Bytes 2MB
        & ip -n $lab.Dc2 link set "$($lab.Prefix)21" down
        Start-Sleep -Seconds 2
        & ip -n $lab.Dc2 link set "$($lab.Prefix)21" up
        $cut = $child | Wait-InNamespace -TimeoutSeconds 240
        $replicaAfterCut = Get-Sha256 $dc1File
        $afterCut = Invoke-InNamespace -Namespace $lab.Ctl -ScriptPath $syncScript -Parameters $sync
    }

    It 'shapes the inter-site link with tbf' {
        $shaped | Should -Be 0
    }

    It 'fails the round whose sending agent was killed, and leaves the replica at its last round' {
        $stagedWhenKilled | Should -BeGreaterOrEqual 2MB
        $killed.Failed | Should -BeTrue
        $killed.Message | Should -Match 'cannot be reached'
        $replicaAfterKill | Should -Be $replicaBeforeKill
        $markersAfterKill | Should -Be 0 -Because 'a round cut short is never staged'
        $killed.Status | Should -Be 'active' -Because 'the replica''s agent says the copy holds the recorded round, so it stays promotable'
    }

    It 'syncs again once the agent is back, byte for byte' {
        $afterRestart.Failed | Should -BeFalse -Because "$($afterRestart.Message)"
        $afterRestart.Status | Should -Be 'active'
        $replicaAfterRestart | Should -Be $primaryAfterRestart
    }

    It 'leaves the replica at one round or the other when the link is cut mid-round, and syncs once it is back' {
        $stagedWhenCut | Should -BeGreaterOrEqual 2MB
        $replicaAfterCut | Should -BeIn @($replicaBeforeCut, $primaryAtCut) -Because "the round $(if ($cut.Failed) { "failed ($($cut.Message))" } else { 'went on once the link was back' })"
        $cut.Status | Should -Be 'active' -Because 'a failed round leaves the copy at the recorded round, which the replica''s agent says it holds'
        $afterCut.Failed | Should -BeFalse -Because "$($afterCut.Message)"
        Get-Sha256 $dc1File | Should -Be $primaryAtCut
    }
}

Describe 'A site that cannot be reached: unplanned promotion at the other site, its agent fences the demoted copy once back, replication back' {
    BeforeAll {
        $failover = @{ ModulePath = $env:REPLICATION_MODULE_PATH; StatePath = $storyState; Volume = 'v1' }
        $failoverScript = Join-Path $PSScriptRoot '../Agents/Failover.ps1'
        $dc1File = Join-Path $lab.Agents['dc1'].Storage $story.File
        $dc2File = Join-Path $lab.Agents['dc2'].Storage $story.File
        # The state as a controller that missed the promotion holds it.
        $staleState = Join-Path $root 'stale.db'
        Copy-Item -LiteralPath $storyState -Destination $staleState
        [IO.File]::SetUnixFileMode($staleState, [IO.UnixFileMode]'UserRead, UserWrite')
        # dc2 (the primary since the story's promotion) drops off the network: both of its links go down.
        $dc2Links = @("$($lab.Prefix)2c", "$($lab.Prefix)21")
        foreach ($link in $dc2Links) { & ip -n $lab.Dc2 link set $link down }
        $promoted = Invoke-InNamespace -Namespace $lab.Ctl -ScriptPath $failoverScript -Parameters ($failover + @{ Step = 'Promote' })
        $writableWhileAway = [bool]((Get-Item $dc2File).UnixFileMode -band [IO.UnixFileMode]::UserWrite)
        # The new primary at dc1 takes writes while dc2 is away (a hypervisor at dc1).
        $stream = [IO.File]::Open($dc1File, 'Open', 'ReadWrite', 'ReadWrite')
        try { $stream.Position = 5MB; $stream.Write([byte[]](1..255), 0, 255); $stream.Flush($true) } finally { $stream.Dispose() }
        foreach ($link in $dc2Links) { & ip -n $lab.Dc2 link set $link up }
        # dc2's agent asks dc1's every few seconds (bounded wait: 60 s).
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (((Get-Item $dc2File).UnixFileMode -band [IO.UnixFileMode]::UserWrite) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 250 }
        $dc2Mode = (Get-Item $dc2File).UnixFileMode
        $dc2Before = (Get-FileHash -LiteralPath $dc2File -Algorithm SHA256).Hash
        $demoted = Invoke-InNamespace -Namespace $lab.Ctl -ScriptPath (Join-Path $PSScriptRoot '../Agents/DemotedCopy.ps1') -Parameters @{
            ModulePath = $env:REPLICATION_MODULE_PATH; StatePath = $storyState; StaleStatePath = $staleState; Backend = 'dc2'; Location = $story.File; Volume = 'v1'
        }
        $dc2After = (Get-FileHash -LiteralPath $dc2File -Algorithm SHA256).Hash
        $reenabled = Invoke-InNamespace -Namespace $lab.Ctl -ScriptPath $failoverScript -Parameters ($failover + @{ Step = 'Reenable' })
    }

    It 'promotes the replica at dc1 while dc2 cannot be reached, and the copy at dc2 stays writable while away' {
        $promoted.Backend | Should -Be 'dc1'
        $writableWhileAway | Should -BeTrue
    }

    It 'has dc2''s agent fence its copy once dc2 is back: read-only on disk' {
        $dc2Mode -band ([IO.UnixFileMode]::UserWrite -bor [IO.UnixFileMode]::GroupWrite -bor [IO.UnixFileMode]::OtherWrite) | Should -Be ([IO.UnixFileMode]::None)
    }

    It 'refuses a write through the driver''s device path to the demoted copy, and nothing changed' {
        $demoted.DriverRefusal | Should -Match 'refused by its agent.*fence'
        $dc2After | Should -Be $dc2Before
    }

    It 'refuses a round from a controller whose state is from before the promotion' {
        $demoted.StaleRefusal | Should -Match 'ConcurrentChange.*fence epoch'
        $dc2After | Should -Be $dc2Before
    }

    It 'replicates from dc1 to dc2 without -DiscardFencedWrites: nothing wrote to the copy at dc2 after it was last confirmed, byte for byte' {
        $reenabled.Refused | Should -BeNullOrEmpty
        $reenabled.Backend | Should -Be 'dc1'
        $reenabled.ReplicaBackend | Should -Be 'dc2'
        $reenabled.Status | Should -Be 'active'
        (Get-FileHash -LiteralPath $dc2File -Algorithm SHA256).Hash | Should -Be (Get-FileHash -LiteralPath $dc1File -Algorithm SHA256).Hash
    }
}

Describe 'Strangers are refused by the agents, and nothing at the site changes' {
    BeforeAll {
        $strangers = Join-Path $root 'strangers'
        New-Item -ItemType Directory -Path $strangers | Out-Null
        $otherCa = New-LabCa -Folder $strangers -Name 'other-ca'
        $certificates = [ordered]@{
            'other-ca'   = New-LabCertificate -Folder $strangers -Name 'from-other-ca' -Ca $otherCa
            'expired'    = New-LabCertificate -Folder $strangers -Name 'expired' -Ca $lab.Ca -Days -1
            'not-pinned' = New-LabCertificate -Folder $strangers -Name 'not-pinned' -Ca $lab.Ca
        }
        $settings = [ordered]@{}
        foreach ($name in $certificates.Keys) { $settings[$name] = Get-AgentBackendSetting -Lab $lab -Site dc1 -Client $certificates[$name] }
        $before = Get-StorageFingerprint $lab.Agents['dc1'].Storage
        $attempts = Invoke-InNamespace -Namespace $lab.Ctl -ScriptPath (Join-Path $PSScriptRoot '../Agents/Strangers.ps1') -TimeoutSeconds 120 -Parameters @{
            ModulePath = $env:REPLICATION_MODULE_PATH
            StatePath  = (Join-Path $root 'strangers.db')
            Settings   = ($settings | ConvertTo-Json -Compress)
        }
        # A client with no certificate at all: a gRPC call by hand, bounded by curl's own timeout.
        $noCertificate = & ip netns exec $lab.Ctl curl --http2 --insecure --silent --show-error --max-time 10 -X POST `
            -H 'content-type: application/grpc' --data-binary '' "https://$($lab.Dc1ForCtl):$($lab.Port)/replication.agent.v1.StorageAgent/ListCopies" 2>&1
        $noCertificateExit = $LASTEXITCODE
        $after = Get-StorageFingerprint $lab.Agents['dc1'].Storage
    }

    It 'refuses a certificate from <_>' -ForEach @('other-ca', 'expired', 'not-pinned') {
        $attempt = $attempts.Results.$_
        $attempt.Refused | Should -BeTrue
        $attempt.Message | Should -Match 'cannot be reached'
    }

    It 'defines no backend for any of them' {
        $attempts.Backends | Should -Be 0
    }

    It 'refuses a client with no certificate before serving anything' {
        $noCertificateExit | Should -Not -Be 0
        "$noCertificate" | Should -Not -Match 'grpc-status'
    }

    It 'leaves dc1''s storage exactly as it was' {
        $after | Should -Be $before
    }
}
