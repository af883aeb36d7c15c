using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Replication.Engine.Files.Native;
using Replication.Engine.Files;
using static Replication.Engine.Files.Native.NativeMethods;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>
/// Sparse-file primitives for volume files: find the allocated data, deallocate ranges, create all-hole files.
/// Every operation degrades to a correct but non-sparse result where the OS or file system lacks support:
/// holes read as zeros, so treating a hole as data or writing zeros instead of punching only costs space and time.
/// </summary>
internal static class SparseFile
{
    /// <summary>
    /// macOS only punches whole file-system blocks (4 KiB on APFS); aligning on every OS keeps one code path,
    /// and ranges derived from other files' extents are block-aligned anyway.
    /// </summary>
    private const int HoleAlignment = 4096;

    private const int ZeroChunkSize = 1 << 20;

    /// <summary>
    /// Creates a new file in <paramref name="folder"/> (failing if anything is at the name, a link included), marks it
    /// sparse where the OS requires that (Windows), and sets its length to <paramref name="size"/> without allocating
    /// anything. The stream is read/write with FileShare.Read.
    /// </summary>
    /// <param name="bufferSize">FileStream buffer; the default 1 means unbuffered on both .NET Framework and .NET (0 is rejected by .NET Framework).</param>
    public static FileStream CreateNew(VerifiedFolder folder, string name, long size, int bufferSize = 1)
    {
        if (size < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "The size cannot be negative.");
        }

