using System;
using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Rules;
using Replication.Engine.State;

namespace Replication.Engine.Tests.Engine;

/// <summary>
/// The operation guard table, every (operation, status) pair written out, then a group and a fenced copy for each
/// operation. Grow, retype and move need settled copies (disabled, active, active-stopped); a clone reads only the
/// primary and a removal takes both copies, so neither is refused by status.
/// </summary>
public sealed class OperationGuardTableTests
{
    private const ReplicationStatus Disabled = ReplicationStatus.Disabled;
    private const ReplicationStatus Copying = ReplicationStatus.Copying;
    private const ReplicationStatus Active = ReplicationStatus.Active;
    private const ReplicationStatus Stopped = ReplicationStatus.ActiveStopped;
    private const ReplicationStatus Inactive = ReplicationStatus.Inactive;
    private const ReplicationStatus Error = ReplicationStatus.Error;

    public static TheoryData<VolumeOperation, ReplicationStatus, bool> ByStatus => new()
    {
        { VolumeOperation.Extend, Disabled, true },
        { VolumeOperation.Extend, Copying, false },
        { VolumeOperation.Extend, Active, true },
        { VolumeOperation.Extend, Stopped, true },
        { VolumeOperation.Extend, Inactive, false },
        { VolumeOperation.Extend, Error, false },

        { VolumeOperation.CloneFrom, Disabled, true },
        { VolumeOperation.CloneFrom, Copying, true },
        { VolumeOperation.CloneFrom, Active, true },
        { VolumeOperation.CloneFrom, Stopped, true },
        { VolumeOperation.CloneFrom, Inactive, true },
        { VolumeOperation.CloneFrom, Error, true },

        { VolumeOperation.Retype, Disabled, true },
        { VolumeOperation.Retype, Copying, false },
        { VolumeOperation.Retype, Active, true },
        { VolumeOperation.Retype, Stopped, true },
        { VolumeOperation.Retype, Inactive, false },
        { VolumeOperation.Retype, Error, false },

        { VolumeOperation.Migrate, Disabled, true },
        { VolumeOperation.Migrate, Copying, false },
        { VolumeOperation.Migrate, Active, true },
        { VolumeOperation.Migrate, Stopped, true },
        { VolumeOperation.Migrate, Inactive, false },
        { VolumeOperation.Migrate, Error, false },

        { VolumeOperation.Remove, Disabled, true },
        { VolumeOperation.Remove, Copying, true },
        { VolumeOperation.Remove, Active, true },
        { VolumeOperation.Remove, Stopped, true },
        { VolumeOperation.Remove, Inactive, true },
        { VolumeOperation.Remove, Error, true },

        { VolumeOperation.Snapshot, Disabled, true },
        { VolumeOperation.Snapshot, Copying, true },
        { VolumeOperation.Snapshot, Active, true },
        { VolumeOperation.Snapshot, Stopped, true },
        { VolumeOperation.Snapshot, Inactive, true },
        { VolumeOperation.Snapshot, Error, true },
    };

    /// <summary>Operation, allowed for a group member (of an active volume), allowed with the old primary fenced.</summary>
    public static TheoryData<VolumeOperation, bool, bool> GroupAndFence => new()
    {
        { VolumeOperation.Extend, true, false },
        { VolumeOperation.CloneFrom, true, true },
        { VolumeOperation.Retype, false, false },
        { VolumeOperation.Migrate, false, false },
        { VolumeOperation.Remove, true, true },
        { VolumeOperation.Snapshot, true, true },
    };

