using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>
/// Cinder v1's guards through the real engine: each volume is brought into its status by real operations, then every
/// guarded operation is tried. A refusal carries its ErrorId, names the rule and the status, and changes nothing.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class GuardTests
{
    private const string Vol = "vol";

    public enum State
    {
        Disabled,
        DisabledOfReplicatedType,
        Copying,
        Active,
        ActiveStopped,
        Inactive,
        Error,
    }

    public enum Operation
    {
        Promote,
        Enable,
        Pause,
        Sync,
        CloneFromReplica,
    }

    private static readonly Dictionary<State, string> Cinder = new()
    {
        [State.Disabled] = "disabled",
        [State.DisabledOfReplicatedType] = "disabled",
        [State.Copying] = "copying",
        [State.Active] = "active",
        [State.ActiveStopped] = "active-stopped",
        [State.Inactive] = "inactive",
        [State.Error] = "error",
    };

    /// <summary>null = allowed.</summary>
    public static TheoryData<State, Operation, string?> Matrix => new()
    {
        // Promotion only from active or active-stopped.
        { State.Disabled, Operation.Promote, ErrorIds.PromotionNotAllowed },
        { State.DisabledOfReplicatedType, Operation.Promote, ErrorIds.PromotionNotAllowed },
        { State.Copying, Operation.Promote, ErrorIds.PromotionNotAllowed },
        { State.Active, Operation.Promote, null },
        { State.ActiveStopped, Operation.Promote, null },
        { State.Inactive, Operation.Promote, ErrorIds.PromotionNotAllowed },
        { State.Error, Operation.Promote, ErrorIds.PromotionNotAllowed },

        // Re-enable only from inactive, active-stopped or error, or disabled when the type replicates.
        { State.Disabled, Operation.Enable, ErrorIds.ReenableNotAllowed },
        { State.DisabledOfReplicatedType, Operation.Enable, ErrorIds.ReenableNotAllowed },
        { State.Copying, Operation.Enable, null },
        { State.Active, Operation.Enable, ErrorIds.ReenableNotAllowed },
        { State.ActiveStopped, Operation.Enable, null },
        { State.Inactive, Operation.Enable, null },
        { State.Error, Operation.Enable, null },

        // Pause only from active.
        { State.Disabled, Operation.Pause, ErrorIds.PauseNotAllowed },
        { State.DisabledOfReplicatedType, Operation.Pause, ErrorIds.PauseNotAllowed },
        { State.Copying, Operation.Pause, ErrorIds.PauseNotAllowed },
        { State.Active, Operation.Pause, null },
        { State.ActiveStopped, Operation.Pause, ErrorIds.PauseNotAllowed },
        { State.Inactive, Operation.Pause, ErrorIds.PauseNotAllowed },
        { State.Error, Operation.Pause, ErrorIds.PauseNotAllowed },

        // Sync only from copying or active.
        { State.Disabled, Operation.Sync, ErrorIds.SyncNotAllowed },
        { State.DisabledOfReplicatedType, Operation.Sync, ErrorIds.SyncNotAllowed },
        { State.Copying, Operation.Sync, null },
        { State.Active, Operation.Sync, null },
        { State.ActiveStopped, Operation.Sync, ErrorIds.SyncNotAllowed },
        { State.Inactive, Operation.Sync, ErrorIds.SyncNotAllowed },
        { State.Error, Operation.Sync, ErrorIds.SyncNotAllowed },

        // A test volume from a replica only from active or active-stopped.
        { State.Disabled, Operation.CloneFromReplica, ErrorIds.CloneFromReplicaNotAllowed },
        { State.DisabledOfReplicatedType, Operation.CloneFromReplica, ErrorIds.CloneFromReplicaNotAllowed },
        { State.Copying, Operation.CloneFromReplica, ErrorIds.CloneFromReplicaNotAllowed },
        { State.Active, Operation.CloneFromReplica, null },
        { State.ActiveStopped, Operation.CloneFromReplica, null },
        { State.Inactive, Operation.CloneFromReplica, ErrorIds.CloneFromReplicaNotAllowed },
        { State.Error, Operation.CloneFromReplica, ErrorIds.CloneFromReplicaNotAllowed },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Guard(State state, Operation operation, string? refusedWith)
    {
        using var site = new EngineSite();
        Arrange(site, state);
        Assert.Equal(Cinder[state], site.Replica(Vol).Status);

        if (refusedWith is null)
        {
            var eventsBefore = site.EventsOf(Vol).Count;

            var after = Run(site, operation);

            Assert.Equal(ExpectedAfter(operation), after);
            if (operation != Operation.CloneFromReplica)
            {
                // Every status change is recorded: the first new event leaves the old status, the last reaches the new one.
                var added = site.EventsOf(Vol).Skip(eventsBefore).ToList();
                Assert.NotEmpty(added);
                Assert.Equal(Cinder[state], added[0].FromStatus);
                Assert.Equal(after.ToCinder(), added[^1].ToStatus);
            }
            else
            {
                Assert.Equal("disabled", site.EventsOf("test-clone", newest: 1).Single().ToStatus);
            }

            return;
        }

        var rows = site.SnapshotDatabase();
        var files = site.SnapshotFolders();

        var error = Refused(refusedWith, () => Run(site, operation));

        Assert.Equal(ErrorKind.InvalidOperation, error.Kind);
        Assert.StartsWith("Rule: ", error.Message);
        Assert.Contains($"'{Vol}' is {Cinder[state]}.", error.Message);
        Assert.Equal(rows, site.SnapshotDatabase());
        Assert.Equal(files, site.SnapshotFolders());
    }

    [Theory]
    [InlineData(Operation.Promote)]
    [InlineData(Operation.Enable)]
    [InlineData(Operation.Sync)]
    [InlineData(Operation.CloneFromReplica)]
    public void Guard_VolumeNotAvailable_WhileADeleteIsUnfinished(Operation operation)
    {
        using var site = new EngineSite().WithPairAndReplicatedType();
        site.CreateVolume(Vol, 4 * MiB);
        var away = site.FolderOf("dc2") + ".away";
        Directory.Move(site.FolderOf("dc2"), away);
        Refused(ErrorIds.VolumeFileFault, () => site.Engine.Volumes.Delete(Vol, site.Quiet));
        Directory.Move(away, site.FolderOf("dc2"));
        Assert.Equal(VolumeStatus.Deleting.ToString(), site.Engine.Volumes.Get(Vol).Status);
        var rows = site.SnapshotDatabase();
        var files = site.SnapshotFolders();

        var error = Refused(ErrorIds.VolumeNotAvailable, () => Run(site, operation));

        Assert.StartsWith("Rule: ", error.Message);
        Assert.Contains("needs the volume to be available", error.Message);
        Assert.Equal(rows, site.SnapshotDatabase());
        Assert.Equal(files, site.SnapshotFolders());

        // The next delete finishes what the first one began.
        site.Engine.Volumes.Delete(Vol, site.Quiet);
        Assert.Empty(site.Engine.Volumes.List(global::Replication.Engine.State.VolumeQuery.All));
    }

    [Fact]
    public void RemoveVolumeType_WhileVolumesUseIt_IsRefusedAndChangesNothing()
    {
        using var site = new EngineSite().WithPairAndReplicatedType();
        site.CreateVolume("db01", 4 * MiB);
        var rows = site.SnapshotDatabase();

        var error = Refused(ErrorIds.VolumeTypeInUse, () => site.Engine.VolumeTypes.Remove(ReplicatedType));

        Assert.Contains("db01", error.Message);
        Assert.Equal(rows, site.SnapshotDatabase());
        Assert.Equal(ReplicatedType, site.Engine.VolumeTypes.Get(ReplicatedType).Name);

        site.Engine.Volumes.Delete("db01", site.Quiet);
        site.Engine.VolumeTypes.Remove(ReplicatedType);
        Refused(ErrorIds.VolumeTypeNotFound, () => site.Engine.VolumeTypes.Get(ReplicatedType));
    }

    [Theory]
    [InlineData("dc1")] // holds the primary
    [InlineData("dc2")] // holds only the replica
    [InlineData("DC2")] // names are case-insensitive
    public void RemoveBackend_WhileVolumesUseIt_IsRefusedAndChangesNothing(string backend)
    {
        using var site = new EngineSite().WithPairAndReplicatedType();
        site.CreateVolume("db01", 4 * MiB);
        var rows = site.SnapshotDatabase();
        var files = site.SnapshotFolders();

        var error = Refused(ErrorIds.BackendInUse, () => site.Engine.Backends.Remove(backend));

        Assert.Contains("db01", error.Message);
        Assert.Equal(rows, site.SnapshotDatabase());
        Assert.Equal(files, site.SnapshotFolders());

        site.Engine.Volumes.Delete("db01", site.Quiet);
        site.Engine.Backends.Remove(backend);
        Refused(ErrorIds.BackendNotFound, () => site.Engine.Backends.Get(backend));
    }

    [Fact]
    public void RemoveBackend_HoldingATestVolumeCloneOnly_IsRefused()
    {
        using var site = new EngineSite().WithPairAndReplicatedType();
        site.CreateVolume("db01", 4 * MiB);
        site.CreateFromReplica("db01-test", "db01");
        site.Engine.Volumes.Delete("db01", site.Quiet);

        var error = Refused(ErrorIds.BackendInUse, () => site.Engine.Backends.Remove("dc2"));

        Assert.Contains("db01-test", error.Message);
    }

    private static void Arrange(EngineSite site, State state)
    {
        site.WithPairAndReplicatedType();
        site.AddPlainType();
        switch (state)
        {
            case State.Disabled:
                site.CreateVolume(Vol, 4 * MiB, PlainType);
                break;
            case State.DisabledOfReplicatedType:
                site.CreateVolume("source", 4 * MiB);
                site.CreateFromReplica(Vol, "source");
                break;
            case State.Copying:
                // Re-enabling after a promotion moves to copying first; with the new primary unreadable the round
                // fails on the primary's side, which leaves the replica's status as it was: copying.
                site.CreateVolume(Vol, 4 * MiB);
                site.Promote(Vol, planned: false);
                var primary = site.PrimaryFile(Vol);
                File.Move(primary, primary + ".away");
                Refused(ErrorIds.PrimaryUnreadable, () => site.Enable(Vol));
                File.Move(primary + ".away", primary);
                break;
            case State.Active:
                site.CreateVolume(Vol, 4 * MiB);
                break;
            case State.ActiveStopped:
                site.CreateVolume(Vol, 4 * MiB);
                site.Disable(Vol);
                break;
            case State.Inactive:
                site.CreateVolume(Vol, 4 * MiB);
                site.Promote(Vol, planned: true);
                break;
            case State.Error:
                site.CreateVolume(Vol, 4 * MiB);
                File.Delete(site.ReplicaFile(Vol));
                Refused(ErrorIds.ReplicaUnwritable, () => site.Sync(Vol));
                break;
        }
    }

    private static ReplicationStatus Run(EngineSite site, Operation operation) => operation switch
    {
        Operation.Promote => ReplicationStatusText.FromCinder(site.Promote(Vol, planned: false).Status),
        Operation.Enable => ReplicationStatusText.FromCinder(site.Enable(Vol).Status),
        Operation.Pause => ReplicationStatusText.FromCinder(site.Disable(Vol).Status),
        Operation.Sync => ReplicationStatusText.FromCinder(site.Sync(Vol).Status),
        Operation.CloneFromReplica => ReplicationStatusText.FromCinder(site.CreateFromReplica("test-clone", Vol).ReplicationStatus),
        _ => throw new ArgumentOutOfRangeException(nameof(operation)),
    };

    private static ReplicationStatus ExpectedAfter(Operation operation) => operation switch
    {
        Operation.Promote => ReplicationStatus.Inactive,
        Operation.Enable => ReplicationStatus.Active,
        Operation.Pause => ReplicationStatus.ActiveStopped,
        Operation.Sync => ReplicationStatus.Active,
        Operation.CloneFromReplica => ReplicationStatus.Disabled,
        _ => throw new ArgumentOutOfRangeException(nameof(operation)),
    };
}
