using System;
using Replication.Engine.Health;
using Replication.Engine.Model;
using Replication.Engine.State;

namespace Replication.Engine.Volumes;

/// <summary>The two faces of a volume row: the volume itself and its replication side.</summary>
internal static class VolumeViews
{
    public static Volume ToVolume(VolumeRecord v) => new()
    {
        Id = v.Id,
        Name = v.Name,
        SizeBytes = v.SizeBytes,
        VolumeType = v.VolumeType,
        Status = v.Status.ToString(),
        Backend = v.Backend,
        ReplicationStatus = v.ReplicationStatus.ToCinder(),
        ReplicaBackend = v.ReplicaBackend,
        SourceReplica = v.SourceReplica,
        GroupName = v.GroupName,
        CreatedAt = v.CreatedAt,
    };

    /// <param name="rpoTarget">The RPO target of the volume's type (<see cref="RpoTargets"/>); null when it sets none.</param>
    /// <param name="pendingBytes">What its export counts as written since the last round; null when it is not exported.</param>
    public static VolumeReplica ToReplica(VolumeRecord v, DateTimeOffset now, TimeSpan? rpoTarget, long? pendingBytes, RecoveryPointSummary? points = null)
    {
        TimeSpan? dataAge = v.LastSyncStartedAt is { } at && HoldsConsistentData(v.ReplicationStatus) ? Max(now - at, TimeSpan.Zero) : null;
        var health = ReplicaHealthRules.Evaluate(v.ReplicationStatus, v.ReplicationExtendedStatus, dataAge, rpoTarget, v.VerificationFailure);
        return new VolumeReplica
        {
            VolumeId = v.Id,
            VolumeName = v.Name,
            VolumeType = v.VolumeType,
            PrimaryBackend = v.Backend,
            ReplicaBackend = v.ReplicaBackend,
            Status = v.ReplicationStatus.ToCinder(),
            GroupName = v.GroupName,
            GroupRound = v.GroupRound,
            ExtendedStatus = v.ReplicationExtendedStatus,
            LastSyncTime = v.LastSyncCompletedAt,
            DataTimestamp = v.LastSyncStartedAt,
            DataAge = dataAge,
            SyncGeneration = v.SyncGeneration,
            ReplicaFenced = v.ReplicaFenced,
            ReplicationDriverData = v.ReplicationDriverData,
            PendingBytes = pendingBytes,
            HealthValue = health.Health,
            HealthReasons = health.Text,
            RpoTargetSeconds = rpoTarget?.TotalSeconds,
            CrashConsistent = !v.LastSyncRaced,
            VerificationFailure = v.VerificationFailure,
            VerificationFailedAt = v.VerificationFailedAt,
            DamagedBlocks = v.DamagedBlocks,
            RecoveryPoints = points?.Count ?? 0,
            OldestRecoveryPoint = points?.Oldest,
            NewestRecoveryPoint = points?.Newest,
            RecoveryPointBytes = points?.BytesHeld ?? 0,
        };
    }

    /// <summary>Statuses in which the replica is known to hold the data of its last round.</summary>
    private static bool HoldsConsistentData(ReplicationStatus status) =>
        status is ReplicationStatus.Active or ReplicationStatus.ActiveStopped;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
