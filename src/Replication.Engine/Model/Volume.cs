using System;

namespace Replication.Engine.Model;

/// <summary>A volume as the admin sees it: where it is served from and how its replication stands.</summary>
public sealed class Volume
{
    public Guid Id { get; init; }

    public string Name { get; init; } = "";

    public long SizeBytes { get; init; }

    public string VolumeType { get; init; } = "";

    public VolumeStatus Status { get; init; }

    /// <summary>The backend the volume is served from (after a promotion, the former replica's backend).</summary>
    public string Backend { get; init; } = "";

    public ReplicationStatus ReplicationStatus { get; init; }

    public string? ReplicaBackend { get; init; }

    /// <summary>For a test volume cloned from a replica: the volume whose replica it came from.</summary>
    public string? SourceReplica { get; init; }

    /// <summary>The replication group the volume moves with, if any.</summary>
    public string? GroupName { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public override string ToString() => Name;
}
