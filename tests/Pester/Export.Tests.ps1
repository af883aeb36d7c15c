# Volumes served over NBD (issue 9) as users run it: Start-VolumeExport starts a background export service process,
# QEMU's own client (qemu-io) writes through it, the process is SIGKILLed, and the dirty bitmap it left still makes the
# next round copy only what was written. Exported volumes are in use: promotion and removal are refused.

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Enable-DefaultStateGuard
}

AfterAll { Remove-DefaultStateGuard }

Describe 'Start-VolumeExport' {
    BeforeEach {
        $site = New-ReplicationTestSite
        New-PairedBackends -Site $site
        New-ReplicatedVolumeType -Name replicated | Out-Null
        New-Volume -Name db01 -SizeBytes 64MB -VolumeType replicated | Out-Null
        Write-VolumeBytes -Path (Get-VolumeConnection db01).Path -Offset 0 -Bytes (Get-RandomBytes -Count 16MB -Seed 9)
        Sync-VolumeReplica -Name db01 | Out-Null
    }
    AfterEach {
        # Every service this test started ends with its last volume.
        Get-VolumeExport | Where-Object Mode -NE 'Dead' | ForEach-Object { $_.ProcessId } | Sort-Object -Unique | ForEach-Object { Stop-Process -Id $_ -Force -ErrorAction Ignore }
        Remove-ReplicationTestSite $site
    }

    It 'serves the volume from a background process; Get-VolumeConnection offers the nbd:// URL beside the path' {
        $export = Start-VolumeExport -Name db01 -Port 0 -Confirm:$false

        $export.ProcessId | Should -Not -Be $PID
        Get-Process -Id $export.ProcessId | Should -Not -BeNullOrEmpty
        $export.Url | Should -Be "nbd://127.0.0.1:$($export.Port)/db01"
        (Get-VolumeConnection db01).NbdUrl | Should -Be $export.Url
        (Invoke-QemuIo -Url $export.Url -Command 'write -P 0xab 32M 64k', 'read -P 0xab 32M 64k').ExitCode | Should -Be 0
        Get-PatternCount -Path (Get-VolumeConnection db01).Path -Offset 32MB -Count 64KB -Pattern 0xab | Should -Be 64KB

        Stop-VolumeExport -Name db01 -Force
        (Get-VolumeConnection db01).NbdUrl | Should -BeNullOrEmpty
        Get-VolumeExport | Should -BeNullOrEmpty
        $stopped = Get-Process -Id $export.ProcessId -ErrorAction Ignore
        if ($stopped) { $stopped.WaitForExit(30000) | Should -BeTrue -Because 'the service ends with its last volume' }
    }

    It 'after its process is SIGKILLed, the export is Dead and its dirty bitmap still limits the next round to the written blocks' {
        $export = Start-VolumeExport -Name db01 -Port 0 -Confirm:$false
        Sync-VolumeReplica -Name db01 | Out-Null
        (Invoke-QemuIo -Url $export.Url -Command 'write -P 0x51 1M 64k', 'write -P 0x52 20M 128k', 'write -P 0x53 60M 64k').ExitCode | Should -Be 0
        (Get-VolumeExport db01).DirtyBytes | Should -Be (4 * 64KB)

        $process = Get-Process -Id $export.ProcessId
        Stop-Process -Id $export.ProcessId -Force
        $process.WaitForExit(30000) | Should -BeTrue -Because 'a SIGKILLed process ends'

        (Get-VolumeExport db01).Mode | Should -Be 'Dead'
        (Get-VolumeConnection db01).NbdUrl | Should -BeNullOrEmpty
        $round = Sync-VolumeReplica -Name db01
        "$($round.Mode)" | Should -Be 'TrackedWrites'
        $round.BytesRead | Should -Be (4 * 64KB)
        Get-FileSha256 (Get-ReplicaFile -VolumeName db01) | Should -Be (Get-FileSha256 (Get-VolumeConnection db01).Path)
        Stop-VolumeExport -Name db01 -Force
        Get-VolumeExport | Should -BeNullOrEmpty
    }

    It 'once the export of a SIGKILLed process is stopped, a write straight to the file makes the next round read the volume whole' {
        $export = Start-VolumeExport -Name db01 -Port 0 -Confirm:$false
        Sync-VolumeReplica -Name db01 | Out-Null
        (Invoke-QemuIo -Url $export.Url -Command 'write -P 0x61 1M 64k').ExitCode | Should -Be 0
        $process = Get-Process -Id $export.ProcessId
        Stop-Process -Id $export.ProcessId -Force
        $process.WaitForExit(30000) | Should -BeTrue -Because 'a SIGKILLed process ends'
        Stop-VolumeExport -Name db01 -Force

        # A hypervisor now opens the file directly: the bitmap cannot see this write.
        Write-VolumeBytes -Path (Get-VolumeConnection db01).Path -Offset 40MB -Bytes (Get-RandomBytes -Count 4096 -Seed 10)
        $round = Sync-VolumeReplica -Name db01

        "$($round.Mode)" | Should -Not -Be 'TrackedWrites'
        $round.BytesRead | Should -BeGreaterThan 16MB
        Get-FileSha256 (Get-ReplicaFile -VolumeName db01) | Should -Be (Get-FileSha256 (Get-VolumeConnection db01).Path)
    }

    It 'refuses to promote or remove an exported volume, or to export it twice' {
        Start-VolumeExport -Name db01 -Port 0 -Confirm:$false | Out-Null

        { Invoke-ReplicaPromotion -Name db01 -Force -ErrorAction Stop } | Should -Throw -ErrorId 'VolumeExported*'
        { Remove-Volume -Name db01 -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'VolumeExported*'
        { Start-VolumeExport -Name db01 -Port 0 -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'VolumeAlreadyExported*'
        (Get-Volume db01).Status | Should -Be 'available'
    }

    It 'writes clear errors for a volume that is not exported and an address that is not one' {
        { Stop-VolumeExport -Name db01 -Force -ErrorAction Stop } | Should -Throw -ErrorId 'ExportNotFound*'
        { Get-VolumeExport -Name db01 -ErrorAction Stop } | Should -Throw -ErrorId 'ExportNotFound*'
        { Start-VolumeExport -Name db01 -Address 'not-an-address' -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidAddress*'
        Get-VolumeExport -Name 'db*' | Should -BeNullOrEmpty
    }

    It 'with -IdleTimeout, the service closes a client connection idle that long: qemu-io fails its next read, unless it reconnects' {
        $export = Start-VolumeExport -Name db01 -Port 0 -IdleTimeout '00:00:01' -Confirm:$false
        $options = "driver=raw,file.driver=nbd,file.server.type=inet,file.server.host=127.0.0.1,file.server.port=$($export.Port),file.export=db01"

        $dropped = Invoke-QemuIo -Url $export.Url -Command 'read 0 4k', 'sleep 3000', 'read 0 4k'
        $reconnected = & qemu-io --image-opts -c 'read 0 4k' -c 'sleep 3000' -c 'read 0 4k' "$options,file.reconnect-delay=10" 2>&1 | Out-String

        $dropped.ExitCode | Should -Not -Be 0
        $dropped.Output | Should -Match 'read failed'
        $LASTEXITCODE | Should -Be 0 -Because $reconnected
    }

    It 'joins a running service only with the limits it runs with, and refuses limits out of range, adding nothing' {
        $port = Get-FreeTcpPort
        New-Volume -Name db02 -SizeBytes 8MB -VolumeType replicated | Out-Null
        Start-VolumeExport -Name db01 -Port $port -ConnectionsPerClient 4 -Confirm:$false | Out-Null

        { Start-VolumeExport -Name db02 -Port $port -ConnectionsPerClient 8 -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'ExportPortInUse*'
        { Start-VolumeExport -Name db02 -Port 0 -IdleTimeout '-00:00:01' -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidExportLimit*'
        { Start-VolumeExport -Name db02 -Port 0 -ConnectionsPerClient 65 -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        (Get-VolumeExport).VolumeName | Should -Be 'db01'

        (Start-VolumeExport -Name db02 -Port $port -ConnectionsPerClient 4 -Confirm:$false).ProcessId | Should -Be (Get-VolumeExport db01).ProcessId
    }

    It '-WhatIf starts nothing' {
        Start-VolumeExport -Name db01 -Port 0 -WhatIf
        Get-VolumeExport | Should -BeNullOrEmpty
    }
}