        var file = folder.OpenFile(name, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, bufferSize);
        try
        {
            if (Platform == NativePlatform.Windows)
            {
                // Without the sparse flag NTFS allocates the whole length. A file system that cannot mark it
                // (FAT, exFAT) still gets a correct, just fully allocated, file.
                Windows.DeviceIoControl(file.SafeFileHandle, Windows.FsctlSetSparse, IntPtr.Zero, 0, IntPtr.Zero, 0, out _, IntPtr.Zero);
            }

            file.SetLength(size);
            return file;
        }
        catch
        {
            file.Dispose();
            folder.TryDelete(name);
            throw;
        }
    }

    /// <summary>
    /// The allocated data regions of <paramref name="file"/> in ascending order, from <paramref name="from"/> (a region
    /// reaching back before it starts there) and clamped to the length the file has when enumeration starts. Regions are
    /// as coarse as the file system reports them (whole blocks at least).
    /// Where allocation cannot be queried the rest of the file is reported as one data region. Enumeration is lazy,
    /// so the caller may read each region through the same stream before the next is looked up.
    /// </summary>
    public static IEnumerable<FileExtent> DataExtents(FileStream file, long from = 0)
    {
        if (file is null)
        {
            throw new ArgumentNullException(nameof(file));
        }

        if (from < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(from), from, "The offset cannot be negative.");
        }

        return EnumerateDataExtents(file, from);
    }

    /// <summary>
    /// Bytes allocated to the file, as the sum of <see cref="DataExtents"/>: block-granular, and the whole length
    /// where allocation cannot be queried. Metadata blocks are not counted.
    /// </summary>
    public static long AllocatedBytes(FileStream file) => DataExtents(file).Sum(extent => extent.Length);

    /// <summary>
    /// Starts writing a range's dirty pages to disk without waiting (Linux's sync_file_range), so that the fsync ending a
    /// long copy finds little left to write. Best effort: elsewhere, or if the kernel refuses, the fsync does it all.
    /// </summary>
    public static void StartWriteback(FileStream file, long offset, long length)
    {
        if (NativeMethods.Platform != NativePlatform.Linux)
        {
            return;
        }

        using var lease = new DescriptorLease(file.SafeFileHandle);
        NativeMethods.Linux.SyncFileRange(lease.Descriptor, offset, length, NativeMethods.Linux.SyncFileRangeWrite);
    }

    /// <summary>
    /// Makes [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>) read as zeros and
    /// deallocates it where the file system allows, without changing the file length (the part beyond the end is
    /// ignored). Unaligned edges and unsupported file systems get zeros written instead. The stream position is kept.
    /// </summary>
    public static void PunchHole(FileStream file, long offset, long length)
    {
        if (file is null)
        {
            throw new ArgumentNullException(nameof(file));
        }

        if (!file.CanWrite)
        {
            throw new ArgumentException("The file must be open for writing.", nameof(file));
        }

        if (offset < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "The offset cannot be negative.");
        }

        if (length < 0 || length > long.MaxValue - offset)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "The length must be non-negative and end within the range of a file offset.");
        }

        var end = Math.Min(offset + length, file.Length);
        if (end <= offset)
        {
            return;
        }

        var position = file.Position;
        try
        {
            var holeStart = RoundUp(offset);
            var holeEnd = end - end % HoleAlignment;
            if (holeStart < holeEnd)
            {
                if (!TryDeallocate(file, holeStart, holeEnd - holeStart))
                {
                    WriteZeros(file, holeStart, holeEnd - holeStart);
                }

                WriteZeros(file, offset, holeStart - offset);
                WriteZeros(file, holeEnd, end - holeEnd);
            }
            else
            {
                WriteZeros(file, offset, end - offset);
            }
        }
        finally
        {
            // Seeking also flushes zeros still in the stream's write buffer, so other handles see them at once.
            file.Position = position;
        }
    }

    private static IEnumerable<FileExtent> EnumerateDataExtents(FileStream file, long from)
    {
        // Fetching the handle flushes the stream's buffer (documented), so buffered writes count as data.
        // It is fetched once because each fetch costs that flush and, on .NET, a seek.
        var handle = file.SafeFileHandle;
        var length = file.Length;
        var position = from;
        while (position < length && NextDataExtent(file, handle, position, length) is { } extent)
        {
            yield return extent;
            position = extent.End;
        }
    }

    /// <summary>The first data region at or after <paramref name="from"/>, or null when only holes follow.</summary>
    private static FileExtent? NextDataExtent(FileStream file, SafeFileHandle handle, long from, long length)
    {
        var found = Platform switch
        {
            NativePlatform.Linux => NextDataExtentBySeeking(handle, from, Linux.SeekData, Linux.SeekHole),
            NativePlatform.MacOS => NextDataExtentBySeeking(handle, from, MacOS.SeekData, MacOS.SeekHole),
            NativePlatform.Windows => NextAllocatedRangeOnWindows(handle, file.IsAsync, from, length),
            _ => new FileExtent(from, length - from),
        };
        if (found is not { } extent || extent.Offset >= length)
        {
            return null;
        }

        // Clamping guarantees progress even if the OS reports something odd, and keeps regions within the length.
        var start = Math.Max(extent.Offset, from);
        var stop = extent.End > start && extent.End <= length ? extent.End : length;
        return new FileExtent(start, stop - start);
    }

    /// <summary>
    /// lseek(SEEK_DATA) then lseek(SEEK_HOLE). Moving the descriptor's offset is harmless: .NET's FileStream keeps
    /// its own position and uses pread/pwrite. An error other than ENXIO (no data left) means the file system
    /// cannot answer, so the rest of the file counts as data (End = long.MaxValue is clamped by the caller).
    /// </summary>
    private static FileExtent? NextDataExtentBySeeking(SafeFileHandle handle, long from, int seekData, int seekHole)
    {
        using var lease = new DescriptorLease(handle);
        var dataStart = Unix.Seek(lease.Descriptor, from, seekData);
        if (dataStart < 0)
        {
            return Marshal.GetLastWin32Error() == Unix.NoSuchDeviceOrAddress
                ? null
                : new FileExtent(from, long.MaxValue - from);
        }

        var holeStart = Unix.Seek(lease.Descriptor, dataStart, seekHole);
        return new FileExtent(dataStart, holeStart < 0 ? long.MaxValue - dataStart : holeStart - dataStart);
    }

    /// <summary>
    /// FSCTL_QUERY_ALLOCATED_RANGES for one range at a time: ERROR_MORE_DATA just says more follow. A file system
    /// without the query (FAT) or an overlapped handle (which DeviceIoControl cannot use synchronously) makes the
    /// rest of the file count as data.
    /// </summary>
    private static FileExtent? NextAllocatedRangeOnWindows(SafeFileHandle handle, bool isAsync, long from, long length)
    {
        var wholeRest = new FileExtent(from, length - from);
        if (isAsync)
        {
            return wholeRest;
        }

        var query = new Windows.FileAllocatedRangeBuffer { FileOffset = from, Length = length - from };
        var found = new Windows.FileAllocatedRangeBuffer[1];
        var rangeSize = Marshal.SizeOf<Windows.FileAllocatedRangeBuffer>();
        if (!Windows.DeviceIoControl(handle, Windows.FsctlQueryAllocatedRanges, ref query, rangeSize, found, rangeSize, out var returned, IntPtr.Zero)
            && Marshal.GetLastWin32Error() != Windows.ErrorMoreData)
        {
            return wholeRest;
        }

        return returned < rangeSize ? null : new FileExtent(found[0].FileOffset, found[0].Length);
    }

    /// <summary>
    /// Deallocates a block-aligned range natively; false when the OS or file system cannot. Fetching SafeFileHandle
    /// flushes the stream (documented), so its buffered writes land before the range is deallocated and no buffered
    /// read of the old bytes survives.
    /// </summary>
    private static bool TryDeallocate(FileStream file, long offset, long length)
    {
        switch (Platform)
        {
            case NativePlatform.Linux:
            {
                using var lease = new DescriptorLease(file.SafeFileHandle);
                return Linux.Fallocate(lease.Descriptor, Linux.FallocatePunchHole | Linux.FallocateKeepSize, offset, length) == 0;
            }

            case NativePlatform.MacOS:
            {
                using var lease = new DescriptorLease(file.SafeFileHandle);
                var arguments = new MacOS.PunchHoleArguments { Offset = offset, Length = length };
                return MacOS.Fcntl(lease.Descriptor, MacOS.FcntlPunchHole, ref arguments) == 0;
            }

            case NativePlatform.Windows when !file.IsAsync:
            {
                // On a non-sparse file this zeroes without deallocating, which is still the right content.
                var range = new Windows.FileZeroDataInformation { FileOffset = offset, BeyondFinalZero = offset + length };
                return Windows.DeviceIoControl(file.SafeFileHandle, Windows.FsctlSetZeroData, ref range, Marshal.SizeOf<Windows.FileZeroDataInformation>(), IntPtr.Zero, 0, out _, IntPtr.Zero);
            }

            default:
                return false;
        }
    }

    /// <summary>Writes zeros over the range (allocating it), a chunk at a time.</summary>
    internal static void WriteZeros(FileStream file, long offset, long length)
    {
        if (length == 0)
        {
            return;
        }

        var zeros = new byte[Math.Min(length, ZeroChunkSize)];
        file.Position = offset;
        for (var remaining = length; remaining > 0; remaining -= zeros.Length)
        {
            file.Write(zeros, 0, (int)Math.Min(remaining, zeros.Length));
        }
    }

    private static long RoundUp(long offset)
    {
        var remainder = offset % HoleAlignment;
        return remainder == 0 ? offset : offset + (HoleAlignment - remainder);
    }
}
