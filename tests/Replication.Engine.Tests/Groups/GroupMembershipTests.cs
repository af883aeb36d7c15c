using System;
using System.IO;
using System.Linq;
using System.Threading;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Groups;

/// <summary>Who may join a group: replicated, non-test, available volumes between the same two backends, each in one group at most.</summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class GroupMembershipTests : IDisposable
{
    private readonly GroupSite g = new();

    public void Dispose() => g.Dispose();

    private const string Rule = "Rule: a group's members are replicated volumes between the same two backends, each in one group.";

    [UnixFact]
    public void NewGroup_ListsItsMembersAndBackends_AndHasNoRoundYet()
    {
        g.CreateVolumes("a", "b");

        var group = g.Engine.Groups.Add(GroupSite.Group, "the app", new[] { "a", "b" });

        Assert.Equal(new[] { "a", "b" }, group.Members.OrderBy(m => m));
        Assert.Equal("dc1", group.PrimaryBackend);
        Assert.Equal("dc2", group.ReplicaBackend);
        Assert.Null(group.LastRound);
        Assert.False(group.Consistent);
        Assert.Equal("the app", group.Description);
        Assert.Equal(GroupSite.Group, g.Record("a").GroupName);
        Assert.Null(g.Record("a").GroupRound);
        Assert.Single(g.Engine.Groups.List());
    }

    [UnixFact]
    public void PlainVolume_IsRefused_WithTheRule_AndTheGroupIsNotCreatedEither()
    {
        g.CreateVolumes("a");
        g.Site.AddPlainType();
        g.Site.CreateVolume("scratch", GroupSite.Size, PlainType);

        var error = Refused(ErrorIds.GroupMembershipRefused, () => g.Engine.Groups.Add(GroupSite.Group, null, new[] { "a", "scratch" }));

        Assert.Contains(Rule, error.Message);
        Assert.Contains("'scratch'", error.Message);
        Assert.Contains("it is not replicated", error.Message);
        Assert.Empty(g.Engine.Groups.List());
        Assert.Null(g.Record("a").GroupName); // one transaction: 'a' did not join a group that was never made
    }

    [UnixFact]
    public void TestVolume_IsRefused()
    {
        g.CreateVolumes("a");
        g.Site.CreateFromReplica("a-test", "a");
        g.Engine.Groups.Add(GroupSite.Group, null, new[] { "a" });

        var error = Refused(ErrorIds.GroupMembershipRefused, () => g.Engine.Groups.AddMembers(GroupSite.Group, new[] { "a-test" }));

        Assert.Contains(Rule, error.Message);
        Assert.Contains("test volume", error.Message);
        Assert.Null(g.Record("a-test").GroupName);
    }

    [UnixFact]
    public void UnavailableVolume_IsRefused()
    {
        g.CreateVolumes("a", "b");
        using (var session = g.Engine.Context.Store.Begin(write: true))
        {
            session.UpdateVolume(session.FindVolume("b")! with { Status = VolumeStatus.Deleting });
            session.Commit();
        }

        var error = Refused(ErrorIds.GroupMembershipRefused, () => g.Engine.Groups.Add(GroupSite.Group, null, new[] { "a", "b" }));

        Assert.Contains(Rule, error.Message);
        Assert.Contains("it is deleting", error.Message);
    }

    [UnixFact]
    public void VolumeReplicatingTheOtherWay_IsRefused_NamingBothDirections()
    {
        g.CreateVolumes("a", "x");
        g.Site.Promote("x", planned: true);
        g.Site.Enable("x"); // x now replicates dc2 -> dc1
        g.Engine.Groups.Add(GroupSite.Group, null, new[] { "a" });

        var error = Refused(ErrorIds.GroupMembershipRefused, () => g.Engine.Groups.AddMembers(GroupSite.Group, new[] { "x" }));

        Assert.Contains(Rule, error.Message);
        Assert.Contains("'dc2' -> 'dc1'", error.Message);
        Assert.Contains("'dc1' -> 'dc2'", error.Message);
        Assert.Null(g.Record("x").GroupName);
    }

    [UnixFact]
    public void VolumesOfDifferentDirections_CannotFoundAGroupTogether()
    {
        g.CreateVolumes("a", "x");
        g.Site.Promote("x", planned: true);
        g.Site.Enable("x");

        Refused(ErrorIds.GroupMembershipRefused, () => g.Engine.Groups.Add(GroupSite.Group, null, new[] { "x", "a" }));

        Assert.Empty(g.Engine.Groups.List());
    }

    [UnixFact]
    public void AVolumeBelongsToOneGroupAtMost()
    {
        g.CreateVolumes("a", "b");
        g.Engine.Groups.Add(GroupSite.Group, null, new[] { "a" });

        var error = Refused(ErrorIds.GroupMembershipRefused, () => g.Engine.Groups.Add("other", null, new[] { "b", "a" }));

        Assert.Contains($"it already belongs to group '{GroupSite.Group}'", error.Message);
        Assert.Equal(GroupSite.Group, g.Record("a").GroupName);
        Assert.Null(g.Record("b").GroupName);
        Assert.Throws<ReplicationException>(() => g.Engine.Groups.Get("other"));
        // Adding a member again to its own group changes nothing.
        Assert.Equal(new[] { "a" }, g.Engine.Groups.AddMembers(GroupSite.Group, new[] { "a" }).Members);
    }

    [UnixFact]
    public void DuplicateAndUnknownNames_AreRefused()
    {
        g.CreateVolumes("a");
        g.Engine.Groups.Add(GroupSite.Group, null, Array.Empty<string>());

        Refused(ErrorIds.GroupExists, () => g.Engine.Groups.Add(GroupSite.Group.ToUpperInvariant(), null, Array.Empty<string>()));
        Refused(ErrorIds.GroupNotFound, () => g.Engine.Groups.AddMembers("nope", new[] { "a" }));
        Refused(ErrorIds.VolumeNotFound, () => g.Engine.Groups.AddMembers(GroupSite.Group, new[] { "nope" }));
        Refused(ErrorIds.GroupNotFound, () => g.Engine.Groups.Remove("nope"));
    }

    [UnixFact]
    public void EmptyGroup_HasNoRound_AndASyncSaysSo()
    {
        g.Engine.Groups.Add(GroupSite.Group, null, Array.Empty<string>());

        var error = Refused(ErrorIds.GroupNotConsistent, () => g.SyncGroup());

        Assert.Contains("no members", error.Message);
        Assert.False(g.Get().Consistent);
    }

    [UnixFact]
    public void RemovedMember_IsOnItsOwnAgain_AndTheRestStayConsistent()
    {
        g.CreateSyncedGroup("a", "b", "c");

        var group = g.Engine.Groups.RemoveMembers(GroupSite.Group, new[] { "b" });

        Assert.Equal(new[] { "a", "c" }, group.Members.OrderBy(m => m));
        Assert.True(group.Consistent);
        Assert.Null(g.Record("b").GroupName);
        Assert.Null(g.Record("b").GroupRound);
        g.Write("b", 9, 9);
        g.Site.Sync("b"); // individual operations are allowed again
        AssertSameBytes(g.Site.PrimaryFile("b"), g.Site.ReplicaFile("b"));
        Refused(ErrorIds.GroupMembershipRefused, () => g.Engine.Groups.RemoveMembers(GroupSite.Group, new[] { "b" }));
    }

    [UnixFact]
    public void NewMember_LeavesTheGroupInconsistent_UntilTheNextGroupRound()
    {
        g.CreateSyncedGroup("a", "b");
        g.CreateVolumes("c");

        var group = g.Engine.Groups.AddMembers(GroupSite.Group, new[] { "c" });

        Assert.False(group.Consistent);
        Assert.Equal(1, group.LastRound);
        var synced = g.SyncGroup();
        Assert.Equal(3, synced.Count);
        g.AssertAtCommonRound(g.Primaries("a", "b", "c"), 2);
    }

    [UnixFact]
    public void RemovedGroup_KeepsItsVolumesAndTheirData()
    {
        g.CreateSyncedGroup("a", "b");
        var files = g.Site.SnapshotFolders();

        g.Engine.Groups.Remove(GroupSite.Group);

        Refused(ErrorIds.GroupNotFound, () => g.Get());
        Assert.Equal(files, g.Site.SnapshotFolders());
        foreach (var name in new[] { "a", "b" })
        {
            var record = g.Record(name);
            Assert.Null(record.GroupName);
            Assert.Null(record.GroupRound);
            Assert.Equal(ReplicationStatus.Active, record.ReplicationStatus);
            g.Site.Sync(name);
            AssertSameBytes(g.Site.PrimaryFile(name), g.Site.ReplicaFile(name));
        }
    }

    [UnixFact]
    public void GroupMadeAgainUnderARemovedGroupsName_StartsWithoutRounds()
    {
        g.CreateSyncedGroup("a", "b");
        g.SyncGroup();
        g.Engine.Groups.Remove(GroupSite.Group);

        var fresh = g.Engine.Groups.Add(GroupSite.Group, null, new[] { "a", "b" });

        // The removed group's rounds are not this group's: it has had none, and says so.
        Assert.Null(fresh.LastRound);
        Assert.Null(fresh.LastRoundDataTimestamp);
        Assert.Equal(0, g.RoundRows());
        var error = Refused(ErrorIds.GroupNotConsistent, () => g.PromoteGroup(planned: false));
        Assert.Contains("no group round", error.Message);
    }

    [UnixFact]
    public void GroupWithAnUnfinishedPromotion_CannotBeRemoved()
    {
        g.CreateSyncedGroup("a", "b");
        g.FenceAndStop(planned: false);

        var error = Refused(ErrorIds.GroupPromotionUnfinished, () => g.Engine.Groups.Remove(GroupSite.Group));

        Assert.Contains("Invoke-ReplicaPromotion -Group 'app' again", error.Message);
        Assert.Contains("Repair-ReplicationState", error.Message);
        Assert.Equal(GroupSite.Group, g.Record("a").GroupName);
    }

    [UnixFact]
    public void EveryIndividualOperationOnAMember_IsRefused_NamingTheGroup()
    {
        g.CreateSyncedGroup("a", "b");
        g.Write("a", 7, 7);
        var files = g.Site.SnapshotFolders();

        foreach (var (what, action) in new (string, Action)[]
                 {
                     ("Sync-VolumeReplica", () => g.Site.Sync("a")),
                     ("Invoke-ReplicaPromotion", () => g.Site.Promote("a", planned: true)),
                     ("Invoke-ReplicaPromotion", () => g.Site.Promote("a", planned: false)),
                     ("Enable-Replication", () => g.Site.Enable("a")),
                     ("Disable-Replication", () => g.Site.Disable("a")),
                 })
        {
            var error = Refused(ErrorIds.GroupMemberOperation, action);
            Assert.Contains($"-Group '{GroupSite.Group}'", error.Message);
            Assert.Contains(what, error.Message);
        }

        Assert.Equal(files, g.Site.SnapshotFolders());
        Assert.Equal(ReplicationStatus.Active, g.Record("a").ReplicationStatus);
        Assert.Equal("dc1", g.Record("a").Backend);
    }
}
