using System;
using System.Collections.Generic;

namespace Replication.Drivers;

/// <summary>How a copy is opened.</summary>
public enum DeviceAccess
{
    Read,
    ReadWrite,
}

/// <summary>
/// One copy opened for block I/O at byte offsets, used by one thread at a time. The engine keeps ranges inside
/// <see cref="Length"/>; a device refuses a range outside it (ArgumentOutOfRangeException) and changes nothing, so a
/// copy never grows by a stray write. Storage faults are <see cref="StorageDriverException"/>s with <see cref="DriverErrorIds.IoFault"/>
/// (or <see cref="DriverErrorIds.NoSpace"/>).
/// </summary>
public interface IBlockDevice : IDisposable
{
    long Length { get; }

    /// <summary>Reads exactly <paramref name="count"/> bytes at the offset into the buffer.</summary>
    void Read(long offset, byte[] buffer, int bufferOffset, int count);

    void Write(long offset, byte[] buffer, int bufferOffset, int count);

    /// <summary>Makes every write made through this device durable.</summary>
    void Flush();

    /// <summary>Makes the range read as zeros; <paramref name="deallocate"/> frees its space where the storage can.</summary>
    void Zero(long offset, long length, bool deallocate);

    /// <summary>
    /// The parts of the range that may hold data, ascending and inside the range; everything else reads as zeros, so the
    /// engine skips it. Storage that cannot tell reports the whole range. Lazy: a caller that has seen enough stops.
    /// </summary>
    IEnumerable<Extent> AllocatedExtents(long offset, long length);
}

/// <summary>A range of bytes.</summary>
public readonly struct Extent : IEquatable<Extent>
{
    public Extent(long offset, long length)
    {
        Offset = offset;
        Length = length;
    }

    public long Offset { get; }

    public long Length { get; }

    public long End => Offset + Length;

    public bool Equals(Extent other) => Offset == other.Offset && Length == other.Length;

    public override bool Equals(object? obj) => obj is Extent other && Equals(other);

    public override int GetHashCode() => (Offset.GetHashCode() * 397) ^ Length.GetHashCode();

    public override string ToString() => $"{Offset}+{Length}";
}
