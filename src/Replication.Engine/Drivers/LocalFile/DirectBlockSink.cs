using System.IO;
using System;
using Replication.Engine.Diagnostics;
using Replication.Engine.Errors;
using Replication.Engine.Files;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>Writes changed blocks straight into the target file (used while the target is not yet a consistent replica).</summary>
internal sealed class DirectBlockSink : IBlockSink
{
    /// <summary>Written bytes handed to the disk while the copy goes on, rather than all at its closing fsync.</summary>
    private const long WritebackEvery = 16L << 20;

    private readonly FileStream _target;
    private readonly int _blockSize;
    private readonly string _errorId;
    private readonly string _doing;
    private Action? _beforeFirstChange;
    private long _unwrittenFrom = long.MaxValue;
    private long _unwrittenTo;

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

    public void Write(long block, byte[] buffer, int offset, int count) => TargetIo.Run(VerifiedFolder.PathOf(_target), () =>
    {
        AboutToChange();
        TransientIo.Run(() =>
        {
            _target.Position = block * _blockSize;
            _target.Write(buffer, offset, count);
        });
        CrashPoints.Hit("direct.after-block");
        StartWritebackNowAndThen(block * _blockSize, count);
    }, _errorId, _doing);

    public void Deallocate(long block, int length) => TargetIo.Run(VerifiedFolder.PathOf(_target), () =>
    {
        AboutToChange();
        TransientIo.Run(() => SparseFile.PunchHole(_target, block * _blockSize, length));
    }, _errorId, _doing);

    private void StartWritebackNowAndThen(long offset, int count)
    {
        _unwrittenFrom = Math.Min(_unwrittenFrom, offset);
        _unwrittenTo = Math.Max(_unwrittenTo, offset + count);
        if (_unwrittenTo - _unwrittenFrom >= WritebackEvery)
        {
            SparseFile.StartWriteback(_target, _unwrittenFrom, _unwrittenTo - _unwrittenFrom);
            _unwrittenFrom = long.MaxValue;
            _unwrittenTo = 0;
        }
    }

    private void AboutToChange()
    {
        var callback = _beforeFirstChange;
        _beforeFirstChange = null;
        callback?.Invoke();
    }
}
