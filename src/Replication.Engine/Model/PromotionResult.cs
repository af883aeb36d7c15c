using System;

namespace Replication.Engine.Model;

/// <summary>The outcome of promoting a replica: where the volume is served from now and what data was lost, if any.</summary>
public sealed class PromotionResult
{
    public string VolumeName { get; init; } = "";

    /// <summary>The backend the volume is served from after the promotion.</summary>
    public string PrimaryBackend { get; init; } = "";

    /// <summary>The former primary's backend; its copy is fenced until Enable-Replication reverses replication.</summary>
    public string FencedBackend { get; init; } = "";

    public bool Planned { get; init; }

    /// <summary>The point in time the promoted data represents.</summary>
    public DateTimeOffset DataTimestamp { get; init; }

    /// <summary>Writes to the old primary in this window before the promotion are not in the promoted copy (zero for a planned promotion).</summary>
    public TimeSpan DataLossWindow { get; init; }

    /// <summary>False when the old primary's folder could not be reached to fence its file; the fence is then only recorded in state.</summary>
    public bool FencedOnDisk { get; init; }

    /// <summary>The replication status after the promotion, in Cinder's spelling (inactive).</summary>
    public string Status { get; init; } = "";

    /// <summary>Bytes the final sync of a planned promotion wrote to the replica (zero for an unplanned one).</summary>
    public long FinalSyncBytesWritten { get; init; }

    public override string ToString() => VolumeName;
}
