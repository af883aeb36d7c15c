using System;

namespace Replication.Engine.Model;

/// <summary>A volume as the admin sees it: where it is served from and how its replication stands.</summary>
public sealed class Volume
{
    public Guid Id { get; init; }

    public string Name { get; init; } = "";

    public long SizeBytes { get; init; }

    public string VolumeType { get; init; } = "";

    /// <summary>The volume's own lifecycle: Creating, Available, Deleting or Error (<see cref="VolumeStatus"/>, as a word).</summary>
    public string Status { get; init; } = "";

    /// <summary>The backend the volume is served from (after a promotion, the former replica's backend).</summary>
    public string Backend { get; init; } = "";

    /// <summary>Cinder's replication_status in Cinder's spelling ("active-stopped"), as the views show it and Cinder's API writes it.</summary>
    public string ReplicationStatus { get; init; } = "";

    public string? ReplicaBackend { get; init; }

    /// <summary>For a test volume cloned from a replica: the volume whose replica it came from.</summary>
    public string? SourceReplica { get; init; }

    /// <summary>The replication group the volume moves with, if any.</summary>
    public string? GroupName { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public override string ToString() => Name;
}
