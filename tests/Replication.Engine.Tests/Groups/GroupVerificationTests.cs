using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Replication.Engine.DrTests;
using Replication.Engine.Errors;
using Replication.Engine.Health;
using Replication.Engine.Model;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Groups;

/// <summary>
/// Every member of a group is verified by its content: a planned group promotion repairs a damaged member replica, an
/// unplanned one refuses the whole group (marking the damaged member) unless told, a group DR test marks the member
/// that failed, and a backend failover leaves a damaged replica where it is unless told.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class GroupVerificationTests : IDisposable
{
    private static readonly string[] Members = { "a", "b", "c" };

    private readonly GroupSite g = new();

    public void Dispose() => g.Dispose();

    [UnixFact]
    public void PlannedGroupPromotion_RepairsADamagedMemberReplica_AndServesEveryPrimarysBytes()
    {
        g.CreateSyncedGroup(Members);
        DamageReplicaOf("b");
        var latest = g.Primaries(Members);

        var results = g.PromoteGroup(planned: true);

        Assert.Equal(new[] { 0L, 1L, 0L }, results.OrderBy(r => r.VolumeName).Select(r => r.RepairedBlocks));
        Assert.All(results, r => Assert.True(r.ReplicaVerified));
        foreach (var name in Members)
        {
            Assert.True(latest[name].AsSpan().SequenceEqual(g.Primary(name)), $"The promoted '{name}' does not hold its primary's bytes.");
        }
    }

    [UnixFact]
    public void UnplannedGroupPromotion_WithADamagedMember_IsRefusedForTheWholeGroup_ThenAllowedItReportsThatMembersDamage()
    {
        g.CreateSyncedGroup(Members);
        DamageReplicaOf("b");
        var files = g.Site.SnapshotFolders();

        var refused = Refused(ErrorIds.ReplicaDamaged, () => g.PromoteGroup(planned: false));

        Assert.Contains("1 member replica(s) are damaged", refused.Message, StringComparison.Ordinal);
        Assert.Contains("'b'", refused.Message, StringComparison.Ordinal);
        Assert.All(Members, n => Assert.Equal(("dc1", ReplicationStatus.Active, false), (g.Record(n).Backend, g.Record(n).ReplicationStatus, g.Record(n).ReplicaFenced)));
        Assert.False(g.PromotionIntent());
        Assert.Equal(files, g.Site.SnapshotFolders());
        Assert.Equal(new[] { ReplicaHealth.Normal.ToString(), ReplicaHealth.Critical.ToString(), ReplicaHealth.Normal.ToString() }, Members.Select(n => g.Site.Replica(n).Health));

        var results = g.Engine.GroupOperations.Promote(GroupSite.Group, planned: false, g.Site.Quiet, CancellationToken.None, allowDamagedReplica: true);

        Assert.Equal(new[] { 0L, 1L, 0L }, results.OrderBy(r => r.VolumeName).Select(r => r.DamagedBlocks));
        Assert.Equal(new[] { true, false, true }, results.OrderBy(r => r.VolumeName).Select(r => r.ReplicaVerified));
        Assert.All(Members, n => Assert.Equal("dc2", g.Record(n).Backend));
    }

    [UnixFact]
    public void GroupDrTest_MarksTheDamagedMember_AndAGroupRoundWithFullRepairsAndClearsIt()
    {
        g.CreateSyncedGroup(Members);
        DamageReplicaOf("c");

        var results = g.Engine.DrTests.RunGroup(GroupSite.Group, DrTestOptions.Default, g.Site.Quiet, CancellationToken.None);

        Assert.Equal(new[] { DrTestOutcome.Passed.ToString(), DrTestOutcome.Passed.ToString(), DrTestOutcome.Failed.ToString() }, results.OrderBy(r => r.VolumeName).Select(r => r.Outcome));
        Assert.Equal(new[] { ReplicaHealth.Normal.ToString(), ReplicaHealth.Normal.ToString(), ReplicaHealth.Critical.ToString() }, Members.Select(n => g.Site.Replica(n).Health));
        Assert.StartsWith("DR test", g.Site.Replica("c").VerificationFailure, StringComparison.Ordinal);

        var rounds = g.SyncGroup(forceRead: true);

        Assert.Equal(new[] { 0L, 0L, 1L }, rounds.OrderBy(r => r.VolumeName).Select(r => r.ReplicaBlocksRepaired));
        Assert.All(Members, n => Assert.Equal(ReplicaHealth.Normal.ToString(), g.Site.Replica(n).Health));
        Assert.True(g.Primary("c").AsSpan().SequenceEqual(g.Replica("c")));
    }

    [UnixFact]
    public void AGroupRoundAMembersWriterRaced_SaysTheGroupPointIsNoCrashConsistentOne_UntilAQuietRound()
    {
        g.CreateSyncedGroup(Members);
        g.Write("a", 10, 90);
        var writer = RecordingObserver.WritingOnceWhileSyncing(g.Site.PrimaryFile("a"), 20 * Block);

        var raced = g.Engine.GroupOperations.Sync(GroupSite.Group, forceRead: false, writer, CancellationToken.None);

        Assert.True(writer.WroteWhileSyncing);
        Assert.Equal(new[] { false, true, true }, raced.OrderBy(r => r.VolumeName).Select(r => r.CrashConsistent));
        Assert.False(g.Get().CrashConsistent);
        Assert.True(g.Get().Consistent, "the members still hold one common round");

        g.SyncGroup();

        Assert.True(g.Get().CrashConsistent);
    }

    [UnixFact]
    public void UnplannedBackendFailover_LeavesADamagedReplicaWhereItIs_UntilToldToServeIt()
    {
        g.CreateVolumes("x", "y");
        DamageReplicaOf("y", block: 0); // a hole on both copies, now holding bytes on the replica
        var results = new List<BackendFailoverResult>();

        g.Engine.Failover.FailOver("dc1", planned: false, throttle: 2, g.Site.Quiet, r => { lock (results) { results.Add(r); } }, CancellationToken.None);

        var byName = results.ToDictionary(r => r.VolumeName);
        Assert.Equal(("FailedOver", true), (byName["x"].Action, byName["x"].Succeeded));
        Assert.Equal(("Failed", false, "dc1"), (byName["y"].Action, byName["y"].Succeeded, g.Record("y").Backend));
        Assert.StartsWith("ReplicaDamaged:", byName["y"].Detail, StringComparison.Ordinal);
        Assert.Equal(ReplicaHealth.Critical.ToString(), g.Site.Replica("y").Health);
        results.Clear();

        g.Engine.Failover.FailOver("dc1", planned: false, throttle: 2, g.Site.Quiet, r => { lock (results) { results.Add(r); } }, CancellationToken.None, allowDamagedReplica: true);

        var served = Assert.Single(results);
        Assert.Equal(("y", "FailedOver", "dc2"), (served.VolumeName, served.Action, g.Record("y").Backend));
        Assert.Contains("Served with 1 damaged blocks (64 KiB)", served.Detail, StringComparison.Ordinal);
    }

    /// <summary>Changes bytes of one block on the volume's replica (by default its data block, see <see cref="GroupSite.CreateVolumes"/>), with the replica's times put back.</summary>
    private void DamageReplicaOf(string name, long? block = null) =>
        DamageKeepingTimes(g.Site.ReplicaFile(name), ((block ?? Array.IndexOf(Members, name) + 1) * Block) + 10, new byte[] { 1, 2, 3 });
}
