using System.Collections.Generic;
using Replication.Engine.Model;

namespace Replication.Engine.State;

/// <summary>Filters for listing volumes; unset filters match everything.</summary>
public sealed class VolumeQuery
{
    public static readonly VolumeQuery All = new();

    /// <summary>Only volumes with these names (without regard to case): a few names looked up by key, not a list of the fleet.</summary>
    public IReadOnlyCollection<string>? Names { get; init; }

    public string? VolumeType { get; init; }

    /// <summary>Matches volumes whose primary or replica is on this backend.</summary>
    public string? Backend { get; init; }

    public string? SourceReplica { get; init; }

    /// <summary>Only members of this replication group.</summary>
    public string? GroupName { get; init; }

    /// <summary>Only volumes whose replication is in this status.</summary>
    public ReplicationStatus? ReplicationStatus { get; init; }
}
