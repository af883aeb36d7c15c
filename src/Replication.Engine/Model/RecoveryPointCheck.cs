using System;

namespace Replication.Engine.Model;

/// <summary>What reading a recovery point whole found: every block against the hash the point should have.</summary>
public sealed class RecoveryPointCheck
{
    public string VolumeName { get; init; } = "";

    public long Round { get; init; }

    public DateTimeOffset DataTimestamp { get; init; }

    public long BlocksCompared { get; init; }

    /// <summary>Blocks whose bytes differ from the point's hash: 0 for a point that reads right.</summary>
    public long BlocksDiffering { get; init; }

    /// <summary>Blocks read from undo logs rather than from the replica (what newer rounds changed).</summary>
    public long BlocksFromUndoLogs { get; init; }

    public bool Passed => BlocksDiffering == 0;

    public TimeSpan Duration { get; init; }

    public override string ToString() => $"{VolumeName}@{Round}";
}
