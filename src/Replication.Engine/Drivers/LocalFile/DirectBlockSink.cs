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

    /// <param name="errorId">What a write failure becomes: ReplicaUnwritable for a replica, VolumeFileFault for a clone.</param>
    public DirectBlockSink(FileStream target, int blockSize, string errorId = ErrorIds.ReplicaUnwritable, string doing = "Writing the replica")
    {
        _target = target;
        _blockSize = blockSize;
        _errorId = errorId;
        _doing = doing;
    }

    public void Write(long block, byte[] buffer, int offset, int count) => TargetIo.Run(_target.Name, () =>
    {
        TransientIo.Run(() =>
        {
            _target.Position = block * _blockSize;
            _target.Write(buffer, offset, count);
        });
        CrashPoints.Hit("direct.after-block");
    }, _errorId, _doing);

    public void Deallocate(long block, int length) =>
        TargetIo.Run(_target.Name, () => TransientIo.Run(() => SparseFile.PunchHole(_target, block * _blockSize, length)), _errorId, _doing);
}
