using System;
using System.Collections.Generic;
using System.Linq;
using Replication.Engine.Model;
using Replication.Engine.State;

namespace Replication.Engine.Health;

/// <summary>
/// One summary over many replicas (Measure-VolumeReplica): counts per health and per replication status, the oldest
/// replica data, the volumes over their RPO target, and the overall health, the worst of them all. A monitoring runbook
/// alerts on <c>.Health -ne 'Normal'</c> and mails <see cref="Problems"/>.
/// </summary>
public sealed record ReplicationHealthSummary
{
    /// <summary>The worst health of the replicas measured; Normal when there were none.</summary>
    public string Health => HealthValue.ToString();

    internal ReplicaHealth HealthValue { get; init; }

    public int VolumeCount { get; init; }

    public int NormalCount { get; init; }

    public int WarningCount { get; init; }

    public int CriticalCount { get; init; }

    public int DisabledCount { get; init; }

    public int CopyingCount { get; init; }

    public int ActiveCount { get; init; }

    public int ActiveStoppedCount { get; init; }

    public int InactiveCount { get; init; }

    public int ErrorCount { get; init; }

    /// <summary>The oldest replica data among consistent replicas (the largest DataAge); null when no replica is consistent.</summary>
    public TimeSpan? WorstDataAge { get; init; }

    /// <summary>The volume whose replica holds the oldest data.</summary>
    public string? WorstDataAgeVolume { get; init; }

    /// <summary>Volumes whose replica's data is older than their type's RPO target, oldest first.</summary>
    public string[] OverRpoTarget { get; init; } = Array.Empty<string>();

    public int OverRpoTargetCount => OverRpoTarget.Length;

    public string[] CriticalVolumes { get; init; } = Array.Empty<string>();

    public string[] WarningVolumes { get; init; } = Array.Empty<string>();

    /// <summary>One line per replica that is not Normal, worst first: "db01 (Critical): data age 20m 00s is over the RPO target of 15m 00s".</summary>
    public string[] Problems { get; init; } = Array.Empty<string>();

    /// <summary>When the summary was made (each replica's DataAge is as of when it was read).</summary>
    public DateTimeOffset MeasuredAt { get; init; }

    /// <summary>Bytes written on the measured primaries since their last round, as far as known (exported volumes count them).</summary>
    public long PendingBytes { get; init; }

    /// <summary>Recovery points the measured replicas keep, and the bytes their undo logs hold.</summary>
    public int RecoveryPoints { get; init; }

    public long RecoveryPointBytes { get; init; }

    /// <summary>Volumes that keep recovery points.</summary>
    public int VolumesWithRecoveryPoints { get; init; }

    /// <summary>The shortest recovery history among volumes that keep points (data time of their oldest point), and whose it is.</summary>
    public DateTimeOffset? ShortestRecoveryHistory { get; init; }

    public string? ShortestRecoveryHistoryVolume { get; init; }

    /// <summary>The start of the period the round figures cover; null when they were not asked for.</summary>
    public DateTimeOffset? RoundsSince { get; init; }

    /// <summary>Sync rounds of the measured volumes that finished in the period.</summary>
    public long SuccessfulRounds { get; init; }

    /// <summary>Sync rounds of the measured volumes that failed in the period.</summary>
    public long FailedRounds { get; init; }

    /// <summary>Bytes a successful round wrote, on average; null when there was none.</summary>
    public long? AverageRoundBytes { get; init; }

    public long? LargestRoundBytes { get; init; }

    /// <summary>Seconds a successful round took, on average; null when there was none.</summary>
    public double? AverageRoundSeconds { get; init; }

    public double? LongestRoundSeconds { get; init; }

    public override string ToString() => $"{Health}: {VolumeCount} volume(s), {WarningCount} warning, {CriticalCount} critical";

