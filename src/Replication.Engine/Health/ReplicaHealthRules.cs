using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using Replication.Engine.Model;

namespace Replication.Engine.Health;

/// <summary>
/// The health rules, in one place: the replication status says whether the volume is protected at all, a failed check
/// or DR test says its replica may not hold what it should, the data age against the volume type's RPO target says how
/// well, and a failed last operation says it may not stay that way.
/// </summary>
public static class ReplicaHealthRules
{
    /// <summary>What <c>SyncRound.RecordFailure</c> writes: "&lt;operation&gt; failed at &lt;time&gt; (&lt;ErrorId&gt;): &lt;message&gt;".</summary>
    private static readonly Regex FailurePattern = new(@"^(?<operation>[A-Za-z]+) failed at (?<at>[^(]*?) \((?<id>[A-Za-z]+)\)", RegexOptions.CultureInvariant);

    /// <param name="status">The replication status as recorded.</param>
    /// <param name="extendedStatus">The recorded extended status; a failure recorded by the last operation starts with "&lt;operation&gt; failed at".</param>
    /// <param name="dataAge">How old the replica's data is; known only while the replica is consistent (active, active-stopped).</param>
    /// <param name="rpoTarget">The volume type's RPO target (replication:rpo_minutes), if it sets one; without one, age is never judged.</param>
    /// <param name="verificationFailure">Why the replica failed its last check or DR test, while that stands (see VolumeRecord.VerificationFailure).</param>
    public static HealthVerdict Evaluate(ReplicationStatus status, string? extendedStatus, TimeSpan? dataAge, TimeSpan? rpoTarget, string? verificationFailure = null)
    {
        if (status == ReplicationStatus.Disabled)
        {
            return new HealthVerdict(ReplicaHealth.Normal, new[] { "not replicated" });
        }

        var health = ReplicaHealth.Normal;
        var reasons = new List<string>();
        void Found(ReplicaHealth level, string reason)
        {
            health = level > health ? level : health;
            reasons.Add(reason);
        }

        switch (status)
        {
            case ReplicationStatus.Error:
                Found(ReplicaHealth.Critical, "replication status error: the replica side failed, so the volume is not protected (Enable-Replication recopies it)");
                break;
            case ReplicationStatus.Inactive:
                Found(ReplicaHealth.Critical, "replication status inactive: nothing replicates since the promotion, so the volume is not protected (Enable-Replication re-protects it)");
                break;
            case ReplicationStatus.Copying:
                Found(ReplicaHealth.Warning, "replication status copying: the replica is not a consistent copy yet (Sync-VolumeReplica completes it)");
                break;
            case ReplicationStatus.ActiveStopped:
                Found(ReplicaHealth.Warning, "replication status active-stopped: replication is paused and the replica's data only ages (Enable-Replication resumes it)");
                break;
        }

        if (verificationFailure is not null)
        {
            Found(ReplicaHealth.Critical, $"the replica failed verification ({verificationFailure}), so it may not hold the data of its round (Sync-VolumeReplica -Full repairs it)");
        }

        if (dataAge is { } age && rpoTarget is { } target)
        {
            if (age > target)
            {
                Found(ReplicaHealth.Critical, $"data age {Humane.Duration(age)} is over the RPO target of {Humane.Duration(target)}");
            }
            else if (age.Ticks > target.Ticks / 2)
            {
                Found(ReplicaHealth.Warning, $"data age {Humane.Duration(age)} is over half the RPO target of {Humane.Duration(target)}");
            }
        }

        if (extendedStatus is not null && FailurePattern.Match(extendedStatus) is { Success: true } failure)
        {
            Found(ReplicaHealth.Warning, $"the last {failure.Groups["operation"].Value} failed at {failure.Groups["at"].Value} ({failure.Groups["id"].Value}), see ExtendedStatus");
        }

        return new HealthVerdict(health, reasons);
    }

    /// <summary>The worse of two health values.</summary>
    public static ReplicaHealth Worst(ReplicaHealth a, ReplicaHealth b) => a > b ? a : b;
}
