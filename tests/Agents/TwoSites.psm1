# A two-site lab of the test run's own for the agent tests (tests/Pester/Agents.Tests.ps1): Linux network namespaces
# for the controller and two sites, veth links between them with addresses that exist only inside those namespaces, a
# lab CA and certificates made with openssl (the recipe of docs/agents.md), and an agent started in each site.
# Everything is removed by Remove-TwoSiteLab, which the tests call in AfterAll, so also when they fail. Every wait is
# bounded in count and time.

# A native tool whose failure stops the test. A plain function: its arguments (-out, -n, ...) all go to the tool.
function Invoke-Tool {
    $file, $arguments = $args
    $output = & $file @arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "$file $($arguments -join ' ') exited with ${LASTEXITCODE}: $output" }
    $output
}

function New-LabCertificate {
    <#
    .SYNOPSIS
        A key and a certificate issued by the lab CA (server and client authentication), as in docs/agents.md; -Days -1
        makes one that expired yesterday. Returns the paths and the SHA-256 thumbprint the agents and the driver pin.
    #>
    param([Parameter(Mandatory)] [string] $Folder, [Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $Ca,
        [string[]] $IpAddress = @(), [int] $Days = 30)
    $key = Join-Path $Folder "$Name.key"
    $csr = Join-Path $Folder "$Name.csr"
    $certificate = Join-Path $Folder "$Name.pem"
    $extensions = Join-Path $Folder "$Name.ext"
    $names = @("DNS:$Name") + @($IpAddress | ForEach-Object { "IP:$_" })
    Set-Content -Path $extensions -Value @(
        'basicConstraints = critical, CA:FALSE'
        'keyUsage = critical, digitalSignature, keyEncipherment'
        'extendedKeyUsage = serverAuth, clientAuth'
        "subjectAltName = $($names -join ', ')")
    Invoke-Tool openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $key -out $csr -subj "/CN=$Name" | Out-Null
    chmod 600 $key
    Invoke-Tool openssl x509 -req -in $csr -CA "$Ca.pem" -CAkey "$Ca.key" -CAcreateserial -days $Days -sha256 -extfile $extensions -out $certificate | Out-Null
    $fingerprint = (Invoke-Tool openssl x509 -in $certificate -noout -fingerprint -sha256) -replace '^.*=', '' -replace ':', ''
    [pscustomobject]@{ Name = $Name; Certificate = $certificate; Key = $key; Thumbprint = $fingerprint.Trim() }
}

function New-LabCa {
    param([Parameter(Mandatory)] [string] $Folder, [Parameter(Mandatory)] [string] $Name)
    $ca = Join-Path $Folder $Name
    Invoke-Tool openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$ca.key" -out "$ca.pem" -days 365 -sha256 -subj "/CN=$Name" `
        -addext 'basicConstraints = critical, CA:TRUE' -addext 'keyUsage = critical, keyCertSign, cRLSign' | Out-Null
    chmod 600 "$ca.key"
    $ca
}

function New-TwoSiteLab {
    <#
    .SYNOPSIS
        Namespaces <prefix>c (controller), <prefix>1 (dc1) and <prefix>2 (dc2), linked ctl-dc1, ctl-dc2 and dc1-dc2; a lab
        CA with certificates for the controller and both agents; both agents started and ready. Returns the lab.
    #>
    param([Parameter(Mandatory)] [string] $AgentPath, [Parameter(Mandatory)] [string] $Root)
    $prefix = "rp$PID"
    $lab = [pscustomobject]@{
        Prefix = $prefix; Root = $Root; Namespaces = [Collections.Generic.List[string]]::new(); Agents = @{}
        Ctl = "${prefix}c"; Dc1 = "${prefix}1"; Dc2 = "${prefix}2"
        # The controller's side of its two links, whose byte counters show what crossed the controller.
        CtlInterfaces = @("${prefix}c1", "${prefix}c2")
        Dc1ForCtl = '10.251.1.2'; Dc2ForCtl = '10.251.2.2'; Dc1ForDc2 = '10.251.3.1'; Dc2ForDc1 = '10.251.3.2'
        Pki = Join-Path $Root 'pki'; Port = 7443
        InterSite = "${prefix}12"
    }
    try {
        Initialize-TwoSiteLab -Lab $lab -AgentPath $AgentPath
    }
    catch {
        # Whatever was made so far goes, and the failure is what the test reports.
        Remove-TwoSiteLab $lab
        throw
    }
    $lab
}

function Initialize-TwoSiteLab {
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] [string] $AgentPath)
    $prefix = $Lab.Prefix
    New-Item -ItemType Directory -Path $lab.Pki -Force | Out-Null
    foreach ($namespace in $lab.Ctl, $lab.Dc1, $lab.Dc2) {
        Invoke-Tool ip netns add $namespace | Out-Null
        $lab.Namespaces.Add($namespace)
        Invoke-Tool ip -n $namespace link set lo up | Out-Null
    }
    Add-LabLink $lab.Ctl "${prefix}c1" '10.251.1.1/24' $lab.Dc1 "${prefix}1c" "$($lab.Dc1ForCtl)/24"
    Add-LabLink $lab.Ctl "${prefix}c2" '10.251.2.1/24' $lab.Dc2 "${prefix}2c" "$($lab.Dc2ForCtl)/24"
    Add-LabLink $lab.Dc1 "${prefix}12" "$($lab.Dc1ForDc2)/24" $lab.Dc2 "${prefix}21" "$($lab.Dc2ForDc1)/24"

    $ca = New-LabCa -Folder $lab.Pki -Name 'lab-ca'
    $lab | Add-Member Ca $ca
    $lab | Add-Member Controller (New-LabCertificate -Folder $lab.Pki -Name controller -Ca $ca)
    $dc1 = New-LabCertificate -Folder $lab.Pki -Name agent-dc1 -Ca $ca -IpAddress $lab.Dc1ForCtl, $lab.Dc1ForDc2
    $dc2 = New-LabCertificate -Folder $lab.Pki -Name agent-dc2 -Ca $ca -IpAddress $lab.Dc2ForCtl, $lab.Dc2ForDc1
    $lab | Add-Member Dc1Certificate $dc1
    $lab | Add-Member Dc2Certificate $dc2
    Start-SiteAgent -Lab $lab -Site dc1 -Namespace $lab.Dc1 -Certificate $dc1 -Pinned $lab.Controller.Thumbprint -Partners $dc2.Thumbprint -AgentPath $AgentPath
    Start-SiteAgent -Lab $lab -Site dc2 -Namespace $lab.Dc2 -Certificate $dc2 -Pinned $lab.Controller.Thumbprint -Partners $dc1.Thumbprint -AgentPath $AgentPath
}

