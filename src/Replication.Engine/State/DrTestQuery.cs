using System;
using Replication.Engine.Model;

namespace Replication.Engine.State;

/// <summary>Filters for the DR test history; unset filters match everything. Oldest first.</summary>
public sealed class DrTestQuery
{
    public string? VolumeName { get; init; }

    public DateTimeOffset? Since { get; init; }

    public DrTestOutcome? Outcome { get; init; }

    /// <summary>Only the newest N matching tests.</summary>
    public int? Newest { get; init; }
}
