using System;

namespace Replication.Engine.Model;

/// <summary>
/// A moment a volume's replica can be taken back to: the data of sync round <see cref="Round"/>, as of
/// <see cref="DataTimestamp"/>. It costs <see cref="BytesHeld"/>, the blocks the next round overwrote.
/// </summary>
public sealed class RecoveryPoint
{
    public string VolumeName { get; init; } = "";

    public Guid VolumeId { get; init; }

    public long Round { get; init; }

    /// <summary>The primary's data as of this time is what the point holds.</summary>
    public DateTimeOffset DataTimestamp { get; init; }

    public DateTimeOffset RecordedAt { get; init; }

    /// <summary>How old the point's data is now.</summary>
    public TimeSpan DataAge { get; init; }

    /// <summary>The bytes of the point's own undo log; the newest point (the replica itself) holds none.</summary>
    public long BytesHeld { get; init; }

    /// <summary>False when the primary was written during the round: the point is not a moment a crash would leave.</summary>
    public bool CrashConsistent { get; init; } = true;

    public string? GroupName { get; init; }

    /// <summary>The group round the point belongs to: every member has a point of the same group round.</summary>
    public long? GroupRound { get; init; }

    /// <summary>True for the round the replica holds now.</summary>
    public bool Newest { get; init; }

    /// <summary>Until when no cmdlet can remove the point (the type's immutability window); null when it is outside one.</summary>
    public DateTimeOffset? ImmutableUntil { get; init; }

    public override string ToString() => $"{VolumeName}@{Round}";
}