    [Theory]
    [MemberData(nameof(ByStatus))]
    public void ByStatus_FollowsTheTable(VolumeOperation operation, ReplicationStatus status, bool allowed)
    {
        Assert.Equal(allowed, OperationGuards.Allows(operation, status, inGroup: false, fenced: false));
        var volume = new VolumeRecord { Name = "db01", ReplicationStatus = status };
        if (allowed)
        {
            OperationGuards.Require(operation, volume);
            return;
        }

        var error = Assert.Throws<ReplicationException>(() => OperationGuards.Require(operation, volume));
        Assert.Equal(IdOf(operation), error.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, error.Kind);
        Assert.StartsWith("Rule: ", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'db01' is {status.ToCinder()}.", error.Message, StringComparison.Ordinal);
        Assert.Matches("(Sync-VolumeReplica|Enable-Replication)", error.Message);
    }

    [Theory]
    [MemberData(nameof(GroupAndFence))]
    public void InAGroup_AndWithAFencedCopy_FollowTheTable(VolumeOperation operation, bool inGroup, bool fenced)
    {
        Assert.Equal(inGroup, OperationGuards.Allows(operation, Active, inGroup: true, fenced: false));
        Assert.Equal(fenced, OperationGuards.Allows(operation, Active, inGroup: false, fenced: true));
        var member = new VolumeRecord { Name = "db01", ReplicationStatus = Active, GroupName = "app" };
        var fencedVolume = new VolumeRecord { Name = "db01", ReplicationStatus = Active, ReplicaFenced = true };
        if (inGroup)
        {
            OperationGuards.Require(operation, member);
        }
        else
        {
            var error = Assert.Throws<ReplicationException>(() => OperationGuards.Require(operation, member));
            Assert.Equal(ErrorIds.GroupMemberOperation, error.ErrorId);
            Assert.Contains("Remove-ReplicationGroupMember -Group 'app' -VolumeName 'db01'", error.Message, StringComparison.Ordinal);
        }

        if (fenced)
        {
            OperationGuards.Require(operation, fencedVolume);
        }
        else
        {
            var error = Assert.Throws<ReplicationException>(() => OperationGuards.Require(operation, fencedVolume));
            Assert.Equal(IdOf(operation), error.ErrorId);
            Assert.Contains("Enable-Replication lifts the fence", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Tables_CoverEveryOperationAndStatusOnce()
    {
        var pairs = ByStatus.Select(row => ((VolumeOperation)row[0], (ReplicationStatus)row[1])).ToList();
        var operations = Enum.GetValues<VolumeOperation>();
        Assert.Equal(operations.Length * Enum.GetValues<ReplicationStatus>().Length, pairs.Count);
        Assert.Equal(pairs.Count, pairs.Distinct().Count());
        Assert.Equal(operations.OrderBy(o => o), GroupAndFence.Select(row => (VolumeOperation)row[0]).OrderBy(o => o));
    }

    /// <summary>A snapshot is the one operation refused while a change of the copies is unfinished; the others settle it first.</summary>
    [Theory]
    [InlineData(PendingOperation.Extend)]
    [InlineData(PendingOperation.Migrate)]
    public void ASnapshot_WhileAChangeOfTheCopiesIsUnfinished_IsRefusedNamingRepair(PendingOperation pending)
    {
        var volume = new VolumeRecord { Name = "db01", ReplicationStatus = Active, PendingChange = new PendingChange { Operation = pending } };

        var error = Assert.Throws<ReplicationException>(() => OperationGuards.Require(VolumeOperation.Snapshot, volume));

        Assert.Equal(ErrorIds.SnapshotNotAllowed, error.ErrorId);
        Assert.StartsWith("Rule: a snapshot of a volume", error.Message, StringComparison.Ordinal);
        Assert.Contains($"has a {pending.ToString().ToLowerInvariant()} left unfinished: Repair-ReplicationState", error.Message, StringComparison.Ordinal);
        OperationGuards.Require(VolumeOperation.CloneFrom, volume);
    }

    private static string IdOf(VolumeOperation operation) => operation switch
    {
        VolumeOperation.Extend => ErrorIds.ExtendNotAllowed,
        VolumeOperation.CloneFrom => ErrorIds.CloneFromVolumeNotAllowed,
        VolumeOperation.Retype => ErrorIds.RetypeNotAllowed,
        VolumeOperation.Migrate => ErrorIds.MigrateNotAllowed,
        VolumeOperation.Snapshot => ErrorIds.SnapshotNotAllowed,
        _ => throw new ArgumentOutOfRangeException(nameof(operation)),
    };
}
