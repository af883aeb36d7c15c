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
/// The operation guards through the real engine, as GuardTests does for the replication verbs: each volume is brought
/// into its status by real operations, then grown, cloned and moved to another pair. An allowed grow serves the new size
/// on every copy it has; an allowed clone holds the source's primary bytes; an allowed move holds them on its new backend
/// (and its replica, when it has one, holds them too) and leaves nothing on the old; a refusal carries its ErrorId, names
/// the rule and the status, and changes nothing.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class OperationGuardMatrixTests
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
        Extend,
        CloneFrom,
        Migrate,
        Snapshot,
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
        // A grow needs settled copies: disabled, active or active-stopped.
        { State.Disabled, Operation.Extend, null },
        { State.DisabledOfReplicatedType, Operation.Extend, null },
        { State.Copying, Operation.Extend, ErrorIds.ExtendNotAllowed },
        { State.Active, Operation.Extend, null },
        { State.ActiveStopped, Operation.Extend, null },
        { State.Inactive, Operation.Extend, ErrorIds.ExtendNotAllowed },
        { State.Error, Operation.Extend, ErrorIds.ExtendNotAllowed },

        // A clone reads only the primary, which is whole in every status.
        { State.Disabled, Operation.CloneFrom, null },
        { State.DisabledOfReplicatedType, Operation.CloneFrom, null },
        { State.Copying, Operation.CloneFrom, null },
        { State.Active, Operation.CloneFrom, null },
        { State.ActiveStopped, Operation.CloneFrom, null },
        { State.Inactive, Operation.CloneFrom, null },
        { State.Error, Operation.CloneFrom, null },

        // A move, as a grow, needs settled copies; a DR test volume moves alone.
        { State.Disabled, Operation.Migrate, null },
        { State.DisabledOfReplicatedType, Operation.Migrate, null },
        { State.Copying, Operation.Migrate, ErrorIds.MigrateNotAllowed },
        { State.Active, Operation.Migrate, null },
        { State.ActiveStopped, Operation.Migrate, null },
        { State.Inactive, Operation.Migrate, ErrorIds.MigrateNotAllowed },
        { State.Error, Operation.Migrate, ErrorIds.MigrateNotAllowed },

        // A snapshot, as a clone, reads only the primary; a volume made from it holds its bytes.
        { State.Disabled, Operation.Snapshot, null },
        { State.DisabledOfReplicatedType, Operation.Snapshot, null },
        { State.Copying, Operation.Snapshot, null },
        { State.Active, Operation.Snapshot, null },
        { State.ActiveStopped, Operation.Snapshot, null },
        { State.Inactive, Operation.Snapshot, null },
        { State.Error, Operation.Snapshot, null },
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
            if (operation == Operation.Extend)
            {
                site.Engine.Volumes.Resize(Vol, 8 * MiB, site.Quiet);
                Assert.Equal(8 * MiB, new FileInfo(site.PrimaryFile(Vol)).Length);
                if (site.Engine.Volumes.Get(Vol).ReplicaBackend is not null)
                {
                    Assert.Equal(8 * MiB, new FileInfo(site.ReplicaFile(Vol)).Length);
                }

                Assert.Equal(Cinder[state], site.Replica(Vol).Status);
            }
            else if (operation == Operation.Snapshot)
            {
                var bytes = EngineSite.Sha256(site.PrimaryFile(Vol));
                var snapshot = site.Engine.Snapshots.Create(Vol, "snap", null, site.Quiet);
                WriteAt(site.PrimaryFile(Vol), 0, RandomBytes(Block, seed: 99));
                var restored = site.Engine.Volumes.CreateFromSnapshot("restored", "snap", site.Quiet);
                Assert.Equal(bytes, EngineSite.Sha256(site.PrimaryFile("restored")));
                Assert.Equal((site.Engine.Volumes.Get(Vol).Backend, Cinder[state]), (snapshot.Backend, site.Replica(Vol).Status));
                Assert.Equal(snapshot.Backend, restored.Backend);
            }
            else if (operation == Operation.CloneFrom)
            {
                var clone = site.Engine.Volumes.CreateFromVolume("clone", Vol, site.Quiet);
                AssertSameBytes(site.PrimaryFile(Vol), site.PrimaryFile("clone"));
                Assert.Equal(site.Engine.Volumes.Get(Vol).Backend, clone.Backend);
            }
            else
            {
                var before = site.Engine.Volumes.Get(Vol);
                var bytes = ReadAll(site.PrimaryFile(Vol));
                var moved = site.Engine.Volumes.Migrate(Vol, "dc3", site.Quiet);
                Assert.Equal(("dc3", before.ReplicaBackend is null ? null : "dc4", Cinder[state]), (moved.Backend, moved.ReplicaBackend, moved.ReplicationStatus));
                Assert.Equal(bytes, ReadAll(site.PrimaryFile(Vol)));
                if (moved.ReplicaBackend is not null)
                {
                    AssertSameBytes(site.PrimaryFile(Vol), site.ReplicaFile(Vol));
                }

                Assert.False(File.Exists(site.VolumeFile(before.Backend, before.Id)));
            }

            return;
        }

        var rows = site.SnapshotDatabase();
        var files = site.SnapshotFolders();

        var error = Refused(refusedWith, () => _ = operation == Operation.Migrate
            ? site.Engine.Volumes.Migrate(Vol, "dc3", site.Quiet)
            : site.Engine.Volumes.Resize(Vol, 8 * MiB, site.Quiet));

        Assert.Equal(ErrorKind.InvalidOperation, error.Kind);
        Assert.StartsWith("Rule: ", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{Vol}' is {Cinder[state]}.", error.Message, StringComparison.Ordinal);
        Assert.Equal(rows, site.SnapshotDatabase());
        Assert.Equal(files, site.SnapshotFolders());
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
                // Re-enabling after a promotion moves to copying first; a round that cannot read the new primary leaves it so.
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

        WriteAt(site.PrimaryFile(Vol), Block, RandomBytes(Block, seed: (int)state + 1));
        // The pair a move goes to, added last so that placement put every volume above on dc1 and dc2.
        site.AddPairedBackends("dc3", "dc4");
    }
}
