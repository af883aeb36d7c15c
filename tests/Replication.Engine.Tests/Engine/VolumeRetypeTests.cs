using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>
/// Set-Volume -VolumeType on real files, both ways: plain to replicated makes the replica on the partner and copies it
/// (the volume then promotes with its data), replicated to plain removes the replica and its block map; a type the
/// backend does not meet, a group member and a DR test volume are refused and change nothing.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class VolumeRetypeTests : IDisposable
{
    private readonly EngineSite site = new EngineSite().WithPairAndReplicatedType();

    public VolumeRetypeTests() => site.AddPlainType();

    public void Dispose() => site.Dispose();

    [Fact]
    public void PlainToReplicated_MakesAndCopiesTheReplica_ThenPromotesWithTheData()
    {
        site.CreateVolume("db01", 4 * MiB, PlainType);
        var data = RandomBytes(3 * Block, seed: 7);
        WriteAt(site.PrimaryFile("db01"), MiB, data);

        var retyped = site.Engine.Volumes.Retype("db01", ReplicatedType, site.Quiet);

        Assert.Equal((ReplicatedType, "dc2", "active"), (retyped.VolumeType, retyped.ReplicaBackend, retyped.ReplicationStatus));
        AssertSameBytes(site.PrimaryFile("db01"), site.ReplicaFile("db01"));
        Assert.Equal(("disabled", "copying"), (site.EventsOf("db01").Single(e => e.Operation == "RetypeVolume").FromStatus, site.EventsOf("db01").Single(e => e.Operation == "RetypeVolume").ToStatus));
        site.Promote("db01", planned: false);
        Assert.Equal(data, ReadAt(site.Engine.Volumes.Connection("db01").Path, MiB, data.Length));
    }

    [Fact]
    public void ReplicatedToPlain_RemovesTheReplicaAndItsBlockMap_TheDataStays()
    {
        site.CreateVolume("db01", 4 * MiB);
        var data = RandomBytes(Block, seed: 8);
        WriteAt(site.PrimaryFile("db01"), 0, data);
        site.Sync("db01");
        var replica = site.ReplicaFile("db01");
        var id = site.Record("db01").Id;

        var retyped = site.Engine.Volumes.Retype("db01", PlainType, site.Quiet);

        Assert.Equal((PlainType, null, "disabled"), (retyped.VolumeType, retyped.ReplicaBackend, retyped.ReplicationStatus));
        Assert.False(File.Exists(replica));
        Assert.Equal(data, ReadAt(site.PrimaryFile("db01"), 0, data.Length));
        using (var session = site.Engine.Context.Store.Begin(write: false))
        {
            Assert.Null(session.LoadBlockMap(id));
        }

        Assert.Contains("replica on 'dc2' was removed", site.EventsOf("db01", newest: 1).Single().Message, StringComparison.Ordinal);
        // And back: a replica again, copied from the primary.
        Assert.Equal("active", site.Engine.Volumes.Retype("db01", ReplicatedType, site.Quiet).ReplicationStatus);
        AssertSameBytes(site.PrimaryFile("db01"), site.ReplicaFile("db01"));
    }

    [Fact]
    public void ATypeTheBackendDoesNotMeet_AGroupMember_AndADrTestVolume_AreRefused_AndChangeNothing()
    {
        site.AddPlainType("gold", new Dictionary<string, string> { ["capabilities:tier"] = "gold" });
        site.AddReplicatedType("replicated2");
        site.CreateVolume("plain01", 2 * MiB, PlainType);
        site.CreateVolume("member01", 2 * MiB);
        site.Engine.Groups.Add("app", null, new[] { "member01" });
        site.CreateFromReplica("member01-test", "member01");
        var rows = site.SnapshotDatabase();
        var files = site.SnapshotFolders();

        var unmet = Refused(ErrorIds.VolumeTypeSpecsNotMet, () => site.Engine.Volumes.Retype("plain01", "gold", site.Quiet));
        var member = Refused(ErrorIds.GroupMemberOperation, () => site.Engine.Volumes.Retype("member01", PlainType, site.Quiet));
        var test = Refused(ErrorIds.RetypeNotAllowed, () => site.Engine.Volumes.Retype("member01-test", "replicated2", site.Quiet));

        Assert.Contains("capabilities:tier", unmet.Message, StringComparison.Ordinal);
        Assert.Contains("Remove-ReplicationGroupMember -Group 'app'", member.Message, StringComparison.Ordinal);
        Assert.Contains("never replicated", test.Message, StringComparison.Ordinal);
        Assert.Equal(rows, site.SnapshotDatabase());
        Assert.Equal(files, site.SnapshotFolders());
    }
}
