using System;
using System.Collections.Generic;

namespace Replication.Engine.Drivers;

/// <summary>
/// One copy of a volume opened for block I/O at byte offsets, as an export serves it. Ranges lie inside the volume
/// (the caller checks). Failures are <see cref="Errors.ReplicationException"/>s with the ErrorId the device was opened with.
/// </summary>
public interface IVolumeDevice : IDisposable
{
    void Read(long offset, byte[] buffer, int count);

    void Write(long offset, byte[] buffer, int count);

    /// <summary>Makes every write to the copy (through any device of it) durable.</summary>
    void Flush();

    /// <summary>Makes the range read as zeros; <paramref name="deallocate"/> frees its space where the storage can.</summary>
    void Zero(long offset, long length, bool deallocate);

    /// <summary>
    /// The parts of the range that hold data, in ascending order and inside the range; everything else reads as zeros,
    /// so a copy can skip it. Storage that cannot tell reports the whole range. Lazy: a caller that has seen enough stops.
    /// </summary>
    IEnumerable<(long Offset, long Length)> AllocatedExtents(long offset, long length);
}