function Add-LabLink {
    param([string] $NamespaceA, [string] $InterfaceA, [string] $AddressA, [string] $NamespaceB, [string] $InterfaceB, [string] $AddressB)
    Invoke-Tool ip link add $InterfaceA type veth peer name $InterfaceB | Out-Null
    Invoke-Tool ip link set $InterfaceA netns $NamespaceA | Out-Null
    Invoke-Tool ip link set $InterfaceB netns $NamespaceB | Out-Null
    Invoke-Tool ip -n $NamespaceA addr add $AddressA dev $InterfaceA | Out-Null
    Invoke-Tool ip -n $NamespaceB addr add $AddressB dev $InterfaceB | Out-Null
    Invoke-Tool ip -n $NamespaceA link set $InterfaceA up | Out-Null
    Invoke-Tool ip -n $NamespaceB link set $InterfaceB up | Out-Null
}

function Start-SiteAgent {
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] [string] $Site, [Parameter(Mandatory)] [string] $Namespace,
        [Parameter(Mandatory)] $Certificate, [Parameter(Mandatory)] [string[]] $Pinned, [Parameter(Mandatory)] [string[]] $Partners,
        [Parameter(Mandatory)] [string] $AgentPath)
    $folder = Join-Path $Lab.Root $Site
    New-Item -ItemType Directory -Path $folder -Force | Out-Null
    $config = Join-Path $folder 'agent.json'
    @{
        Listen = "0.0.0.0:$($Lab.Port)"; StorageFolder = (Join-Path $folder 'storage')
        Certificate = $Certificate.Certificate; CertificateKey = $Certificate.Key; TrustedCa = "$($Lab.Ca).pem"; PinnedClients = $Pinned; PinnedPartners = $Partners
    } | ConvertTo-Json | Set-Content -Path $config
    $agent = [pscustomobject]@{ Site = $Site; Namespace = $Namespace; Folder = $folder; Config = $config; AgentPath = $AgentPath; Storage = (Join-Path $folder 'storage'); Process = $null; Starts = 0 }
    $Lab.Agents[$Site] = $agent   # before it starts, so Remove-TwoSiteLab stops it whatever happens next
    Restart-SiteAgent $agent
}

