using System;
using System.Linq;
using Replication.Engine.Model;
using Replication.Engine.Rules;

namespace Replication.Engine.Tests.Engine;

/// <summary>
/// DESIGN.md's replication status table, every (from, to) pair written out. Staying in a status is not a transition
/// (a sync round leaves active as active) and is allowed. DESIGN.md also lets "error" move anywhere after a status
/// refresh; the engine has no status refresh, so the only way out of error is re-enable (copying).
/// </summary>
public sealed class StateMachineTableTests
{
    private const ReplicationStatus Disabled = ReplicationStatus.Disabled;
    private const ReplicationStatus Copying = ReplicationStatus.Copying;
    private const ReplicationStatus Active = ReplicationStatus.Active;
    private const ReplicationStatus Stopped = ReplicationStatus.ActiveStopped;
    private const ReplicationStatus Inactive = ReplicationStatus.Inactive;
    private const ReplicationStatus Error = ReplicationStatus.Error;

    public static TheoryData<ReplicationStatus, ReplicationStatus, bool> Table => new()
    {
        // disabled: (enable, where the type and backend allow) -> copying
        { Disabled, Disabled, true },
        { Disabled, Copying, true },
        { Disabled, Active, false },
        { Disabled, Stopped, false },
        { Disabled, Inactive, false },
        { Disabled, Error, false },

        // copying: active, error
        { Copying, Disabled, false },
        { Copying, Copying, true },
        { Copying, Active, true },
        { Copying, Stopped, false },
        { Copying, Inactive, false },
        { Copying, Error, true },

        // active: active-stopped, inactive (promote), copying, error, disabled (retyped to a plain type)
        { Active, Disabled, true },
        { Active, Copying, true },
        { Active, Active, true },
        { Active, Stopped, true },
        { Active, Inactive, true },
        { Active, Error, true },

        // active-stopped: active, inactive (promote), copying (re-enable), error, disabled (retyped to a plain type)
        { Stopped, Disabled, true },
        { Stopped, Copying, true },
        { Stopped, Active, true },
        { Stopped, Stopped, true },
        { Stopped, Inactive, true },
        { Stopped, Error, true },

        // inactive: copying (re-enable)
        { Inactive, Disabled, false },
        { Inactive, Copying, true },
        { Inactive, Active, false },
        { Inactive, Stopped, false },
        { Inactive, Inactive, true },
        { Inactive, Error, false },

        // error: copying (re-enable); there is no status refresh to leave it otherwise
        { Error, Disabled, false },
        { Error, Copying, true },
        { Error, Active, false },
        { Error, Stopped, false },
        { Error, Inactive, false },
        { Error, Error, true },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void CanMove_FollowsTheDesignTable(ReplicationStatus from, ReplicationStatus to, bool allowed) =>
        Assert.Equal(allowed, ReplicationStateMachine.CanMove(from, to));

    [Fact]
    public void Table_CoversEveryPairOnce()
    {
        var pairs = Table.Select(row => ((ReplicationStatus)row[0], (ReplicationStatus)row[1])).ToList();
        var all = Enum.GetValues<ReplicationStatus>();
        Assert.Equal(all.Length * all.Length, pairs.Count);
        Assert.Equal(pairs.Count, pairs.Distinct().Count());
    }
}
