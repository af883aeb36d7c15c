using System;

namespace Replication.Engine.State;

/// <summary>
/// One recovery point of a volume as state records it: round <see cref="Round"/>, which the replica held once and can
/// hold again from its undo logs (those of this round and every newer one). The newest point is the replica itself.
/// </summary>
public sealed record RecoveryPointRecord
{
    public Guid VolumeId { get; init; }

    public long Round { get; init; }

    /// <summary>When the round started: the primary's data as of then is what the point holds.</summary>
    public DateTimeOffset DataTimestamp { get; init; }

    /// <summary>When the round was recorded (the point's age for retention and immutability).</summary>
    public DateTimeOffset RecordedAt { get; init; }

    /// <summary>The bytes of this point's own undo log (the blocks the next round overwrote); 0 for the newest point.</summary>
    public long BytesHeld { get; init; }

    /// <summary>True when the primary was written during the round: the point is not crash-consistent.</summary>
    public bool Raced { get; init; }

    public string? GroupName { get; init; }

    public long? GroupRound { get; init; }
}
