# The disaster-recovery story of issue 2, typed as a user would, against the built module in a real pwsh.
# Each Describe has its own temporary folders and state file (New-ReplicationTestSite); the default state is never used.

BeforeAll {
    Import-Module $env:REPLICATION_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Enable-DefaultStateGuard
}

AfterAll {
    Remove-DefaultStateGuard
}

Describe 'Step 1: two LocalFile backends, one per data centre, paired with each other' {
    BeforeAll {
        $site = New-ReplicationTestSite
        $dc1 = New-StorageBackend -Name dc1 -Driver LocalFile -Path $site.Dc1 -ReplicationPartner dc2
        $dc1Listed = Get-StorageBackend -Name dc1
        $dc2 = New-StorageBackend -Name dc2 -Driver LocalFile -Path $site.Dc2 -ReplicationPartner dc1
        $all = @(Get-StorageBackend)
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'reports replication = False while its partner does not exist yet' {
        $dc1.Capabilities['replication'] | Should -BeOfType [bool]
        $dc1.Capabilities['replication'] | Should -BeFalse
        $dc1.ReplicationEnabled | Should -BeFalse
        $dc1Listed.Capabilities['replication'] | Should -BeFalse
    }

    It 'reports replication = True on both sides once they name each other' {
        $dc2.Capabilities['replication'] | Should -BeTrue
        $all | Should -HaveCount 2
        foreach ($backend in $all) {
            $backend.Capabilities['replication'] | Should -BeTrue -Because "$($backend.Name) is paired"
            $backend.ReplicationEnabled | Should -BeTrue
        }
        (Get-StorageBackend dc1).Capabilities['replication_partner'] | Should -Be 'dc2'
        (Get-StorageBackend dc2).Capabilities['replication_partner'] | Should -Be 'dc1'
    }

    It 'shows its driver, folder and the capabilities the scheduler matches' {
        $backend = Get-StorageBackend dc1
        $backend.Driver | Should -Be 'LocalFile'
        $backend.Path | Should -Be $site.Dc1
        Test-Path -LiteralPath $site.Dc1 -PathType Container | Should -BeTrue
        $backend.Capabilities['volume_backend_name'] | Should -Be 'dc1'
        $backend.Capabilities['free_capacity_gb'] | Should -BeGreaterThan 0
    }

    It 'a backend whose partner names another backend does not replicate' {
        $dc3 = New-StorageBackend -Name dc3 -Driver LocalFile -Path (Join-Path $site.Root 'dc3') -ReplicationPartner dc1
        $dc3.Capabilities['replication'] | Should -BeFalse
        (Get-StorageBackend dc3).ReplicationEnabled | Should -BeFalse
        (Get-StorageBackend dc1).Capabilities['replication'] | Should -BeTrue -Because 'dc1 and dc2 still name each other'
    }

    It 'Get-StorageBackend with a wildcard matching nothing returns nothing and no error' {
        $result = Get-StorageBackend -Name 'zz*' -ErrorVariable err
        $result | Should -BeNullOrEmpty
        $err | Should -BeNullOrEmpty
    }
}

Describe 'Step 2: volume types' {
    BeforeAll {
        $site = New-ReplicationTestSite
        New-PairedBackends -Site $site
        $replicated = New-ReplicatedVolumeType -Name replicated -ExtraSpec @{ 'capabilities:thin_provisioning_support' = '<is> True'; 'capabilities:storage_protocol' = 'file' }
        $plain = New-VolumeType -Name plain
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'New-ReplicatedVolumeType holds capabilities:replication = "<is> True" plus the -ExtraSpec additions' {
        $replicated.IsReplicated | Should -BeTrue
        $replicated.ExtraSpecs['capabilities:replication'] | Should -BeExactly '<is> True'
        $replicated.ExtraSpecs['capabilities:thin_provisioning_support'] | Should -BeExactly '<is> True'
        $replicated.ExtraSpecs['capabilities:storage_protocol'] | Should -BeExactly 'file'
        $replicated.ExtraSpecs.Count | Should -Be 3
    }

    It 'New-VolumeType makes a plain type with no extra specs' {
        $plain.IsReplicated | Should -BeFalse
        $plain.ExtraSpecs.Count | Should -Be 0
    }

    It 'Get-VolumeType lists every type, and the stored specs are the ones given' {
        $types = @(Get-VolumeType)
        $types.Name | Sort-Object | Should -Be @('plain', 'replicated')
        $stored = Get-VolumeType -Name replicated
        $stored.ExtraSpecs['capabilities:replication'] | Should -BeExactly '<is> True'
        $stored.ExtraSpecs['capabilities:storage_protocol'] | Should -BeExactly 'file'
        @(Get-VolumeType -Name 'rep*').Name | Should -Be @('replicated')
    }

    It 'Get-VolumeType with a literal name that does not exist writes ObjectNotFound' {
        $result = Get-VolumeType -Name nosuchtype -ErrorVariable err -ErrorAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'VolumeTypeNotFound,Replication.PowerShell.Commands.GetVolumeTypeCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'Remove-VolumeType is refused while a volume uses the type, and works once it is unused' {
        New-Volume -Name vol1 -SizeBytes 64MB -VolumeType replicated | Out-Null
        Remove-VolumeType -Name replicated -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'VolumeTypeInUse,*'
        $err[0].FullyQualifiedErrorId | Should -Be 'VolumeTypeInUse,Replication.PowerShell.Commands.RemoveVolumeTypeCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err[0].Exception.Message | Should -Match 'vol1'
        Get-VolumeType -Name replicated | Should -Not -BeNullOrEmpty

        Remove-Volume -Name vol1 -Force
        Remove-VolumeType -Name replicated -ErrorVariable err2
        $err2 | Should -BeNullOrEmpty
        Get-VolumeType -Name 'replicated*' | Should -BeNullOrEmpty
    }
}

Describe 'Step 3: placement by extra specs' {
    BeforeAll {
        $site = New-ReplicationStory
        $volume = New-Volume -Name db01 -SizeBytes 64MB -VolumeType replicated
        $partnerOf = @{ dc1 = 'dc2'; dc2 = 'dc1' }
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'places a replicated volume on a paired backend with its replica on the partner' {
        $volume.Name | Should -Be 'db01'
        $volume.SizeBytes | Should -Be 64MB
        $volume.VolumeType | Should -Be 'replicated'
        $volume.Status | Should -Be 'Available'
        $volume.Backend | Should -BeIn @('dc1', 'dc2')
        $volume.ReplicaBackend | Should -Be $partnerOf[$volume.Backend]
        $volume.ReplicationStatus | Should -Be 'Active'
    }

    It 'creates the volume file on the primary and the replica file on the partner, both 64 MiB' {
        $primary = (Get-VolumeConnection db01).Path
        $replica = Get-ReplicaFile -VolumeName db01
        $primary | Should -BeLike ((Get-StorageBackend $volume.Backend).Path + '*')
        $replica | Should -BeLike ((Get-StorageBackend $volume.ReplicaBackend).Path + '*')
        (Get-Item -LiteralPath $primary).Length | Should -Be 64MB
        (Get-Item -LiteralPath $replica).Length | Should -Be 64MB
    }

    It 'places a plain volume without a replica' {
        $web = New-Volume -Name web01 -SizeBytes 64MB -VolumeType plain
        $web.ReplicationStatus | Should -Be 'Disabled'
        $web.ReplicaBackend | Should -BeNullOrEmpty
        (Get-VolumeReplica web01).Status | Should -Be 'Disabled'
    }

    It 'honours an added extra spec: volume_backend_name pins the backend' {
        New-ReplicatedVolumeType -Name on-dc2 -ExtraSpec @{ volume_backend_name = 'dc2' } | Out-Null
        $pinned = New-Volume -Name pinned01 -SizeBytes 64MB -VolumeType on-dc2
        $pinned.Backend | Should -Be 'dc2'
        $pinned.ReplicaBackend | Should -Be 'dc1'
    }

    It 'a type no backend satisfies fails with NoValidBackend naming the spec, and creates nothing' {
        New-VolumeType -Name gold -ExtraSpec @{ 'capabilities:tier' = '<in> gold' } | Out-Null
        $before = Get-VolumeFileSnapshot -Site $site
        $result = New-Volume -Name gold01 -SizeBytes 64MB -VolumeType gold -ErrorVariable err -ErrorAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'NoValidBackend,Replication.PowerShell.Commands.NewVolumeCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $err[0].Exception.Message | Should -Match 'capabilities:tier'
        $err[0].Exception.Message | Should -Match "gold"
        Get-Volume -Name 'gold01*' | Should -BeNullOrEmpty
        Get-VolumeFileSnapshot -Site $site | Should -Be $before
    }

    It 'bad input (an invalid name, a size that is not whole sectors) changes nothing' {
        $before = Get-VolumeFileSnapshot -Site $site
        New-Volume -Name 'bad/name' -SizeBytes 64MB -VolumeType replicated -ErrorVariable err1 -ErrorAction SilentlyContinue
        New-Volume -Name odd01 -SizeBytes 1000 -VolumeType replicated -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err1[0].FullyQualifiedErrorId | Should -Be 'InvalidName,Replication.PowerShell.Commands.NewVolumeCommand'
        $err1[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err2[0].FullyQualifiedErrorId | Should -Be 'InvalidSize,Replication.PowerShell.Commands.NewVolumeCommand'
        $err2[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        @(Get-Volume).Name | Sort-Object | Should -Be @('db01', 'pinned01', 'web01')
        Get-VolumeFileSnapshot -Site $site | Should -Be $before
    }
}

Describe 'Step 3: a replicated type with no paired backend' {
    BeforeAll {
        $site = New-ReplicationTestSite
        New-StorageBackend -Name dc1 -Driver LocalFile -Path $site.Dc1 -ReplicationPartner dc2 | Out-Null
        New-ReplicatedVolumeType -Name replicated | Out-Null
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'fails with NoValidBackend naming capabilities:replication' {
        New-Volume -Name db01 -SizeBytes 64MB -VolumeType replicated -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'NoValidBackend,Replication.PowerShell.Commands.NewVolumeCommand'
        $err[0].Exception.Message | Should -Match 'capabilities:replication'
        @(Get-ChildItem -LiteralPath $site.Dc1 -File) | Should -HaveCount 0
    }
}

Describe 'Step 3-4: volumes are sparse files; Sync-VolumeReplica copies what was written' {
    BeforeAll {
        $site = New-ReplicationStory
        New-Volume -Name db01 -SizeBytes 64MB -VolumeType replicated | Out-Null
        $connection = Get-VolumeConnection -Name db01
        $primary = $connection.Path
        $replica = Get-ReplicaFile -VolumeName db01
        # Data at the start, inside, across a 64 KiB block boundary, and at the very end of the volume.
        $writes = @(
            @{ Offset = 0; Bytes = (Get-RandomBytes -Count 4096 -Seed 11) }
            @{ Offset = 10MB + 3; Bytes = (Get-RandomBytes -Count 70000 -Seed 12) }
            @{ Offset = 33MB - 100; Bytes = (Get-RandomBytes -Count 300 -Seed 13) }
            @{ Offset = 64MB - 512; Bytes = (Get-RandomBytes -Count 512 -Seed 14) }
        )
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'Get-VolumeConnection gives the path a hypervisor attaches: an existing 64 MiB file' {
        $connection.VolumeName | Should -Be 'db01'
        $connection.DriverVolumeType | Should -Be 'file'
        $connection.SizeBytes | Should -Be 64MB
        Test-Path -LiteralPath $primary -PathType Leaf | Should -BeTrue
        (Get-Item -LiteralPath $primary).Length | Should -Be 64MB
    }

    It 'the volume and its replica are sparse: far less allocated than their length' {
        (Get-AllocatedBytes -Path $primary) | Should -BeLessThan (1MB) -Because 'a new 64 MiB volume is a hole'
        (Get-AllocatedBytes -Path $replica) | Should -BeLessThan (1MB)
        (Get-Item -LiteralPath $primary).Length | Should -Be 64MB
    }

    It 'bytes written by plain file I/O are on the primary only until a sync' {
        foreach ($write in $writes) { Write-VolumeBytes -Path $primary -Offset $write.Offset -Bytes $write.Bytes }
        foreach ($write in $writes) {
            Test-BytesEqual (Read-VolumeBytes -Path $primary -Offset $write.Offset -Count $write.Bytes.Length) $write.Bytes | Should -BeTrue
            Test-BytesEqual (Read-VolumeBytes -Path $replica -Offset $write.Offset -Count $write.Bytes.Length) $write.Bytes | Should -BeFalse
        }
        Get-FileSha256 $replica | Should -Not -Be (Get-FileSha256 $primary)
    }

    It 'Sync-VolumeReplica brings them to the replica: the bytes on both sides and the whole files are equal' {
        $result = Sync-VolumeReplica -Name db01
        $result.VolumeName | Should -Be 'db01'
        $result.Status | Should -Be 'Active'
        $result.BlocksWritten | Should -BeGreaterThan 0
        foreach ($write in $writes) {
            $onPrimary = Read-VolumeBytes -Path $primary -Offset $write.Offset -Count $write.Bytes.Length
            $onReplica = Read-VolumeBytes -Path $replica -Offset $write.Offset -Count $write.Bytes.Length
            Test-BytesEqual $onPrimary $write.Bytes | Should -BeTrue -Because "offset $($write.Offset) on the primary"
            Test-BytesEqual $onReplica $write.Bytes | Should -BeTrue -Because "offset $($write.Offset) on the replica"
        }
        Get-FileSha256 $replica | Should -Be (Get-FileSha256 $primary)
    }

    It 'the sync skipped the holes: the replica is still sparse' {
        (Get-AllocatedBytes -Path $replica) | Should -BeLessThan (4MB)
        (Get-AllocatedBytes -Path $primary) | Should -BeLessThan (4MB)
    }

    It 'the next sync copies only what changed since the last one' {
        $nothing = Sync-VolumeReplica -Name db01
        $nothing.BytesWritten | Should -Be 0
        $nothing.BlocksWritten | Should -Be 0

        $change = Get-RandomBytes -Count 1000 -Seed 21
        Write-VolumeBytes -Path $primary -Offset (20MB + 100) -Bytes $change
        $one = Sync-VolumeReplica -Name db01
        $one.BlocksWritten | Should -Be 1
        $one.BytesWritten | Should -BeGreaterThan 0
        $one.BytesWritten | Should -BeLessOrEqual 64KB
        Test-BytesEqual (Read-VolumeBytes -Path $replica -Offset (20MB + 100) -Count 1000) $change | Should -BeTrue
        Get-FileSha256 $replica | Should -Be (Get-FileSha256 $primary)
    }
}

Describe 'Step 4: pipelines and Get-VolumeReplica' {
    BeforeAll {
        $site = New-ReplicationStory
        New-Volume -Name db01 -SizeBytes 64MB -VolumeType replicated | Out-Null
        New-Volume -Name db02 -SizeBytes 64MB -VolumeType replicated | Out-Null
        New-Volume -Name web01 -SizeBytes 64MB -VolumeType plain | Out-Null
        foreach ($name in 'db01', 'db02') {
            Write-VolumeBytes -Path (Get-VolumeConnection $name).Path -Offset 1MB -Bytes (Get-RandomBytes -Count 8192 -Seed 31)
        }
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'Get-Volume db* | Get-VolumeReplica gives the replica of each matching volume' {
        $replicas = @(Get-Volume db* | Get-VolumeReplica)
        $replicas | Should -HaveCount 2
        $replicas.VolumeName | Sort-Object | Should -Be @('db01', 'db02')
        $replicas | ForEach-Object { $_ | Should -BeOfType ([Replication.Engine.Model.VolumeReplica]) }
    }

    It 'Get-Volume -VolumeType replicated | Sync-VolumeReplica syncs every replicated volume and no other' {
        $results = @(Get-Volume -VolumeType replicated | Sync-VolumeReplica)
        $results | Should -HaveCount 2
        $results.VolumeName | Sort-Object | Should -Be @('db01', 'db02')
        $results | ForEach-Object { $_.BlocksWritten | Should -BeGreaterThan 0 }
        foreach ($name in 'db01', 'db02') {
            Get-FileSha256 (Get-ReplicaFile -VolumeName $name) | Should -Be (Get-FileSha256 (Get-VolumeConnection $name).Path)
        }
    }

    It 'Get-VolumeReplica shows primary and replica backend, status, extended status, last sync time and data age' {
        $replica = Get-VolumeReplica -Name db01
        $replica.PrimaryBackend | Should -BeIn @('dc1', 'dc2')
        $replica.ReplicaBackend | Should -BeIn @('dc1', 'dc2')
        $replica.ReplicaBackend | Should -Not -Be $replica.PrimaryBackend
        $replica.Status | Should -Be 'Active'
        $replica.ExtendedStatus | Should -Not -BeNullOrEmpty
        $replica.LastSyncTime | Should -BeOfType [DateTimeOffset]
        ([DateTimeOffset]::UtcNow - $replica.LastSyncTime).TotalMinutes | Should -BeLessThan 5
        $replica.DataAge | Should -BeOfType [TimeSpan]
        $replica.DataAge | Should -BeGreaterOrEqual ([TimeSpan]::Zero)
        $replica.ReplicaFenced | Should -BeFalse
    }

    It 'the data age grows while nothing syncs' {
        $first = (Get-VolumeReplica -Name db01).DataAge
        Start-Sleep -Milliseconds 1100
        $later = (Get-VolumeReplica -Name db01).DataAge
        ($later - $first).TotalMilliseconds | Should -BeGreaterThan 900
    }

    It 'the default view shows the status the Cinder way' {
        $text = Get-VolumeReplica -Name db01 | Out-String -Width 200
        $text | Should -Match '\bactive\b'
        $text | Should -Match 'db01'
    }

    It 'Get-VolumeReplica -Status filters by status' {
        @(Get-VolumeReplica -Status Active).VolumeName | Sort-Object | Should -Be @('db01', 'db02')
        @(Get-VolumeReplica -Status Disabled).VolumeName | Should -Be @('web01')
    }

    It 'a wildcard that matches nothing gives nothing and no error; a missing literal name gives VolumeNotFound' {
        $none = Get-VolumeReplica -Name 'zz*' -ErrorVariable err
        $none | Should -BeNullOrEmpty
        $err | Should -BeNullOrEmpty
        Get-VolumeReplica -Name nosuch -ErrorVariable err2 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err2[0].FullyQualifiedErrorId | Should -Be 'VolumeNotFound,Replication.PowerShell.Commands.GetVolumeReplicaCommand'
        $err2[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'Get-VolumeReplica | Sync-VolumeReplica binds by property name too' {
        $results = @(Get-VolumeReplica -Name db01 | Sync-VolumeReplica)
        $results.VolumeName | Should -Be @('db01')
    }
}

Describe 'Step 5: planned promotion' {
    BeforeAll {
        $site = New-ReplicationStory
        $volume = New-Volume -Name db01 -SizeBytes 64MB -VolumeType replicated
        $oldPrimaryBackend = $volume.Backend
        $newPrimaryBackend = $volume.ReplicaBackend
        $oldPrimary = (Get-VolumeConnection db01).Path
        $replicaFile = Get-ReplicaFile -VolumeName db01
        $synced = Get-RandomBytes -Count 65536 -Seed 41
        Write-VolumeBytes -Path $oldPrimary -Offset 2MB -Bytes $synced
        Sync-VolumeReplica db01 | Out-Null
        # Written after the last sync: a planned promotion must not lose it.
        $late = Get-RandomBytes -Count 5000 -Seed 42
        Write-VolumeBytes -Path $oldPrimary -Offset 40MB -Bytes $late
        $result = Invoke-ReplicaPromotion -Name db01 -Planned -Confirm:$false
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'the result says where the volume is served from and that nothing was lost' {
        $result | Should -BeOfType ([Replication.Engine.Model.PromotionResult])
        $result.VolumeName | Should -Be 'db01'
        $result.Planned | Should -BeTrue
        $result.PrimaryBackend | Should -Be $newPrimaryBackend
        $result.FencedBackend | Should -Be $oldPrimaryBackend
        $result.DataLossWindow | Should -Be ([TimeSpan]::Zero)
        $result.FencedOnDisk | Should -BeTrue
        $result.Status | Should -Be 'Inactive'
    }

    It 'the connection path is now the replica file on the other data centre' {
        $connection = Get-VolumeConnection -Name db01
        $connection.Backend | Should -Be $newPrimaryBackend
        $connection.Path | Should -Be $replicaFile
        $connection.Path | Should -BeLike ((Get-StorageBackend $newPrimaryBackend).Path + '*')
        (Get-Volume db01).Backend | Should -Be $newPrimaryBackend
    }

    It 'the promoted copy holds the synced bytes and the bytes written after the last sync' {
        $path = (Get-VolumeConnection db01).Path
        Test-BytesEqual (Read-VolumeBytes -Path $path -Offset 2MB -Count $synced.Length) $synced | Should -BeTrue
        Test-BytesEqual (Read-VolumeBytes -Path $path -Offset 40MB -Count $late.Length) $late | Should -BeTrue
        Get-FileSha256 $path | Should -Be (Get-FileSha256 $oldPrimary)
    }

    It 'replication is inactive and the old copy is recorded as fenced' {
        $replica = Get-VolumeReplica -Name db01
        $replica.Status | Should -Be 'Inactive'
        $replica.PrimaryBackend | Should -Be $newPrimaryBackend
        $replica.ReplicaBackend | Should -Be $oldPrimaryBackend
        $replica.ReplicaFenced | Should -BeTrue
        (Get-Volume db01).ReplicationStatus | Should -Be 'Inactive'
    }

    It 'the old copy is read-only on disk' {
        (Get-Item -LiteralPath $oldPrimary).IsReadOnly | Should -BeTrue
        Get-NativeFileMode -Path $oldPrimary | Should -Not -Match 'w'
    }

    It 'Sync-VolumeReplica is refused (SyncNotAllowed, naming the rule) and never writes the fenced copy' {
        $before = Get-FileSha256 $oldPrimary
        Write-VolumeBytes -Path (Get-VolumeConnection db01).Path -Offset 0 -Bytes (Get-RandomBytes -Count 512 -Seed 43)
        Sync-VolumeReplica -Name db01 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'SyncNotAllowed,Replication.PowerShell.Commands.SyncVolumeReplicaCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err[0].Exception.Message | Should -Match 'Rule:'
        Get-FileSha256 $oldPrimary | Should -Be $before
        (Get-Item -LiteralPath $oldPrimary).IsReadOnly | Should -BeTrue
    }

    It 'a second promotion is refused with PromotionNotAllowed naming the rule' {
        Invoke-ReplicaPromotion -Name db01 -Force -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'PromotionNotAllowed,Replication.PowerShell.Commands.InvokeReplicaPromotionCommand'
        $err[0].Exception.Message | Should -Match 'Rule:'
        (Get-VolumeConnection db01).Path | Should -Be $replicaFile
    }
}

Describe 'Step 5: a planned promotion refuses when the primary cannot be read' {
    BeforeAll {
        $site = New-ReplicationStory
        New-Volume -Name db01 -SizeBytes 64MB -VolumeType replicated | Out-Null
        $primary = (Get-VolumeConnection db01).Path
        $replicaFile = Get-ReplicaFile -VolumeName db01
        $replicaHash = Get-FileSha256 $replicaFile
        Move-Item -LiteralPath $primary -Destination "$primary.away"
        Invoke-ReplicaPromotion -Name db01 -Planned -Force -ErrorVariable err -ErrorAction SilentlyContinue
        Move-Item -LiteralPath "$primary.away" -Destination $primary
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'fails with PlannedPromotionFailed and promotes nothing' {
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'PlannedPromotionFailed,Replication.PowerShell.Commands.InvokeReplicaPromotionCommand'
        (Get-VolumeConnection db01).Path | Should -Be $primary
        (Get-VolumeReplica db01).Status | Should -Be 'Active'
        (Get-VolumeReplica db01).ReplicaFenced | Should -BeFalse
        Get-FileSha256 $replicaFile | Should -Be $replicaHash
        (Get-Item -LiteralPath $primary).IsReadOnly | Should -BeFalse
    }
}

Describe 'Step 5: unplanned promotion' {
    BeforeAll {
        $site = New-ReplicationStory
        New-Volume -Name db02 -SizeBytes 64MB -VolumeType replicated | Out-Null
        $oldPrimary = (Get-VolumeConnection db02).Path
        $replicaFile = Get-ReplicaFile -VolumeName db02
        $synced = Get-RandomBytes -Count 4096 -Seed 51
        Write-VolumeBytes -Path $oldPrimary -Offset 3MB -Bytes $synced
        Sync-VolumeReplica db02 | Out-Null
        Start-Sleep -Milliseconds 1200
        $lost = Get-RandomBytes -Count 4096 -Seed 52
        Write-VolumeBytes -Path $oldPrimary -Offset 5MB -Bytes $lost
        $result = Invoke-ReplicaPromotion -Name db02 -Force
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'reports the data loss window: the time since the last sync' {
        $result.Planned | Should -BeFalse
        $result.DataLossWindow | Should -BeOfType [TimeSpan]
        $result.DataLossWindow | Should -BeGreaterThan ([TimeSpan]::Zero)
        $result.DataLossWindow.TotalSeconds | Should -BeGreaterOrEqual 1
        $result.Status | Should -Be 'Inactive'
    }

    It 'serves the replica as it was at the last sync; the old primary is not copied over it' {
        (Get-VolumeConnection db02).Path | Should -Be $replicaFile
        Test-BytesEqual (Read-VolumeBytes -Path $replicaFile -Offset 3MB -Count 4096) $synced | Should -BeTrue
        Test-BytesEqual (Read-VolumeBytes -Path $replicaFile -Offset 5MB -Count 4096) ([byte[]]::new(4096)) | Should -BeTrue
        (Get-Item -LiteralPath $oldPrimary).IsReadOnly | Should -BeTrue
    }
}

Describe 'Step 6: Enable-Replication reverses; Disable-Replication pauses' {
    BeforeAll {
        $site = New-ReplicationStory
        $volume = New-Volume -Name db01 -SizeBytes 64MB -VolumeType replicated
        $oldPrimary = (Get-VolumeConnection db01).Path
        Write-VolumeBytes -Path $oldPrimary -Offset 0 -Bytes (Get-RandomBytes -Count 65536 -Seed 61)
        Sync-VolumeReplica db01 | Out-Null
        Invoke-ReplicaPromotion db01 -Planned -Force | Out-Null
        $newPrimary = (Get-VolumeConnection db01).Path
        # New writes land on the promoted copy, as they would after a failover.
        $afterFailover = @(
            @{ Offset = 7MB; Bytes = (Get-RandomBytes -Count 9000 -Seed 62) }
            @{ Offset = 50MB + 17; Bytes = (Get-RandomBytes -Count 200000 -Seed 63) }
        )
        foreach ($write in $afterFailover) { Write-VolumeBytes -Path $newPrimary -Offset $write.Offset -Bytes $write.Bytes }
        $enabled = Enable-Replication -Name db01 -Force -PassThru
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'reaches active, replicating from the new primary back to the old side' {
        $enabled | Should -BeOfType ([Replication.Engine.Model.SyncResult])
        $enabled.Status | Should -Be 'Active'
        $enabled.BytesWritten | Should -BeGreaterThan 0 -Because 'the writes made after the failover were copied back'
        $replica = Get-VolumeReplica db01
        $replica.Status | Should -Be 'Active'
        $replica.PrimaryBackend | Should -Be $volume.ReplicaBackend
        $replica.ReplicaBackend | Should -Be $volume.Backend
        $replica.ReplicaFenced | Should -BeFalse
    }

    It 'went through copying to active (events)' {
        $events = @(Get-ReplicationEvent -Name db01 | Where-Object Operation -EQ 'EnableReplication')
        $events.Count | Should -BeGreaterOrEqual 2
        $events[0].FromStatus | Should -Be 'inactive'
        $events[0].ToStatus | Should -Be 'copying'
        $events[-1].ToStatus | Should -Be 'active'
    }

    It 'the old side now holds the new primary''s bytes' {
        foreach ($write in $afterFailover) {
            Test-BytesEqual (Read-VolumeBytes -Path $oldPrimary -Offset $write.Offset -Count $write.Bytes.Length) $write.Bytes | Should -BeTrue
        }
        Get-FileSha256 $oldPrimary | Should -Be (Get-FileSha256 $newPrimary)
        (Get-Item -LiteralPath $oldPrimary).IsReadOnly | Should -BeFalse
    }

    It 'later writes on the new primary reach the old side with Sync-VolumeReplica' {
        $more = Get-RandomBytes -Count 3000 -Seed 64
        Write-VolumeBytes -Path $newPrimary -Offset 60MB -Bytes $more
        (Sync-VolumeReplica db01).BlocksWritten | Should -BeGreaterThan 0
        Test-BytesEqual (Read-VolumeBytes -Path $oldPrimary -Offset 60MB -Count 3000) $more | Should -BeTrue
        Get-FileSha256 $oldPrimary | Should -Be (Get-FileSha256 $newPrimary)
    }

    Context 'Disable-Replication' {
        BeforeAll {
            $quiet = Disable-Replication -Name db01 -Force
        }

        It 'pauses replication: active-stopped, with no output unless -PassThru' {
            $quiet | Should -BeNullOrEmpty
            (Get-VolumeReplica db01).Status | Should -Be 'active-stopped'
            (Get-VolumeReplica db01 | Out-String -Width 200) | Should -Match 'active-stopped'
            @(Get-VolumeReplica -Status ActiveStopped).VolumeName | Should -Be @('db01')
        }

        It 'Get-VolumeReplica -Status takes the Cinder spelling the view shows (active-stopped)' {
            @(Get-VolumeReplica -Status active-stopped).VolumeName | Should -Be @('db01')
        }

        It 'refuses a sync while paused, naming the rule' {
            Sync-VolumeReplica db01 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -Be 'SyncNotAllowed,Replication.PowerShell.Commands.SyncVolumeReplicaCommand'
            $err[0].Exception.Message | Should -Match 'Rule:'
        }

        It 'Enable-Replication resumes to active and catches up' {
            $change = Get-RandomBytes -Count 700 -Seed 65
            Write-VolumeBytes -Path $newPrimary -Offset 30MB -Bytes $change
            Enable-Replication db01 -Confirm:$false
            (Get-VolumeReplica db01).Status | Should -Be 'Active'
            Test-BytesEqual (Read-VolumeBytes -Path $oldPrimary -Offset 30MB -Count 700) $change | Should -BeTrue
        }
    }
}

Describe 'Step 7: a test volume from the replica' {
    BeforeAll {
        $site = New-ReplicationStory
        $source = New-Volume -Name db01 -SizeBytes 64MB -VolumeType replicated
        $primary = (Get-VolumeConnection db01).Path
        $replicaFile = Get-ReplicaFile -VolumeName db01
        Write-VolumeBytes -Path $primary -Offset 1MB -Bytes (Get-RandomBytes -Count 100000 -Seed 71)
        Write-VolumeBytes -Path $primary -Offset 63MB -Bytes (Get-RandomBytes -Count 4096 -Seed 72)
        Sync-VolumeReplica db01 | Out-Null
        $generationBefore = (Get-VolumeReplica db01).SyncGeneration
        $test = New-Volume -Name db01-test -SourceReplica db01
        $testPath = (Get-VolumeConnection db01-test).Path
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'creates a volume that records its source and is not replicated itself' {
        $test | Should -BeOfType ([Replication.Engine.Model.Volume])
        $test.Name | Should -Be 'db01-test'
        $test.SourceReplica | Should -Be 'db01'
        $test.SizeBytes | Should -Be 64MB
        $test.ReplicationStatus | Should -Be 'Disabled'
        $test.Backend | Should -Be $source.ReplicaBackend
    }

    It 'has the same bytes as the replica (and the primary)' {
        $testPath | Should -Not -Be $replicaFile
        Test-Path -LiteralPath $testPath | Should -BeTrue
        Get-FileSha256 $testPath | Should -Be (Get-FileSha256 $replicaFile)
        Get-FileSha256 $testPath | Should -Be (Get-FileSha256 $primary)
    }

    It 'leaves the source replicating (still active, still syncing)' {
        (Get-VolumeReplica db01).Status | Should -Be 'Active'
        Write-VolumeBytes -Path $primary -Offset 9MB -Bytes (Get-RandomBytes -Count 512 -Seed 73)
        $sync = Sync-VolumeReplica db01
        $sync.Status | Should -Be 'Active'
        $sync.SyncGeneration | Should -BeGreaterThan $generationBefore
    }

    It 'writes to the test volume do not touch the source or its replica' {
        $replicaHash = Get-FileSha256 $replicaFile
        $primaryHash = Get-FileSha256 $primary
        Write-VolumeBytes -Path $testPath -Offset 0 -Bytes (Get-RandomBytes -Count 4096 -Seed 74)
        Get-FileSha256 $replicaFile | Should -Be $replicaHash
        Get-FileSha256 $primary | Should -Be $primaryHash
    }

    It 'is refused from a volume that is not replicated, naming the rule' {
        New-Volume -Name web01 -SizeBytes 64MB -VolumeType plain | Out-Null
        New-Volume -Name web01-test -SourceReplica web01 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'CloneFromReplicaNotAllowed,Replication.PowerShell.Commands.NewVolumeCommand'
        $err[0].Exception.Message | Should -Match 'Rule:'
        Get-Volume -Name 'web01-test*' | Should -BeNullOrEmpty
    }
}

Describe 'Step 8: Remove-Volume' {
    BeforeAll {
        $site = New-ReplicationStory
        New-Volume -Name db01 -SizeBytes 64MB -VolumeType replicated | Out-Null
        New-Volume -Name db02 -SizeBytes 64MB -VolumeType replicated | Out-Null
        $db01Files = @((Get-VolumeConnection db01).Path, (Get-ReplicaFile -VolumeName db01))
        Invoke-ReplicaPromotion db02 -Force | Out-Null
        $db02Files = @((Get-VolumeConnection db02).Path, (Get-ReplicaFile -VolumeName db02))
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It '-WhatIf removes nothing' {
        Remove-Volume -Name db01 -WhatIf
        Get-Volume -Name db01 | Should -Not -BeNullOrEmpty
        $db01Files | ForEach-Object { Test-Path -LiteralPath $_ | Should -BeTrue }
    }

    It 'removes the volume and both its files' {
        $db01Files | ForEach-Object { Test-Path -LiteralPath $_ | Should -BeTrue }
        Remove-Volume -Name db01 -Force
        $db01Files | ForEach-Object { Test-Path -LiteralPath $_ | Should -BeFalse }
        Get-Volume -Name db01 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'VolumeNotFound,Replication.PowerShell.Commands.GetVolumeCommand'
    }

    It 'removes a promoted volume with its fenced, read-only old copy' {
        (Get-Item -LiteralPath $db02Files[1]).IsReadOnly | Should -BeTrue
        Get-Volume db02 | Remove-Volume -Confirm:$false
        $db02Files | ForEach-Object { Test-Path -LiteralPath $_ | Should -BeFalse }
        Get-Volume | Should -BeNullOrEmpty
    }
}

Describe 'Every refused operation names the rule and has a stable ErrorId' {
    BeforeAll {
        $site = New-ReplicationStory
        New-Volume -Name active01 -SizeBytes 64MB -VolumeType replicated | Out-Null
        New-Volume -Name paused01 -SizeBytes 64MB -VolumeType replicated | Out-Null
        Disable-Replication paused01 -Force
        New-Volume -Name promoted01 -SizeBytes 64MB -VolumeType replicated | Out-Null
        Invoke-ReplicaPromotion promoted01 -Force | Out-Null
        New-Volume -Name plain01 -SizeBytes 64MB -VolumeType plain | Out-Null
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It '<Case>: <ErrorId>' -ForEach @(
        @{ Case = 'sync while paused'; ErrorId = 'SyncNotAllowed,Replication.PowerShell.Commands.SyncVolumeReplicaCommand'; Action = { param($common) Sync-VolumeReplica paused01 @common } }
        @{ Case = 'sync after promotion'; ErrorId = 'SyncNotAllowed,Replication.PowerShell.Commands.SyncVolumeReplicaCommand'; Action = { param($common) Sync-VolumeReplica promoted01 @common } }
        @{ Case = 'sync of a volume without replica'; ErrorId = 'SyncNotAllowed,Replication.PowerShell.Commands.SyncVolumeReplicaCommand'; Action = { param($common) Sync-VolumeReplica plain01 @common } }
        @{ Case = 'promote twice'; ErrorId = 'PromotionNotAllowed,Replication.PowerShell.Commands.InvokeReplicaPromotionCommand'; Action = { param($common) Invoke-ReplicaPromotion promoted01 -Force @common } }
        @{ Case = 'promote a volume without replica'; ErrorId = 'PromotionNotAllowed,Replication.PowerShell.Commands.InvokeReplicaPromotionCommand'; Action = { param($common) Invoke-ReplicaPromotion plain01 -Force @common } }
        @{ Case = 're-enable running replication'; ErrorId = 'ReenableNotAllowed,Replication.PowerShell.Commands.EnableReplicationCommand'; Action = { param($common) Enable-Replication active01 -Force @common } }
        @{ Case = 'pause a promoted volume'; ErrorId = 'PauseNotAllowed,Replication.PowerShell.Commands.DisableReplicationCommand'; Action = { param($common) Disable-Replication promoted01 -Force @common } }
        @{ Case = 'pause twice'; ErrorId = 'PauseNotAllowed,Replication.PowerShell.Commands.DisableReplicationCommand'; Action = { param($common) Disable-Replication paused01 -Force @common } }
        @{ Case = 'test volume from a promoted volume'; ErrorId = 'CloneFromReplicaNotAllowed,Replication.PowerShell.Commands.NewVolumeCommand'; Action = { param($common) New-Volume -Name t01 -SourceReplica promoted01 @common } }
        @{ Case = 'remove a volume type in use'; ErrorId = 'VolumeTypeInUse,Replication.PowerShell.Commands.RemoveVolumeTypeCommand'; Action = { param($common) Remove-VolumeType replicated @common } }
        @{ Case = 'remove a backend in use'; ErrorId = 'BackendInUse,Replication.PowerShell.Commands.RemoveStorageBackendCommand'; Action = { param($common) Remove-StorageBackend dc1 @common } }
    ) {
        $before = Get-VolumeFileSnapshot -Site $site
        $volumesBefore = Get-VolumeReplica | ForEach-Object { '{0}|{1}|{2}|{3}' -f $_.VolumeName, $_.Status, $_.PrimaryBackend, $_.SyncGeneration }
        $err = $null
        # Dot-sourced so -ErrorVariable sets $err here; the refusal must be a non-terminating error.
        $output = . $Action @{ ErrorVariable = 'err'; ErrorAction = 'SilentlyContinue' }
        $output | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be $ErrorId
        $err[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err[0].Exception.Message | Should -Match 'Rule:'
        Get-VolumeFileSnapshot -Site $site | Should -Be $before
        Get-VolumeReplica | ForEach-Object { '{0}|{1}|{2}|{3}' -f $_.VolumeName, $_.Status, $_.PrimaryBackend, $_.SyncGeneration } | Should -Be $volumesBefore
    }
}

Describe 'Get-ReplicationEvent lists the changes' {
    BeforeAll {
        $site = New-ReplicationStory
        New-Volume -Name db01 -SizeBytes 64MB -VolumeType replicated | Out-Null
        New-Volume -Name web01 -SizeBytes 64MB -VolumeType plain | Out-Null
        Write-VolumeBytes -Path (Get-VolumeConnection db01).Path -Offset 0 -Bytes (Get-RandomBytes -Count 512)
        Sync-VolumeReplica db01 | Out-Null
        Invoke-ReplicaPromotion db01 -Planned -Force | Out-Null
        Enable-Replication db01 -Force
        Disable-Replication db01 -Force
        Remove-Volume web01 -Force
        $events = @(Get-ReplicationEvent)
    }
    AfterAll { Remove-ReplicationTestSite $site }

    It 'records every kind of change, oldest first' {
        $operations = $events.Operation
        foreach ($expected in 'CreateBackend', 'CreateVolumeType', 'CreateVolume', 'SyncReplica', 'PromoteReplica', 'EnableReplication', 'DisableReplication', 'DeleteVolume') {
            $operations | Should -Contain $expected
        }
        @($events.Id) | Should -Be @($events.Id | Sort-Object)
        $events | ForEach-Object { $_ | Should -BeOfType ([Replication.Engine.Model.ReplicationEvent]) }
    }

    It 'says who, when, and which status each replication change moved between' {
        $promotion = $events | Where-Object Operation -EQ 'PromoteReplica'
        $promotion | Should -HaveCount 1
        $promotion.ObjectName | Should -Be 'db01'
        $promotion.FromStatus | Should -Be 'active'
        $promotion.ToStatus | Should -Be 'inactive'
        $promotion.Actor | Should -Not -BeNullOrEmpty
        ([DateTimeOffset]::UtcNow - $promotion.Time).TotalMinutes | Should -BeLessThan 5
        $pause = $events | Where-Object Operation -EQ 'DisableReplication'
        $pause.FromStatus | Should -Be 'active'
        $pause.ToStatus | Should -Be 'active-stopped'
    }

    It '-Name selects one object''s events and -Newest the latest ones' {
        $db01 = @(Get-ReplicationEvent -Name db01)
        $db01.Count | Should -BeGreaterThan 3
        $db01.ObjectName | Select-Object -Unique | Should -Be 'db01'
        $newest = @(Get-ReplicationEvent -Newest 2)
        $newest | Should -HaveCount 2
        $newest.Id | Should -Be @($events[-2].Id, $events[-1].Id)
    }

    It 'a refused operation records no event' {
        $count = @(Get-ReplicationEvent).Count
        Sync-VolumeReplica db01 -ErrorAction SilentlyContinue
        @(Get-ReplicationEvent).Count | Should -Be $count
    }
}
