using System;
using System.IO;
using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>
/// New-Volume -SourceVolume on real files: the clone holds the source's bytes as they were when it was made, lives on
/// the source's backend, and in a replicated type gets its replica as any new volume does (consistent at once), so it
/// syncs and promotes; it is not a DR test volume (-SourceReplica), which is never replicated.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class VolumeCloneTests : IDisposable
{
    private readonly EngineSite site = new EngineSite().WithPairAndReplicatedType();

    public void Dispose() => site.Dispose();

    [Fact]
    public void AClone_EqualsItsSourceAtCloneTime_ReplicatesAndPromotes()
    {
        site.CreateVolume("db01", 4 * MiB);
        WriteAt(site.PrimaryFile("db01"), 0, RandomBytes(2 * Block, seed: 1));
        WriteAt(site.PrimaryFile("db01"), 3 * MiB, RandomBytes(Block, seed: 2));
        var atCloneTime = ReadAll(site.PrimaryFile("db01"));

        var clone = site.Engine.Volumes.CreateFromVolume("db01-copy", "db01", site.Quiet);
        WriteAt(site.PrimaryFile("db01"), 0, RandomBytes(Block, seed: 3));

        Assert.Equal(("dc1", "dc2", "active", 4 * MiB), (clone.Backend, clone.ReplicaBackend, clone.ReplicationStatus, clone.SizeBytes));
        Assert.Null(clone.SourceReplica);
        Assert.Equal(atCloneTime, ReadAll(site.PrimaryFile("db01-copy")));
        AssertSameBytes(site.PrimaryFile("db01-copy"), site.ReplicaFile("db01-copy"));
        Assert.Equal("CreateVolume", site.EventsOf("db01-copy", newest: 1).Single().Operation);

        var written = RandomBytes(Block, seed: 4);
        WriteAt(site.PrimaryFile("db01-copy"), 2 * MiB, written);
        Assert.Equal(Block, site.Sync("db01-copy").BytesWritten);
        site.Promote("db01-copy", planned: false);

        var served = site.Engine.Volumes.Connection("db01-copy").Path;
        Assert.StartsWith(site.FolderOf("dc2"), served, StringComparison.Ordinal);
        Assert.Equal(atCloneTime.AsSpan(0, 2 * (int)MiB).ToArray(), ReadAt(served, 0, 2 * (int)MiB));
        Assert.Equal(written, ReadAt(served, 2 * MiB, Block));
    }

    [Fact]
    public void AClone_OfAPlainVolume_IsPlainOnTheSameBackend_AndOfAPromotedVolume_CopiesTheServedCopy()
    {
        site.AddPlainType();
        site.CreateVolume("scratch01", 2 * MiB, PlainType);
        WriteAt(site.PrimaryFile("scratch01"), Block, RandomBytes(Block, seed: 5));
        site.CreateVolume("db01", 2 * MiB);
        site.Promote("db01", planned: true);
        WriteAt(site.PrimaryFile("db01"), 0, RandomBytes(Block, seed: 6));

        var plain = site.Engine.Volumes.CreateFromVolume("scratch02", "scratch01", site.Quiet);
        var fromPromoted = site.Engine.Volumes.CreateFromVolume("db02", "db01", site.Quiet);

        Assert.Equal(("dc1", null, "disabled"), (plain.Backend, plain.ReplicaBackend, plain.ReplicationStatus));
        AssertSameBytes(site.PrimaryFile("scratch01"), site.PrimaryFile("scratch02"));
        // db01 is served from dc2 now; its clone lives there, with its replica on dc2's partner.
        Assert.Equal(("dc2", "dc1", "active"), (fromPromoted.Backend, fromPromoted.ReplicaBackend, fromPromoted.ReplicationStatus));
        AssertSameBytes(site.PrimaryFile("db01"), site.PrimaryFile("db02"));
        AssertSameBytes(site.PrimaryFile("db02"), site.ReplicaFile("db02"));
    }

    [Fact]
    public void ATakenName_OrAMissingSource_IsRefused_AndMakesNothing()
    {
        site.CreateVolume("db01", 2 * MiB);
        site.CreateVolume("db02", 2 * MiB);
        var rows = site.SnapshotDatabase("events");
        var files = site.SnapshotFolders();

        Refused(ErrorIds.VolumeExists, () => site.Engine.Volumes.CreateFromVolume("db02", "db01", site.Quiet));
        Refused(ErrorIds.VolumeNotFound, () => site.Engine.Volumes.CreateFromVolume("db03", "nosuch", site.Quiet));

        Assert.Equal(rows, site.SnapshotDatabase("events"));
        Assert.Equal(files, site.SnapshotFolders());
    }

    [Fact]
    public void AFailedClone_IsRolledBack_LeavingNoFileAndNoRow()
    {
        site.CreateVolume("db01", 2 * MiB);
        var files = site.SnapshotFolders();
        // The partner's folder gone: the clone is made on dc1, then its replica cannot be.
        var away = site.FolderOf("dc2") + ".away";
        Directory.Move(site.FolderOf("dc2"), away);

        Assert.Throws<ReplicationException>(() => site.Engine.Volumes.CreateFromVolume("db01-copy", "db01", site.Quiet));

        Directory.Move(away, site.FolderOf("dc2"));
        Assert.DoesNotContain(site.Engine.Volumes.List(global::Replication.Engine.State.VolumeQuery.All), v => v.Name == "db01-copy");
        Assert.Equal(files, site.SnapshotFolders());
        Assert.Contains(site.EventsOf("db01-copy"), e => e.Operation == "CreateVolumeFailed");
    }
}
