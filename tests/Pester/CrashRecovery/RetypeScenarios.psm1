# The kill test's Set-Volume -VolumeType scenarios (issue 17). Plain to replicated: p (plain, 16 MiB of scattered data)
# killed right after its replica was recorded (copying) and before its copy was made; the next Sync-VolumeReplica
# makes and copies the replica. Replicated to plain: v (synced) killed after its replica's copy was removed and before
# it was recorded without it; the same Set-Volume again finishes it.
# Needs CrashRecovery.psm1 imported.

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

function Initialize-CrashPlain {
    param($c)
    Initialize-CrashKeep $c
    New-Volume -Name p -SizeBytes 16MB -VolumeType plain | Out-Null
    $row = Get-CrashVolumeRow -Site $c.Site -Name p
    Write-ScatteredData -Path $row.PrimaryPath -Seed 21
    $c.Rows.p = $row
}

function Test-KilledRetypedCopying { param($c) Test-CrashRow $c p @{ Status = 'available'; ReplicationStatus = 'copying'; ReplicaBackend = 'dc2' } }

function Invoke-RetypeCopiedBySync {
    param($c)
    if (Invoke-RecoveryStep $c 'Sync-VolumeReplica p' { Sync-VolumeReplica -Name p | Out-Null }) {
        Test-CrashRow $c p @{ ReplicationStatus = 'active'; ReplicaBackend = 'dc2' }
        [void]$c.SameAsPrimary.Add('p')
    }
}

function Test-KilledRetypedPlain {
    param($c)
    Test-CrashRow $c v @{ Status = 'available'; ReplicationStatus = 'active'; ReplicaBackend = 'dc2' }
    Test-CrashFile $c $c.Rows.v.ReplicaPath $false 'the replica copy the killed retype removed first'
}

function Invoke-RetypePlainAgain {
    param($c)
    if (Invoke-RecoveryStep $c 'Set-Volume v -VolumeType plain again' { Set-Volume -Name v -VolumeType plain -Force }) {
        Test-CrashRow $c v @{ ReplicationStatus = 'disabled'; ReplicaBackend = '' }
        Test-CrashCopy $c v (Get-CrashVolumeRow -Site $c.Site -Name v).PrimaryPath V0 'the primary'
    }
}

Export-ModuleMember -Function *
