using System;
using System.IO;
using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Groups;

/// <summary>A group promotion is all or nothing, from a common round; re-enable reverses every member and ends at a common round again.</summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class GroupPromotionTests : IDisposable
{
    private static readonly string[] Members = { "a", "b", "c" };

    private readonly GroupSite g = new();

    public void Dispose() => g.Dispose();

    [UnixFact]
    public void PlannedPromotion_ServesEveryMemberFromThePartner_WithNothingLost()
    {
        g.CreateSyncedGroup(Members);
        g.Write("a", 60, 60);
        g.Write("c", 61, 61); // written after round 1: the final group round takes them
        var latest = g.Primaries(Members);
        var oldPrimaries = Members.ToDictionary(n => n, n => g.Site.PrimaryFile(n));

        var results = g.PromoteGroup(planned: true);

        Assert.Equal(Members, results.Select(r => r.VolumeName).OrderBy(n => n));
        Assert.All(results, r =>
        {
            Assert.Equal("dc2", r.PrimaryBackend);
            Assert.Equal("dc1", r.FencedBackend);
            Assert.True(r.Planned);
            Assert.Equal(TimeSpan.Zero, r.DataLossWindow);
            Assert.True(r.FencedOnDisk);
        });
        foreach (var name in Members)
        {
            var record = g.Record(name);
            Assert.Equal("dc2", record.Backend);
            Assert.Equal("dc1", record.ReplicaBackend);
            Assert.Equal(ReplicationStatus.Inactive, record.ReplicationStatus);
            Assert.True(record.ReplicaFenced);
            Assert.True(latest[name].AsSpan().SequenceEqual(g.Primary(name)), $"'{name}' lost data in the planned promotion.");
            Assert.True(GroupSite.IsReadOnly(oldPrimaries[name]), $"The old primary of '{name}' is not fenced.");
        }

        Assert.False(g.PromotionIntent());
        var group = g.Get();
        Assert.Equal("dc2", group.PrimaryBackend);
        Assert.Equal("inactive: 3", group.MemberStatus);
        Assert.Equal(2, group.LastRound); // the final round
    }

    [UnixFact]
    public void UnplannedPromotion_ServesTheLastCommonRound_ForEveryMember()
    {
        g.CreateSyncedGroup(Members);
        var round1 = g.Primaries(Members);
        var dataAsOf = g.Get().LastRoundDataTimestamp;
        g.Write("b", 62, 62); // lost: after the round
        g.Site.Clock.Advance(TimeSpan.FromMinutes(3));

        var results = g.PromoteGroup(planned: false);

        Assert.All(results, r =>
        {
            Assert.Equal(dataAsOf, r.DataTimestamp);
            Assert.Equal(g.Site.Clock.Now - dataAsOf!.Value, r.DataLossWindow);
        });
        foreach (var name in Members)
        {
            Assert.True(round1[name].AsSpan().SequenceEqual(g.Primary(name)), $"The promoted '{name}' does not serve round 1.");
        }
    }

    [UnixFact]
    public void UnplannedPromotionWithoutACommonRound_IsRefused_AndNothingIsFenced()
    {
        g.CreateVolumes(Members);
        g.Engine.Groups.Add(GroupSite.Group, null, Members);
        var files = g.Site.SnapshotFolders();

        var error = Refused(ErrorIds.GroupNotConsistent, () => g.PromoteGroup(planned: false));

        Assert.Contains("no group round", error.Message);
        Assert.Equal(files, g.Site.SnapshotFolders());
        Assert.All(Members, n => Assert.Equal("dc1", g.Record(n).Backend));
        Assert.All(Members, n => Assert.Equal(ReplicationStatus.Active, g.Record(n).ReplicationStatus));
        Assert.False(g.PromotionIntent());
    }

    [UnixFact]
    public void UnplannedPromotionWithAMemberOffTheRound_IsRefused_NamingIt()
    {
        g.CreateSyncedGroup("a", "b");
        g.CreateVolumes("c");
        g.Engine.Groups.AddMembers(GroupSite.Group, new[] { "c" });
        var files = g.Site.SnapshotFolders();

        var error = Refused(ErrorIds.GroupNotConsistent, () => g.PromoteGroup(planned: false));

        Assert.Contains("Members c ", error.Message);
        Assert.Equal(files, g.Site.SnapshotFolders());
        Assert.False(g.PromotionIntent());
    }

    [UnixFact]
    public void PromotionRefusedForOneMember_FencesNoneOfThem()
    {
        g.CreateSyncedGroup(Members);
        File.Delete(g.Site.ReplicaFile("c")); // the last member in name order: a and b come first

        var error = Assert.Throws<ReplicationException>(() => g.PromoteGroup(planned: false));

        Assert.Equal(ErrorIds.VolumeFileFault, error.ErrorId);
        foreach (var name in Members)
        {
            Assert.Equal("dc1", g.Record(name).Backend);
            Assert.False(GroupSite.IsReadOnly(g.Site.PrimaryFile(name)), $"The primary of '{name}' was left fenced by a group promotion that promoted nothing.");
        }

        Assert.False(g.PromotionIntent(), "The refused promotion left its intent behind.");
    }

    [UnixFact]
    public void ReenableAfterPromotion_ReversesEveryMember_AndEndsAtACommonRound()
    {
        g.CreateSyncedGroup(Members);
        g.PromoteGroup(planned: true);
        g.Write("a", 63, 63); // written on the new primaries (dc2)
        g.Write("b", 0, 64);

        var results = g.EnableGroup();

        Assert.Equal(Members, results.Select(r => r.VolumeName).OrderBy(n => n));
        foreach (var name in Members)
        {
            var record = g.Record(name);
            Assert.Equal("dc2", record.Backend);
            Assert.Equal("dc1", record.ReplicaBackend);
            Assert.False(record.ReplicaFenced);
            Assert.False(GroupSite.IsReadOnly(g.Site.ReplicaFile(name)));
        }

        var group = g.Get();
        Assert.Equal("dc2", group.PrimaryBackend);
        Assert.Equal("dc1", group.ReplicaBackend);
        g.AssertAtCommonRound(g.Primaries(Members), group.LastRound!.Value);
        Assert.Equal(3, group.LastRound); // round 1, the planned promotion's final round, the re-enable's round

        // And back: the reversed group is promoted as a unit again.
        g.PromoteGroup(planned: true);
        g.EnableGroup();
        Assert.All(Members, n => Assert.Equal("dc1", g.Record(n).Backend));
        g.AssertAtCommonRound(g.Primaries(Members), g.Get().LastRound!.Value);
    }

    [UnixFact]
    public void PauseAndResume_KeepTheReplicasAtTheirCommonRound()
    {
        g.CreateSyncedGroup(Members);
        var round1 = g.Primaries(Members);

        g.DisableGroup();

        foreach (var name in Members)
        {
            var record = g.Record(name);
            Assert.Equal(ReplicationStatus.ActiveStopped, record.ReplicationStatus);
            Assert.Contains("group round 1", record.ReplicationExtendedStatus);
        }

        Assert.True(g.Get().Consistent);
        g.Write("a", 3, 70);
        g.Write("c", 4, 71);
        g.AssertAtCommonRound(round1, 1);

        g.EnableGroup();

        Assert.All(Members, n => Assert.Equal(ReplicationStatus.Active, g.Record(n).ReplicationStatus));
        g.AssertAtCommonRound(g.Primaries(Members), 2);
    }

    [UnixFact]
    public void GroupSyncOfAPausedGroup_IsRefused_AndTheReplicasStayAtTheirCommonRound()
    {
        g.CreateSyncedGroup(Members);
        var round1 = g.Primaries(Members);
        g.DisableGroup();
        g.Write("a", 5, 72);

        // A paused volume on its own is never synced (SyncNotAllowed); a paused group must not be either.
        Assert.Throws<ReplicationException>(() => g.SyncGroup());

        Assert.All(Members, n => Assert.Equal(ReplicationStatus.ActiveStopped, g.Record(n).ReplicationStatus));
        g.AssertAtCommonRound(round1, 1);
    }

    [UnixFact]
    public void PauseRefusedForOneMember_PausesNone()
    {
        g.CreateSyncedGroup(Members);
        File.Delete(g.Site.ReplicaFile("b"));
        g.Repair(); // b: error

        Refused(ErrorIds.PauseNotAllowed, () => g.DisableGroup());

        Assert.Equal(ReplicationStatus.Active, g.Record("a").ReplicationStatus);
        Assert.Equal(ReplicationStatus.Active, g.Record("c").ReplicationStatus);
    }

    [UnixFact]
    public void ReenableAfterAReplicaFault_RecopiesIt_AndTheGroupIsConsistentAgain()
    {
        g.CreateSyncedGroup(Members);
        File.Delete(g.Site.ReplicaFile("b"));
        g.Repair();
        Assert.False(g.Get().Consistent);
        g.Write("c", 6, 73);

        g.EnableGroup();

        g.AssertAtCommonRound(g.Primaries(Members), 2);
    }
}
