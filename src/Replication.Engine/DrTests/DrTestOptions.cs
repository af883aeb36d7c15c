using System;
using Replication.Engine.Model;

namespace Replication.Engine.DrTests;

/// <summary>How to run a DR test.</summary>
public sealed class DrTestOptions
{
    public static readonly DrTestOptions Default = new();

    /// <summary>Test the replica as it was at this recovery point's round rather than as it is (the RPO target does not apply).</summary>
    public long? RecoveryPoint { get; init; }

    /// <summary>A group test: every member at its recovery point of this group round, the same moment for all (refused when a member keeps none).</summary>
    public long? GroupRound { get; init; }

    /// <summary>Leave the test volume for a look afterwards instead of removing it.</summary>
    public bool KeepTestVolume { get; init; }

    /// <summary>The admin's own check, run against the test volume's connection before it is removed.</summary>
    public Func<VolumeConnection, ValidationOutcome>? Validation { get; init; }
}
