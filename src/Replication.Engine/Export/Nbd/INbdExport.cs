using System;
using System.Collections.Generic;

namespace Replication.Engine.Export.Nbd;

/// <summary>What the NBD server serves under one export name.</summary>
internal interface INbdExport
{
    string Name { get; }

    long Size { get; }

    /// <summary>Opens the export for one client connection; the session is disposed when the connection ends.</summary>
    INbdSession Connect();
}

/// <summary>
/// One client's view of an export. Ranges are checked by the server before they get here. A refused command throws
/// <see cref="NbdCommandException"/>; an I/O failure (IOException, ReplicationException) is answered with EIO.
/// </summary>
internal interface INbdSession : IDisposable
{
    void Read(long offset, byte[] buffer, int count);

    void Write(long offset, byte[] buffer, int count, bool forceUnitAccess);

    /// <summary>Makes every write this export acknowledged (to any client) durable.</summary>
    void Flush();

    /// <summary>TRIM or WRITE_ZEROES: the range reads as zeros afterwards either way (it is deallocated unless <paramref name="keepAllocated"/>).</summary>
    void Discard(long offset, int length, bool keepAllocated, bool forceUnitAccess);

    /// <summary>Where the range holds data, as <see cref="Drivers.IVolumeDevice.AllocatedExtents"/> tells; the rest reads as zeros.</summary>
    IEnumerable<(long Offset, long Length)> AllocatedExtents(long offset, long length);
}
