using System;

namespace Replication.Engine.State;

/// <summary>One volume's sync rounds over a period, summed by the state store from the rounds' events.</summary>
public sealed record RoundFigures
{
    public Guid VolumeId { get; init; }

    public long Succeeded { get; init; }

    public long Failed { get; init; }

    /// <summary>Bytes the successful rounds wrote, in all.</summary>
    public long BytesWritten { get; init; }

    public long LargestBytesWritten { get; init; }

    /// <summary>Time the successful rounds took, in all.</summary>
    public double Seconds { get; init; }

    public double LongestSeconds { get; init; }
}
