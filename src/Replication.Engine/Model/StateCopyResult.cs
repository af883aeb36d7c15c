namespace Replication.Engine.Model;

/// <summary>What a copy of the state moved, and the fingerprint both stores now share.</summary>
public sealed class StateCopyResult
{
    public string Source { get; init; } = "";

    public string Destination { get; init; } = "";

    public int Backends { get; init; }

    public int VolumeTypes { get; init; }

    public int Volumes { get; init; }

    public int BlockMaps { get; init; }

    public int Groups { get; init; }

    public int DrTests { get; init; }

    public int Events { get; init; }

    /// <summary>Recovery points copied (their undo logs stay beside the replicas, where the copy's volumes find them).</summary>
    public int RecoveryPoints { get; init; }

    /// <summary>SHA-256 of every copied row, read back from the destination before the copy committed.</summary>
    public string Fingerprint { get; init; } = "";

    public override string ToString() => Destination;
}
