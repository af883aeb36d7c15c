using System;
using System.IO;
using System.Linq;
using Replication.Engine.Model;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Groups;

/// <summary>
/// A group round or promotion whose process died (the state it leaves is made by running the engine's own steps up to
/// the crash point): before the round's commit no replica moves, after it every replica moves, whichever command comes
/// next; an interrupted promotion is rolled back by Repair or finished by promoting again.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class GroupCrashRecoveryTests : IDisposable
{
    private static readonly string[] Members = { "a", "b", "c" };

    private readonly GroupSite g = new();

    public void Dispose() => g.Dispose();

    /// <summary>Round 1 holds V0; then a and b are written (V1), c is not (quiet, so the crashed round skips it).</summary>
    private (System.Collections.Generic.Dictionary<string, byte[]> V0, System.Collections.Generic.Dictionary<string, byte[]> V1) GroupWrittenSinceRound1()
    {
        g.CreateVolumes(Members);
        g.Engine.Groups.Add(GroupSite.Group, null, Members);
        foreach (var name in Members)
        {
            g.MakeQuiet(name);
        }

        g.SyncGroup();
        var v0 = g.Primaries(Members);
        g.Write("a", 40, 41);
        g.Write("b", 41, 42);
        return (v0, g.Primaries(Members));
    }

    [UnixFact]
    public void KilledBeforeCommit_RepairDiscardsEveryStagedJournal_AndNoReplicaMoves()
    {
        var (v0, _) = GroupWrittenSinceRound1();
        g.StageRoundAndStop(commit: false);
        Assert.Equal(2, g.Journals().Count); // a and b staged; c unchanged
        g.AssertAtCommonRound(v0, 1, allowJournals: true);

        var findings = g.Repair();

        Assert.Contains(findings, f => f.Kind == "InterruptedGroupRound" && f.Target == GroupSite.Group);
        Assert.Equal(2, findings.Count(f => f.Kind == "InterruptedSync"));
        g.AssertAtCommonRound(v0, 1);
        Assert.Equal(1, g.RoundRows()); // the uncommitted round is forgotten
        Assert.Empty(g.Repair());
    }

    [UnixFact]
    public void KilledBeforeCommit_NextGroupSyncDiscardsTheStagedRound_AndRunsItsOwn()
    {
        var (_, _) = GroupWrittenSinceRound1();
        g.StageRoundAndStop(commit: false);
        g.Write("c", 42, 43);

        g.SyncGroup();

        g.AssertAtCommonRound(g.Primaries(Members), 2);
        Assert.Equal(2, g.RoundRows());
        Assert.Empty(g.Repair());
    }

    [UnixFact]
    public void KilledAfterCommit_RepairFinishesTheRound_ForEveryMember_EvenOneThatHadNothingToCopy()
    {
        var (_, v1) = GroupWrittenSinceRound1();
        g.StageRoundAndStop(commit: true);

        var findings = g.Repair();

        Assert.Equal(2, findings.Count(f => f.Kind == "InterruptedSync"));
        g.AssertAtCommonRound(v1, 2);
    }

    [UnixFact]
    public void KilledAfterCommit_NextGroupSyncFinishesTheRound_ThenRunsItsOwn()
    {
        var (_, v1) = GroupWrittenSinceRound1();
        g.StageRoundAndStop(commit: true);
        Assert.Equal(v1["a"].Length, g.Replica("a").Length);

        g.Write("c", 43, 44);
        g.SyncGroup();

        g.AssertAtCommonRound(g.Primaries(Members), 3);
    }

    [UnixFact]
    public void KilledAfterCommit_UnplannedGroupPromotionNext_FinishesTheRoundFirst_AndServesIt()
    {
        var (_, v1) = GroupWrittenSinceRound1();
        g.StageRoundAndStop(commit: true);

        var promoted = g.PromoteGroup(planned: false);

        Assert.Equal(3, promoted.Count);
        foreach (var name in Members)
        {
            Assert.Equal("dc2", g.Record(name).Backend);
            Assert.True(v1[name].AsSpan().SequenceEqual(g.Primary(name)), $"The promoted '{name}' does not serve the committed round.");
        }

        Assert.Empty(g.Journals());
    }

    [UnixFact]
    public void KilledBeforeCommit_UnplannedGroupPromotionNext_ServesThePreviousRound_AndLeavesNoJournalBehind()
    {
        var (v0, _) = GroupWrittenSinceRound1();
        g.StageRoundAndStop(commit: false);

        g.PromoteGroup(planned: false);

        foreach (var name in Members)
        {
            Assert.Equal("dc2", g.Record(name).Backend);
            Assert.True(v0[name].AsSpan().SequenceEqual(g.Primary(name)), $"The promoted '{name}' does not serve round 1.");
        }

        g.EnableGroup();
        g.AssertAtCommonRound(g.Primaries(Members), 2);
        Assert.Empty(g.Journals());
        Assert.DoesNotContain(g.Repair(), f => f.Kind is "InterruptedSync" or "InterruptedGroupRound" or "OrphanFile");
    }

    [UnixFact]
    public void KilledAfterFence_RepairRollsThePromotionBack()
    {
        g.CreateSyncedGroup(Members);
        var v0 = g.Primaries(Members);
        g.FenceAndStop(planned: true);
        Assert.All(Members, n => Assert.True(GroupSite.IsReadOnly(g.Site.PrimaryFile(n))));

        var findings = g.Repair();

        Assert.Equal(3, findings.Count(f => f.Kind == "FencedPrimary"));
        Assert.Single(findings, f => f.Kind == "InterruptedGroupPromotion" && f.Applied);
        Assert.False(g.PromotionIntent());
        foreach (var name in Members)
        {
            var record = g.Record(name);
            Assert.Equal("dc1", record.Backend);
            Assert.Equal(ReplicationStatus.Active, record.ReplicationStatus);
            Assert.False(record.ReplicaFenced);
            Assert.False(GroupSite.IsReadOnly(g.Site.PrimaryFile(name)), $"The primary of '{name}' is still fenced.");
        }

        g.AssertAtCommonRound(v0, 1);
        g.Write("a", 50, 50); // writable again, and the group moves on
        g.SyncGroup();
        g.AssertAtCommonRound(g.Primaries(Members), 2);
        g.Engine.Groups.Remove(GroupSite.Group); // no unfinished promotion in the way
    }

    [UnixFact]
    public void KilledAfterFence_NothingButFinishingOrRollingBackChangesTheGroup()
    {
        g.CreateSyncedGroup(Members);
        g.CreateVolumes("d");
        g.Write("a", 51, 51);
        g.FenceAndStop(planned: false);
        var files = g.Site.SnapshotFolders();

        foreach (var change in new Action[]
                 {
                     () => g.SyncGroup(),
                     () => g.EnableGroup(),
                     () => g.DisableGroup(),
                     () => g.Engine.Groups.AddMembers(GroupSite.Group, new[] { "d" }),
                     () => g.Engine.Groups.RemoveMembers(GroupSite.Group, new[] { "c" }),
                 })
        {
            var error = Refused(Errors.ErrorIds.GroupPromotionUnfinished, change);
            Assert.Contains("Repair-ReplicationState", error.Message);
        }

        Assert.Equal(files, g.Site.SnapshotFolders());
        Assert.True(g.PromotionIntent());
        Assert.Equal(Members, g.Get().Members.OrderBy(n => n));
        g.Repair();
        g.SyncGroup();
        g.AssertAtCommonRound(g.Primaries(Members), 2);
    }

    [UnixTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void KilledAfterFence_PromotingAgainFinishesIt(bool planned)
    {
        g.CreateSyncedGroup(Members);
        var v0 = g.Primaries(Members);
        g.FenceAndStop(planned);

        var promoted = g.PromoteGroup(planned);

        Assert.Equal(3, promoted.Count);
        Assert.False(g.PromotionIntent());
        foreach (var name in Members)
        {
            var record = g.Record(name);
            Assert.Equal("dc2", record.Backend);
            Assert.Equal(ReplicationStatus.Inactive, record.ReplicationStatus);
            Assert.True(record.ReplicaFenced);
            Assert.True(v0[name].AsSpan().SequenceEqual(g.Primary(name)));
            Assert.True(GroupSite.IsReadOnly(g.Site.ReplicaFile(name)), $"The old primary of '{name}' is not fenced.");
        }

        Assert.DoesNotContain(g.Repair(), f => f.Kind is "FencedPrimary" or "InterruptedGroupPromotion");
    }
}
