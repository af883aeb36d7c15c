@{
    RootModule           = 'Replication.PowerShell.dll'
    ModuleVersion        = '0.2.0'
    GUID                 = '5b0f3c1e-7d2a-4c1b-9a57-3e8f6d2b4a91'
    Author               = 'Replication.PowerShell developers'
    CompanyName          = 'Replication.PowerShell'
    Copyright            = '(c) Replication.PowerShell developers. MIT License.'
    Description          = 'OpenStack Cinder-style volume replication for PowerShell: backends, replicated volume types, capability-based placement, block-level sync, promotion (failover), re-enable (resync) and DR tests, with state in SQLite.'
    # Windows PowerShell 5.1 on .NET Framework 4.7.2 or later (netstandard2.0 built in; the framework the build's closure
    # check models), and PowerShell 7.4 or later (.NET 8). A manifest cannot say "5.1 Desktop or 7.4 Core"; the README
    # says which was proven how.
    PowerShellVersion    = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    CompatiblePSEditions = @('Core', 'Desktop')
    FormatsToProcess     = @('Replication.PowerShell.Format.ps1xml', 'Replication.PowerShell.Health.Format.ps1xml', 'Replication.PowerShell.Drivers.Format.ps1xml')
    TypesToProcess       = @('Replication.PowerShell.Types.ps1xml')
    CmdletsToExport      = @(
        'New-StorageBackend'
        'Get-StorageBackend'
        'Remove-StorageBackend'
        'Set-StorageBackend'
        'New-VolumeType'
        'New-ReplicatedVolumeType'
        'Get-VolumeType'
        'Remove-VolumeType'
        'Set-VolumeType'
        'New-Volume'
        'Get-Volume'
        'Remove-Volume'
        'Resize-Volume'
        'Set-Volume'
        'Move-Volume'
        'Get-VolumeConnection'
        'Start-VolumeExport'
        'Stop-VolumeExport'
        'Get-VolumeExport'
        'Get-VolumeReplica'
        'Sync-VolumeReplica'
        'Invoke-ReplicaPromotion'
        'Enable-Replication'
        'Disable-Replication'
        'Get-ReplicationEvent'
        'Get-ReplicationStateStore'
        'Set-ReplicationStateStore'
        'Copy-ReplicationStateStore'
        'Repair-ReplicationState'
        'Test-VolumeReplica'
        'Get-DRTestResult'
        'Suspend-StorageBackend'
        'Resume-StorageBackend'
        'Invoke-BackendFailover'
        'Invoke-BackendFailback'
        'Measure-VolumeReplica'
        'Test-ReplicationPartnership'
        'New-ReplicationGroup'
        'Get-ReplicationGroup'
        'Remove-ReplicationGroup'
        'Add-ReplicationGroupMember'
        'Remove-ReplicationGroupMember'
        'Register-StorageDriver'
        'Get-StorageDriver'
        'Unregister-StorageDriver'
        'Test-StorageDriver'
        'Get-VolumeRecoveryPoint'
        'Remove-VolumeRecoveryPoint'
        'New-VolumeSnapshot'
        'Get-VolumeSnapshot'
        'Remove-VolumeSnapshot'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Replication', 'DisasterRecovery', 'Cinder', 'Storage', 'Failover', 'Linux', 'Windows', 'MacOS')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ProjectUri   = 'https://github.com/Replication-PowerShell/Replication.PowerShell'
            ReleaseNotes = 'Status words (active-stopped) in properties, filters, JSON and CSV; tables that fit 100 columns without cutting names; group members handled once per group in a pipeline; Enable-Replication -PassThru with the bytes copied, Disable-Replication asks first; round statistics, pending bytes and event filters for runbooks; error advice under -Prefix; an install from a PSResourceGet repository. See CHANGELOG.md.'
        }
    }
}
