using System;
using Replication.Engine.Health;

namespace Replication.Engine.Model;

/// <summary>The replication side of one volume: where the replica is, how it stands, how old its data is.</summary>
public sealed class VolumeReplica
{
    public Guid VolumeId { get; init; }

    public string VolumeName { get; init; } = "";

    public string VolumeType { get; init; } = "";

    public string PrimaryBackend { get; init; } = "";

    public string? ReplicaBackend { get; init; }

    /// <summary>Cinder's replication_status in Cinder's spelling ("active-stopped"), as the views show it.</summary>
    public string Status { get; init; } = "";

    /// <summary>The replication group the volume moves with, if any; its replica then holds the group's round <see cref="GroupRound"/>.</summary>
    public string? GroupName { get; init; }

    /// <summary>The group round the replica holds (members of one group hold the same round when consistent).</summary>
    public long? GroupRound { get; init; }

    /// <summary>Free text from the engine or driver: what is happening or what went wrong (Cinder's replication_extended_status).</summary>
    public string? ExtendedStatus { get; init; }

    /// <summary>When the last successful sync finished.</summary>
    public DateTimeOffset? LastSyncTime { get; init; }

    /// <summary>
    /// The point in time the replica's data represents: when the last successful sync started reading the primary. The
    /// replica holds every write made before it; it is exactly the primary as of then only when <see cref="CrashConsistent"/>.
    /// </summary>
    public DateTimeOffset? DataTimestamp { get; init; }

    /// <summary>
    /// False when the primary was written during the last round: the replica then holds some writes made after
    /// <see cref="DataTimestamp"/> but maybe not others made before them, so it is no point in time a crash would leave.
    /// </summary>
    public bool CrashConsistent { get; init; } = true;

    /// <summary>How old the replica's data is now (the recovery point if the primary were lost now).</summary>
    public TimeSpan? DataAge { get; init; }

    /// <summary><see cref="DataAge"/> in seconds, for monitors and files (ConvertTo-Json writes a TimeSpan as an object of fifteen fields).</summary>
    public double? DataAgeSeconds => DataAge?.TotalSeconds;

    /// <summary>
    /// Bytes written on the primary since the last round, which the next round copies: known while the volume is exported
    /// (its dirty bitmap counts them, <see cref="VolumeExport.DirtyBytes"/>); null otherwise.
    /// </summary>
    public long? PendingBytes { get; init; }

    /// <summary>Successful sync rounds so far; the replica holds the data of this round.</summary>
    public long SyncGeneration { get; init; }

    /// <summary>What the driver recorded about the replica with its last round (Cinder's replication_driver_data); null before the first.</summary>
    public string? ReplicationDriverData { get; init; }

    /// <summary>True when the replica copy is the fenced former primary, waiting for Enable-Replication to reverse the direction.</summary>
    public bool ReplicaFenced { get; init; }

    /// <summary>Normal, Warning or Critical (<see cref="ReplicaHealth"/>, as a word): how well the replica protects the volume now, from its status, data age against <see cref="RpoTargetSeconds"/> and the last operation (see <see cref="ReplicaHealthRules"/>).</summary>
    public string Health => HealthValue.ToString();

    internal ReplicaHealth HealthValue { get; init; }

    /// <summary>Why <see cref="Health"/> is what it is, "; " between reasons; empty for a replica with nothing to report.</summary>
    public string HealthReasons { get; init; } = "";

    /// <summary>The volume type's recovery point objective (replication:rpo_minutes) in seconds; null when the type sets none.</summary>
    public double? RpoTargetSeconds { get; init; }

    /// <summary>
    /// Why the replica failed its last content check or DR test, while that stands (health is Critical meanwhile): until a
    /// newer test passes or Sync-VolumeReplica -Full repairs it. Null when nothing stands against the replica.
    /// </summary>
    public string? VerificationFailure { get; init; }

    /// <summary>When the check or DR test in <see cref="VerificationFailure"/> ran.</summary>
    public DateTimeOffset? VerificationFailedAt { get; init; }

    /// <summary>Blocks that check found differing from what the replica's round wrote (0 when it failed for another reason).</summary>
    public long DamagedBlocks { get; init; }

    /// <summary>Recovery points the replica keeps (Get-VolumeRecoveryPoint lists them); 0 when its type keeps none.</summary>
    public int RecoveryPoints { get; init; }

    /// <summary>The data time of the oldest point: how far back the volume can be recovered.</summary>
    public DateTimeOffset? OldestRecoveryPoint { get; init; }

    /// <summary>The data time of the newest point (the replica's own round).</summary>
    public DateTimeOffset? NewestRecoveryPoint { get; init; }

    /// <summary>Bytes the points' undo logs hold beside the replica.</summary>
    public long RecoveryPointBytes { get; init; }

    public override string ToString() => VolumeName;
}
