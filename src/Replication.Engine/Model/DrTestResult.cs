using System;

namespace Replication.Engine.Model;

/// <summary>
/// One DR test of one volume's replica, as an auditor reads it. Durations are in seconds, so the result converts cleanly
/// with ConvertTo-Json and Export-Csv.
/// </summary>
public sealed record DrTestResult
{
    public long TestId { get; init; }

    public string VolumeName { get; init; } = "";

    public string VolumeType { get; init; } = "";

    public string? ReplicaBackend { get; init; }

    /// <summary>Running, Passed, Failed, NotTestable or Interrupted (<see cref="DrTestOutcome"/>, as a word).</summary>
    public string Outcome => OutcomeValue.ToString();

    internal DrTestOutcome OutcomeValue { get; init; }

    public bool Passed => OutcomeValue == DrTestOutcome.Passed;

    /// <summary>Why the test failed or could not run; empty when it passed.</summary>
    public string Reason { get; init; } = "";

    /// <summary>What was checked, in words (blocks compared with which round, the custom validation).</summary>
    public string Verified { get; init; } = "";

    public long BlocksCompared { get; init; }

    public long BlocksMismatched { get; init; }

    /// <summary>The sync round the replica held when it was cloned.</summary>
    public long? SyncGeneration { get; init; }

    /// <summary>The point in time the tested data represents.</summary>
    public DateTimeOffset? DataTimestamp { get; init; }

    /// <summary>The recovery point achieved: how old the replica's data was when the test started.</summary>
    public double? DataAgeSeconds { get; init; }

    /// <summary>The volume type's RPO target (replication:rpo_minutes), if it has one.</summary>
    public double? RpoTargetSeconds { get; init; }

    public bool? RpoMet => RpoTargetSeconds is { } target && DataAgeSeconds is { } age ? age <= target : null;

    /// <summary>The recovery time measured: from the start of the test until the test volume was ready to attach.</summary>
    public double? TimeToReadySeconds { get; init; }

    public string? TestVolumeName { get; init; }

    public bool TestVolumeKept { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public double? DurationSeconds { get; init; }

    /// <summary>user@host (pid) of the process that ran the test.</summary>
    public string Actor { get; init; } = "";

    public override string ToString() => $"{VolumeName}: {Outcome}";
}
