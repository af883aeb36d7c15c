using System;
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
        Status = v.Status,
        Backend = v.Backend,
        ReplicationStatus = v.ReplicationStatus,
        ReplicaBackend = v.ReplicaBackend,
        SourceReplica = v.SourceReplica,
        CreatedAt = v.CreatedAt,
    };

    public static VolumeReplica ToReplica(VolumeRecord v, DateTimeOffset now) => new()
    {
        VolumeId = v.Id,
        VolumeName = v.Name,
        VolumeType = v.VolumeType,
        PrimaryBackend = v.Backend,
        ReplicaBackend = v.ReplicaBackend,
        Status = v.ReplicationStatus,
        ExtendedStatus = v.ReplicationExtendedStatus,
        LastSyncTime = v.LastSyncCompletedAt,
        DataTimestamp = v.LastSyncStartedAt,
        DataAge = v.LastSyncStartedAt is { } at && HoldsConsistentData(v.ReplicationStatus) ? Max(now - at, TimeSpan.Zero) : null,
        SyncGeneration = v.SyncGeneration,
        ReplicaFenced = v.ReplicaFenced,
    };

    /// <summary>Statuses in which the replica is known to hold the data of its last round.</summary>
    private static bool HoldsConsistentData(ReplicationStatus status) =>
        status is ReplicationStatus.Active or ReplicationStatus.ActiveStopped;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
