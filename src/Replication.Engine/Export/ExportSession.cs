using System.Collections.Generic;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Export.Nbd;

namespace Replication.Engine.Export;

/// <summary>One client connection's handles on the volume's copies (each connection has its own, so clients never wait on one another's file position).</summary>
internal sealed class ExportSession : INbdSession
{
    private readonly ExportedVolume _export;
    private IVolumeDevice? _replica;

    public ExportSession(ExportedVolume export)
    {
        _export = export;
        Primary = export.Driver.OpenDevice(export.Snapshot.Primary, export.Size, ErrorIds.VolumeFileFault);
    }

    public IVolumeDevice Primary { get; }

    /// <summary>The replica, opened at the first write the connection mirrors.</summary>
    public IVolumeDevice Replica => _replica ??= _export.Driver.OpenDevice(_export.Snapshot.Replica, _export.Size, ErrorIds.ReplicaUnwritable);

    /// <summary>Forgets the replica's handle after a failure, so the next mirrored write opens the replica anew.</summary>
    public void DropReplica()
    {
        _replica?.Dispose();
        _replica = null;
    }

    public void Read(long offset, byte[] buffer, int count) => Primary.Read(offset, buffer, count);

    public void Write(long offset, byte[] buffer, int count, bool forceUnitAccess) => _export.Write(this, offset, buffer, count, forceUnitAccess);

    public void Flush() => _export.Flush(this);

    public void Discard(long offset, int length, bool keepAllocated, bool forceUnitAccess) =>
        _export.Discard(this, offset, length, keepAllocated, forceUnitAccess);

    public IEnumerable<(long Offset, long Length)> AllocatedExtents(long offset, long length) => Primary.AllocatedExtents(offset, length);

    public void Dispose()
    {
        Primary.Dispose();
        _replica?.Dispose();
    }
}
