using System;
using System.IO;
using Replication.Engine.Errors;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>Writes changed blocks straight into the target file (used while the target is not yet a consistent replica).</summary>
internal sealed class DirectBlockSink : IBlockSink
{
    private readonly FileStream _target;
    private readonly int _blockSize;

    public DirectBlockSink(FileStream target, int blockSize)
    {
        _target = target;
        _blockSize = blockSize;
    }

    public void Write(long block, byte[] buffer, int offset, int count) => TargetIo.Run(_target.Name, () =>
    {
        _target.Position = block * _blockSize;
        _target.Write(buffer, offset, count);
    });

    public void Deallocate(long block, int length) =>
        TargetIo.Run(_target.Name, () => SparseFile.PunchHole(_target, block * _blockSize, length));
}