function Restart-SiteAgent {
    <#
    .SYNOPSIS
        Starts a site's agent (again, after it was killed) in its namespace and waits, at most 60 s, until it is ready.
    #>
    param([Parameter(Mandatory)] $Agent)
    $Agent.Starts++
    $log = Join-Path $Agent.Folder "agent-$($Agent.Starts).log"
    $errors = Join-Path $Agent.Folder "agent-$($Agent.Starts).err"
    $Agent.Process = Start-Process -FilePath ip -ArgumentList @('netns', 'exec', $Agent.Namespace, 'dotnet', $Agent.AgentPath, '--config', $Agent.Config) `
        -RedirectStandardOutput $log -RedirectStandardError $errors -PassThru
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while (-not ((Test-Path $log) -and (Get-Content -Raw $log) -match 'Replication agent ready')) {
        if ($Agent.Process.HasExited) { throw "The $($Agent.Site) agent exited with $($Agent.Process.ExitCode): $(Get-Content -Raw $errors)" }
        if ([DateTime]::UtcNow -gt $deadline) {
            $Agent.Process.Kill($true)
            throw "The $($Agent.Site) agent was not ready within 60 s."
        }
        Start-Sleep -Milliseconds 200
    }
}

function Remove-TwoSiteLab {
    <#
    .SYNOPSIS
        Stops the lab's agents (by their process ids) and removes its namespaces (and with them their links) and folder.
    #>
    param($Lab)
    if (-not $Lab) { return }
    foreach ($agent in $Lab.Agents.Values) {
        if ($agent.Process -and -not $agent.Process.HasExited) { $agent.Process.Kill($true); $agent.Process.WaitForExit(10000) | Out-Null }
    }
    $problems = foreach ($namespace in $Lab.Namespaces) {
        $output = & ip netns del $namespace 2>&1
        if ($LASTEXITCODE -ne 0) { "ip netns del $namespace exited with ${LASTEXITCODE}: $output" }
    }
    if ($problems) { throw ($problems -join '; ') }
}

function Get-AgentBackendSetting {
    <#
    .SYNOPSIS
        The -Setting of an Agent backend for a site, as the controller reaches its agent (and the partner agent reaches it).
    #>
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] [ValidateSet('dc1', 'dc2')] [string] $Site, $Client)
    if (-not $Client) { $Client = $Lab.Controller }
    $forCtl = if ($Site -eq 'dc1') { $Lab.Dc1ForCtl } else { $Lab.Dc2ForCtl }
    $forPartner = if ($Site -eq 'dc1') { $Lab.Dc1ForDc2 } else { $Lab.Dc2ForDc1 }
    $certificate = if ($Site -eq 'dc1') { $Lab.Dc1Certificate } else { $Lab.Dc2Certificate }
    @{
        Address = "https://${forCtl}:$($Lab.Port)"; ReplicationAddress = "https://${forPartner}:$($Lab.Port)"
        ClientCertificate = $Client.Certificate; ClientKey = $Client.Key; ServerCertificateThumbprint = $certificate.Thumbprint
    }
}

function Invoke-InNamespace {
    <#
    .SYNOPSIS
        Runs a script file in a fresh pwsh inside a namespace (the controller's) and returns what it wrote as JSON; the
        child is killed if it runs longer than -TimeoutSeconds.
    #>
    param([Parameter(Mandatory)] [string] $Namespace, [Parameter(Mandatory)] [string] $ScriptPath, [hashtable] $Parameters = @{}, [int] $TimeoutSeconds = 240)
    Start-InNamespace -Namespace $Namespace -ScriptPath $ScriptPath -Parameters $Parameters | Wait-InNamespace -TimeoutSeconds $TimeoutSeconds
}

function Start-InNamespace {
    <#
    .SYNOPSIS
        Starts a script file in a fresh pwsh inside a namespace; Wait-InNamespace waits for it and reads its JSON.
    #>
    param([Parameter(Mandatory)] [string] $Namespace, [Parameter(Mandatory)] [string] $ScriptPath, [hashtable] $Parameters = @{})
    $exe = [Environment]::ProcessPath
    $prefix = @()
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $prefix = @([Reflection.Assembly]::GetEntryAssembly().Location) }
    $start = [Diagnostics.ProcessStartInfo]::new('ip')
    foreach ($argument in @('netns', 'exec', $Namespace, $exe) + $prefix + @('-NoProfile', '-NonInteractive', '-File', $ScriptPath)) { $start.ArgumentList.Add($argument) }
    foreach ($key in $Parameters.Keys) {
        if ($Parameters[$key] -is [bool]) { if ($Parameters[$key]) { $start.ArgumentList.Add("-$key") } }   # a switch
        else { $start.ArgumentList.Add("-$key"); $start.ArgumentList.Add([string]$Parameters[$key]) }
    }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($start)
    [pscustomobject]@{ Process = $process; Script = "$ScriptPath in $Namespace"; Stdout = $process.StandardOutput.ReadToEndAsync(); Stderr = $process.StandardError.ReadToEndAsync() }
}

function Wait-InNamespace {
    param([Parameter(Mandatory, ValueFromPipeline)] $Child, [int] $TimeoutSeconds = 120)
    $process = $Child.Process
    if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
        $process.Kill($true)
        $process.WaitForExit()
        throw "The script $($Child.Script) did not finish within $TimeoutSeconds s. Output: $($Child.Stdout.Result) $($Child.Stderr.Result)"
    }
    if ($process.ExitCode -ne 0) { throw "The script $($Child.Script) exited with $($process.ExitCode): $($Child.Stdout.Result) $($Child.Stderr.Result)" }
    try { $Child.Stdout.Result | ConvertFrom-Json }
    catch { throw "The script $($Child.Script) wrote no JSON: $($Child.Stdout.Result) $($Child.Stderr.Result)" }
}

function Wait-StagedJournal {
    <#
    .SYNOPSIS
        Waits (at most -TimeoutSeconds, polling) until a round being staged at a site has written at least -Bytes to its
        journal, so a test can cut it mid-way. Returns the journal's size then.
    #>
    param([Parameter(Mandatory)] [string] $Storage, [long] $Bytes = 1MB, [int] $TimeoutSeconds = 60)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        $journal = Get-ChildItem -LiteralPath $Storage -Recurse -Force -Filter '*.staged' -ErrorAction Ignore | Select-Object -First 1
        if ($journal -and $journal.Length -ge $Bytes) { return $journal.Length }
        Start-Sleep -Milliseconds 50
    }
    throw "No round was staged in '$Storage' within $TimeoutSeconds s."
}

Export-ModuleMember -Function New-TwoSiteLab, Remove-TwoSiteLab, New-LabCa, New-LabCertificate, Get-AgentBackendSetting, Invoke-InNamespace, Start-InNamespace, Wait-InNamespace, Wait-StagedJournal, Restart-SiteAgent
