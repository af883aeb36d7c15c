using System;
using Replication.Engine.Model;

namespace Replication.Engine.State;

/// <summary>Filters for the event history; unset filters match everything. Newest events come last.</summary>
public sealed class EventQuery
{
    public string? ObjectName { get; init; }

    public DateTimeOffset? Since { get; init; }

    /// <summary>Only events before this time.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Only events of this operation (SyncReplica, PromoteReplica, ...), in any case.</summary>
    public string? Operation { get; init; }

    /// <summary>Only events of this actor (user@host (pid)), in any case.</summary>
    public string? Actor { get; init; }

    /// <summary>Only changes that moved a volume to this replication status.</summary>
    public ReplicationStatus? ToStatus { get; init; }

    /// <summary>Only the newest N matching events.</summary>
    public int? Newest { get; init; }
}
