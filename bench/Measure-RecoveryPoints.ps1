#Requires -Version 7.4
<#
.SYNOPSIS
    What recovery points cost: the undo bytes each point holds against the bytes its next round changed (target: at most
    1.1x), and the time to make a test volume at the point ten rounds back against the volume's size (target: the cost
    above a test volume of the replica as it is follows the bytes changed since, not the size).
.DESCRIPTION
    For each size, one volume (type keeping 24 points) on two backend folders under -WorkFolder, filled with -DataMiB of
    random data and synced; then 11 rounds that each overwrite -ChangeMiB at random 64 KiB blocks. Space: each point's
    BytesHeld over the bytes its next round wrote. Time: New-Volume -SourceReplica -RecoveryPoint at the point ten rounds
    back, beside New-Volume -SourceReplica (the replica as it is); both copy the volume's data, so the difference is
    what reading the point over its undo logs costs. Prints a table and writes it as JSON to -OutputFile when given.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [long[]] $SizeMiB = @(256, 1024, 4096),
    [int] $DataMiB = 64,
    [int] $ChangeMiB = 4,
    [int] $Repetitions = 3,
    [string] $WorkFolder = (Join-Path ([IO.Path]::GetTempPath()) ('recovery-points-' + [guid]::NewGuid().ToString('N').Substring(0, 8))),
    [string] $OutputFile
)

$ErrorActionPreference = 'Stop'
Import-Module (Resolve-Path -LiteralPath $ModulePath).Path -Force

function Write-Random([string] $Path, [long] $Offset, [int] $Count, [Random] $Random) {
    $bytes = [byte[]]::new($Count)
    $Random.NextBytes($bytes)
    $file = [IO.File]::OpenWrite($Path)
    try { $file.Position = $Offset; $file.Write($bytes, 0, $Count) } finally { $file.Dispose() }
}

function Measure-Seconds([scriptblock] $Work) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    & $Work | Out-Null
    $clock.Elapsed.TotalSeconds
}

New-Item -ItemType Directory -Path $WorkFolder -Force | Out-Null
$rows = [Collections.Generic.List[object]]::new()
try {
    Set-ReplicationStateStore -Path (Join-Path $WorkFolder 'state.db')
    New-StorageBackend -Name dc1 -Path (Join-Path $WorkFolder 'dc1') -ReplicationPartner dc2 | Out-Null
    New-StorageBackend -Name dc2 -Path (Join-Path $WorkFolder 'dc2') -ReplicationPartner dc1 | Out-Null
    New-ReplicatedVolumeType -Name points -ExtraSpec @{ 'replication:recovery_points' = '24' } | Out-Null
    $random = [Random]::new(16)
    foreach ($size in $SizeMiB) {
        $name = "v$size"
        New-Volume -Name $name -SizeBytes ($size * 1MB) -VolumeType points | Out-Null
        $path = (Get-VolumeConnection $name).Path
        Write-Random $path 0 ($DataMiB * 1MB) $random
        Sync-VolumeReplica $name | Out-Null
        $written = @{}
        foreach ($round in 1..11) {
            foreach ($i in 1..($ChangeMiB * 16)) {
                # Blocks inside the data, so every change overwrites data (a point of a hole costs nothing).
                Write-Random $path ([long]$random.Next(0, $DataMiB * 16) * 64KB) 64KB $random
            }
            $result = Sync-VolumeReplica $name
            $written[$result.SyncGeneration] = $result.BytesWritten
        }

        $points = @(Get-VolumeRecoveryPoint $name)
        $ratios = @($points | Where-Object { -not $_.Newest } | ForEach-Object { $_.BytesHeld / [double]$written[$_.Round + 1] })
        $tenBack = $points[10].Round
        $atPoint = @(1..$Repetitions | ForEach-Object {
                $t = Measure-Seconds { New-Volume -Name "$name-p$_" -SourceReplica $name -RecoveryPoint $tenBack }
                Remove-Volume -Name "$name-p$_" -Confirm:$false
                $t
            }) | Sort-Object
        $asIs = @(1..$Repetitions | ForEach-Object {
                $t = Measure-Seconds { New-Volume -Name "$name-n$_" -SourceReplica $name }
                Remove-Volume -Name "$name-n$_" -Confirm:$false
                $t
            }) | Sort-Object
        $rows.Add([pscustomobject]@{
                SizeMiB            = $size
                DataMiB            = $DataMiB
                ChangedPerRoundMiB = [math]::Round(($written.Values | Measure-Object -Average).Average / 1MB, 2)
                SpaceRatioMax      = [math]::Round(($ratios | Measure-Object -Maximum).Maximum, 3)
                SpaceRatioMean     = [math]::Round(($ratios | Measure-Object -Average).Average, 3)
                UndoMiBTenBack     = [math]::Round((($points | Select-Object -First 11 | Measure-Object BytesHeld -Sum).Sum) / 1MB, 1)
                TestVolumeAtPointSeconds = [math]::Round($atPoint[[int]($atPoint.Count / 2)], 3)
                TestVolumeAsIsSeconds    = [math]::Round($asIs[[int]($asIs.Count / 2)], 3)
            })
    }
}
finally {
    Set-ReplicationStateStore -Default -Confirm:$false -ErrorAction SilentlyContinue | Out-Null
    Remove-Item -LiteralPath $WorkFolder -Recurse -Force -ErrorAction SilentlyContinue
}

$rows | Format-Table -AutoSize | Out-String -Width 120 | Write-Host
if ($OutputFile) { $rows | ConvertTo-Json | Set-Content -LiteralPath $OutputFile }
