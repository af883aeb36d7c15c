# What the scripts run in the two-site lab's controller namespace share (tests/Agents/*.ps1, bench/AgentTransferStep.ps1).

# A backend's settings, handed to a script as JSON on its command line, as the hashtable New-StorageBackend takes.
function ConvertTo-Hashtable([string] $Json) {
    $table = @{}
    ($Json | ConvertFrom-Json).PSObject.Properties | ForEach-Object { $table[$_.Name] = $_.Value }
    $table
}

# Bytes the controller's interfaces received and sent, from the kernel's counters in this namespace.
function Get-ControllerBytes([string] $Interfaces) {
    $total = 0L
    foreach ($interface in $Interfaces -split ',') {
        foreach ($counter in 'rx_bytes', 'tx_bytes') { $total += [long](Get-Content "/sys/class/net/$interface/statistics/$counter") }
    }
    $total
}

Export-ModuleMember -Function ConvertTo-Hashtable, Get-ControllerBytes
