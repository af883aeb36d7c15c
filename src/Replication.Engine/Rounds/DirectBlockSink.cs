using System;
using Replication.Drivers;
using Replication.Engine.Diagnostics;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;

namespace Replication.Engine.Rounds;

/// <summary>Writes changed blocks straight into the target copy (used while the target is not yet a consistent replica).</summary>
internal sealed class DirectBlockSink : IBlockSink
{
    private readonly IBlockDevice _target;
    private readonly string _targetName;
    private readonly int _blockSize;
    private readonly string _errorId;
    private readonly string _doing;
    private Action? _beforeFirstChange;

    /// <param name="targetName">The target as messages name it.</param>
    /// <param name="errorId">What a write failure becomes: ReplicaUnwritable for a replica, VolumeFileFault for a clone.</param>
    /// <param name="beforeFirstChange">Called once, before the target is first changed.</param>
    public DirectBlockSink(IBlockDevice target, string targetName, int blockSize, string errorId = ErrorIds.ReplicaUnwritable, string doing = "Writing the replica", Action? beforeFirstChange = null)
    {
        _target = target;
        _targetName = targetName;
        _blockSize = blockSize;
        _errorId = errorId;
        _doing = doing;
        _beforeFirstChange = beforeFirstChange;
    }

    public void Write(long block, byte[] buffer, int offset, int count)
    {
        AboutToChange();
        using var writing = RoundClock.In(RoundPhase.ReplicaWrites);
        DriverFaults.Run(() => _target.Write(block * _blockSize, buffer, offset, count), _errorId, _doing, _targetName);
        CrashPoints.Hit("direct.after-block");
    }

    public void Deallocate(long block, int length)
    {
        AboutToChange();
        using var writing = RoundClock.In(RoundPhase.ReplicaWrites);
        DriverFaults.Run(() => _target.Zero(block * _blockSize, length, deallocate: true), _errorId, _doing, _targetName);
    }

    private void AboutToChange()
    {
        var callback = _beforeFirstChange;
        _beforeFirstChange = null;
        callback?.Invoke();
    }
}