    /// <summary>
    /// Summarizes <paramref name="replicas"/> as they were read (each counted once, by volume id), with the figures of
    /// their sync rounds since <paramref name="roundsSince"/> when <paramref name="rounds"/> (per volume) is given.
    /// </summary>
    public static ReplicationHealthSummary Measure(IEnumerable<VolumeReplica> replicas, DateTimeOffset measuredAt,
        IReadOnlyDictionary<Guid, RoundFigures>? rounds = null, DateTimeOffset? roundsSince = null)
    {
        var all = replicas.GroupBy(r => r.VolumeId).Select(g => g.First()).ToList();
        int Count(ReplicationStatus status) => all.Count(r => r.Status == status.ToCinder());
        string[] Named(ReplicaHealth health) => all.Where(r => r.HealthValue == health).Select(r => r.VolumeName).OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray();
        var withPoints = all.Where(r => r.RecoveryPoints > 0).ToList();
        var shortest = withPoints.OrderByDescending(r => r.OldestRecoveryPoint).ThenBy(r => r.VolumeName, StringComparer.OrdinalIgnoreCase).FirstOrDefault();
        var oldest = all.Where(r => r.DataAge is not null).OrderByDescending(r => r.DataAge).ThenBy(r => r.VolumeName, StringComparer.OrdinalIgnoreCase).FirstOrDefault();
        return new ReplicationHealthSummary
        {
            HealthValue = all.Select(r => r.HealthValue).DefaultIfEmpty(ReplicaHealth.Normal).Max(),
            VolumeCount = all.Count,
            NormalCount = all.Count(r => r.HealthValue == ReplicaHealth.Normal),
            WarningCount = all.Count(r => r.HealthValue == ReplicaHealth.Warning),
            CriticalCount = all.Count(r => r.HealthValue == ReplicaHealth.Critical),
            DisabledCount = Count(ReplicationStatus.Disabled),
            CopyingCount = Count(ReplicationStatus.Copying),
            ActiveCount = Count(ReplicationStatus.Active),
            ActiveStoppedCount = Count(ReplicationStatus.ActiveStopped),
            InactiveCount = Count(ReplicationStatus.Inactive),
            ErrorCount = Count(ReplicationStatus.Error),
            WorstDataAge = oldest?.DataAge,
            WorstDataAgeVolume = oldest?.VolumeName,
            OverRpoTarget = all.Where(IsOverRpoTarget).OrderByDescending(r => r.DataAge).Select(r => r.VolumeName).ToArray(),
            CriticalVolumes = Named(ReplicaHealth.Critical),
            WarningVolumes = Named(ReplicaHealth.Warning),
            Problems = all.Where(r => r.HealthValue != ReplicaHealth.Normal)
                .OrderByDescending(r => r.HealthValue).ThenBy(r => r.VolumeName, StringComparer.OrdinalIgnoreCase)
                .Select(r => $"{r.VolumeName} ({r.Health}): {r.HealthReasons}").ToArray(),
            MeasuredAt = measuredAt,
            PendingBytes = all.Sum(r => r.PendingBytes ?? 0),
            RecoveryPoints = all.Sum(r => r.RecoveryPoints),
            RecoveryPointBytes = all.Sum(r => r.RecoveryPointBytes),
            VolumesWithRecoveryPoints = withPoints.Count,
            ShortestRecoveryHistory = shortest?.OldestRecoveryPoint,
            ShortestRecoveryHistoryVolume = shortest?.VolumeName,
        }.WithRounds(all.Select(r => rounds is not null && rounds.TryGetValue(r.VolumeId, out var figures) ? figures : null).OfType<RoundFigures>().ToList(), rounds is null ? null : roundsSince);
    }

    private ReplicationHealthSummary WithRounds(IReadOnlyList<RoundFigures> rounds, DateTimeOffset? since)
    {
        var succeeded = rounds.Sum(r => r.Succeeded);
        return since is null ? this : this with
        {
            RoundsSince = since,
            SuccessfulRounds = succeeded,
            FailedRounds = rounds.Sum(r => r.Failed),
            AverageRoundBytes = succeeded == 0 ? null : rounds.Sum(r => r.BytesWritten) / succeeded,
            LargestRoundBytes = succeeded == 0 ? null : rounds.Max(r => r.LargestBytesWritten),
            AverageRoundSeconds = succeeded == 0 ? null : rounds.Sum(r => r.Seconds) / succeeded,
            LongestRoundSeconds = succeeded == 0 ? null : rounds.Max(r => r.LongestSeconds),
        };
    }

    private static bool IsOverRpoTarget(VolumeReplica replica) =>
        replica.DataAge is { } age && replica.RpoTargetSeconds is { } target && age.TotalSeconds > target;
}
