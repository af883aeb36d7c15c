using System.IO;
using System;
using Replication.Engine.Diagnostics;
using Replication.Engine.Errors;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>Writes changed blocks straight into the target file (used while the target is not yet a consistent replica).</summary>
internal sealed class DirectBlockSink : IBlockSink
{
    private readonly FileStream _target;
    private readonly int _blockSize;
    private readonly string _errorId;
    private readonly string _doing;
    private Action? _beforeFirstChange;

    /// <param name="errorId">What a write failure becomes: ReplicaUnwritable for a replica, VolumeFileFault for a clone.</param>
    /// <param name="beforeFirstChange">Called once, before the target is first changed.</param>
    public DirectBlockSink(FileStream target, int blockSize, string errorId = ErrorIds.ReplicaUnwritable, string doing = "Writing the replica", Action? beforeFirstChange = null)
    {
        _target = target;
        _blockSize = blockSize;
        _errorId = errorId;
        _doing = doing;
        _beforeFirstChange = beforeFirstChange;
    }

    public void Write(long block, byte[] buffer, int offset, int count) => TargetIo.Run(_target.Name, () =>
    {
        AboutToChange();
        TransientIo.Run(() =>
        {
            _target.Position = block * _blockSize;
            _target.Write(buffer, offset, count);
        });
        CrashPoints.Hit("direct.after-block");
    }, _errorId, _doing);

    public void Deallocate(long block, int length) => TargetIo.Run(_target.Name, () =>
    {
        AboutToChange();
        TransientIo.Run(() => SparseFile.PunchHole(_target, block * _blockSize, length));
    }, _errorId, _doing);

    private void AboutToChange()
    {
        var callback = _beforeFirstChange;
        _beforeFirstChange = null;
        callback?.Invoke();
    }
}
