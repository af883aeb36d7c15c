using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Replication.Engine.Errors;
using Replication.Engine.Health;
using Replication.Engine.Model;
using Replication.Engine.State;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Health;

/// <summary>
/// The health rules as a table, through the real engine: each volume is brought into its state by real operations, the
/// hand-moved clock ages its replica's data, and Get and List must both judge it as the row says.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class ReplicaHealthTableTests
{
    private const string Vol = "vol";
    private const string NoTarget = "replicated";
    private const string Rpo15 = "rpo15";
    private const string PlainWithRpo = "plain-rpo15";

    public enum State
    {
        Disabled,
        Active,
        ActiveStopped,
        Copying,
        CopyingAfterFailedEnable,
        Inactive,
        Error,
        ActiveAfterFailedSync,
    }

    /// <summary>State, minutes the clock moves after the state is reached, the type's RPO target in minutes (null: none), the health, and a fragment of each reason in order.</summary>
    public static TheoryData<State, double, double?, ReplicaHealth, string[]> Table => new()
    {
        { State.Disabled, 0, null, ReplicaHealth.Normal, new[] { "not replicated" } },
        { State.Disabled, 60, 15, ReplicaHealth.Normal, new[] { "not replicated" } },
        { State.Active, 0, null, ReplicaHealth.Normal, Array.Empty<string>() },
        { State.Active, 600, null, ReplicaHealth.Normal, Array.Empty<string>() },
        { State.Active, 7, 15, ReplicaHealth.Normal, Array.Empty<string>() },
        { State.Active, 7.5, 15, ReplicaHealth.Normal, Array.Empty<string>() },
        { State.Active, 8, 15, ReplicaHealth.Warning, new[] { "data age 8m 00s is over half the RPO target of 15m 00s" } },
        { State.Active, 15, 15, ReplicaHealth.Warning, new[] { "over half the RPO target" } },
        { State.Active, 16, 15, ReplicaHealth.Critical, new[] { "data age 16m 00s is over the RPO target of 15m 00s" } },
        { State.ActiveStopped, 0, null, ReplicaHealth.Warning, new[] { "active-stopped" } },
        { State.ActiveStopped, 600, null, ReplicaHealth.Warning, new[] { "active-stopped" } },
        { State.ActiveStopped, 8, 15, ReplicaHealth.Warning, new[] { "active-stopped", "over half the RPO target" } },
        { State.ActiveStopped, 16, 15, ReplicaHealth.Critical, new[] { "active-stopped", "over the RPO target" } },
        { State.Copying, 0, null, ReplicaHealth.Warning, new[] { "copying" } },
        { State.Copying, 60, 15, ReplicaHealth.Warning, new[] { "copying" } },
        { State.CopyingAfterFailedEnable, 0, 15, ReplicaHealth.Warning, new[] { "copying", "the last EnableReplication failed at 2030-01-01 08:00:00Z (PrimaryUnreadable)" } },
        { State.Inactive, 0, null, ReplicaHealth.Critical, new[] { "inactive" } },
        { State.Inactive, 60, 15, ReplicaHealth.Critical, new[] { "inactive" } },
        { State.Error, 0, 15, ReplicaHealth.Critical, new[] { "status error", "the last SyncReplica failed at 2030-01-01 08:00:00Z (ReplicaUnwritable)" } },
        { State.ActiveAfterFailedSync, 0, null, ReplicaHealth.Warning, new[] { "the last SyncReplica failed at 2030-01-01 08:00:00Z (PrimaryUnreadable)" } },
        { State.ActiveAfterFailedSync, 16, 15, ReplicaHealth.Critical, new[] { "over the RPO target", "the last SyncReplica failed" } },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Status_data_age_and_target_make_the_health(State state, double minutes, double? rpoMinutes, ReplicaHealth expected, string[] reasons)
    {
        using var site = NewSite();
        Reach(site, state, rpoMinutes);
        site.Clock.Advance(TimeSpan.FromMinutes(minutes));

        foreach (var replica in new[] { site.Replica(Vol), site.Engine.Replication.List(VolumeQuery.All).Single() })
        {
            Assert.True(expected == replica.HealthValue, $"{state} after {minutes} min, target {rpoMinutes}: expected {expected}, got {replica.Health} ({replica.HealthReasons})");
            var given = replica.HealthReasons.Length == 0 ? Array.Empty<string>() : replica.HealthReasons.Split("; ");
            Assert.True(reasons.Length == given.Length, $"Expected {reasons.Length} reason(s), got: {replica.HealthReasons}");
            for (var i = 0; i < reasons.Length; i++)
            {
                Assert.Contains(reasons[i], given[i], StringComparison.Ordinal);
            }

            Assert.Equal(rpoMinutes * 60, replica.RpoTargetSeconds);
        }
    }

    [Fact]
    public void A_successful_sync_after_a_failed_one_is_Normal_again()
    {
        using var site = NewSite();
        Reach(site, State.ActiveAfterFailedSync, null);
        Assert.Equal(ReplicaHealth.Warning.ToString(), site.Replica(Vol).Health);

        site.Sync(Vol);

        var replica = site.Replica(Vol);
        Assert.Equal(ReplicaHealth.Normal.ToString(), replica.Health);
        Assert.Equal("", replica.HealthReasons);
    }

    [Fact]
    public void The_age_rules_follow_the_clock_from_Normal_to_Warning_to_Critical_and_back_after_a_sync()
    {
        using var site = NewSite();
        Reach(site, State.Active, 15);
        var seen = new List<ReplicaHealth>();
        foreach (var minutes in new[] { 5, 5, 5, 5 })
        {
            seen.Add(site.Replica(Vol).HealthValue);
            site.Clock.Advance(TimeSpan.FromMinutes(minutes));
        }

        seen.Add(site.Replica(Vol).HealthValue);
        site.Sync(Vol);
        seen.Add(site.Replica(Vol).HealthValue);

        // 0, 5, 10 (over half), 15 (at the target, not over it), 20 (over), synced.
        Assert.Equal(new[] { ReplicaHealth.Normal, ReplicaHealth.Normal, ReplicaHealth.Warning, ReplicaHealth.Warning, ReplicaHealth.Critical, ReplicaHealth.Normal }, seen);
    }

    [Fact]
    public void The_rules_alone_match_the_extended_status_SyncRound_writes_and_nothing_that_merely_mentions_a_failure()
    {
        var failed = ReplicaHealthRules.Evaluate(ReplicationStatus.Active, "CheckVolumeFiles failed at 2030-01-01 08:00:00Z (VolumeFileFault): gone", TimeSpan.Zero, null);
        var mentions = ReplicaHealthRules.Evaluate(ReplicationStatus.Active, "Incremental round: the SyncReplica failed at nothing (x): y", TimeSpan.Zero, null);

        Assert.Equal(ReplicaHealth.Warning, failed.Health);
        Assert.Equal("the last CheckVolumeFiles failed at 2030-01-01 08:00:00Z (VolumeFileFault), see ExtendedStatus", failed.Text);
        Assert.Equal(ReplicaHealth.Normal, mentions.Health);
    }

    internal static EngineSite NewSite()
    {
        var site = new EngineSite();
        site.AddPairedBackends();
        site.AddReplicatedType(NoTarget);
        site.AddReplicatedType(Rpo15, new Dictionary<string, string> { [Placement.VolumeTypeSpecs.RpoKey] = "15" });
        site.AddPlainType(PlainWithRpo, new Dictionary<string, string> { [Placement.VolumeTypeSpecs.RpoKey] = "15" });
        site.AddPlainType();
        return site;
    }

    /// <summary>Brings <see cref="Vol"/> into <paramref name="state"/> by real operations, on a type with the given RPO target.</summary>
    internal static void Reach(EngineSite site, State state, double? rpoMinutes, string name = Vol)
    {
        if (rpoMinutes is not (null or 15))
        {
            throw new ArgumentOutOfRangeException(nameof(rpoMinutes), rpoMinutes, "The site has types with no target and with 15 minutes.");
        }

        var type = state == State.Disabled ? (rpoMinutes is null ? PlainType : PlainWithRpo) : rpoMinutes is null ? NoTarget : Rpo15;
        site.CreateVolume(name, 4 * MiB, type);
        WriteAt(site.PrimaryFile(name), 0, RandomBytes(256 * 1024, 1));
        switch (state)
        {
            case State.Disabled:
                break;
            case State.Active:
                site.Sync(name);
                break;
            case State.ActiveStopped:
                site.Sync(name);
                site.Disable(name);
                break;
            case State.Copying:
                // Enable-Replication stopped (Ctrl+C) after it recorded copying and before its round finished.
                site.Promote(name, planned: false);
                using (var stop = new CancellationTokenSource())
                {
                    stop.Cancel();
                    Assert.ThrowsAny<OperationCanceledException>(() => site.Engine.Replication.Enable(name, site.Quiet, stop.Token));
                }

                break;
            case State.CopyingAfterFailedEnable:
                site.Promote(name, planned: false);
                MovedAway(site.PrimaryFile(name), () => Refused(ErrorIds.PrimaryUnreadable, () => site.Enable(name)));
                break;
            case State.Inactive:
                site.Sync(name);
                site.Promote(name, planned: true);
                break;
            case State.Error:
                site.Sync(name);
                File.Delete(site.ReplicaFile(name));
                Refused(ErrorIds.ReplicaUnwritable, () => site.Sync(name));
                break;
            case State.ActiveAfterFailedSync:
                site.Sync(name);
                MovedAway(site.PrimaryFile(name), () => Refused(ErrorIds.PrimaryUnreadable, () => site.Sync(name)));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(state), state, null);
        }

        var status = site.Replica(name).Status;
        var wanted = state switch
        {
            State.Disabled => ReplicationStatus.Disabled,
            State.Active or State.ActiveAfterFailedSync => ReplicationStatus.Active,
            State.ActiveStopped => ReplicationStatus.ActiveStopped,
            State.Copying or State.CopyingAfterFailedEnable => ReplicationStatus.Copying,
            State.Inactive => ReplicationStatus.Inactive,
            _ => ReplicationStatus.Error,
        };
        Assert.True(wanted.ToCinder() == status, $"Setting up {state} left the volume {status}.");
    }

    private static void MovedAway(string path, Action action)
    {
        File.Move(path, path + ".away");
        try
        {
            action();
        }
        finally
        {
            File.Move(path + ".away", path);
        }
    }
}
