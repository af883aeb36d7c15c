using System;
using System.IO;
using System.IO.Hashing;
using System.Text;
using Replication.Engine.Drivers;
using Replication.Engine.Replication;

namespace Replication.Engine.Export;

/// <summary>
/// The persistent dirty bitmap of one exported volume, in a file beside it (as QEMU keeps persistent bitmaps and DRBD
/// its bitmap): one bit per 64 KiB block written through the export. A bit reaches the file (written and fsynced)
/// before the write it marks is issued, so after any crash every block a write was in flight on reads as dirty.
/// <para>
/// The file holds two sides. Writes mark the active side; a sync round freezes it (the other side becomes active),
/// copies the frozen blocks, and releases them: cleared once the round is recorded, merged back if it failed. A
/// freeze while an earlier frozen set was never released (its process died) merges the active side into it.
/// </para>
/// <para>
/// <see cref="Complete"/> says the bits cover every write since the last round froze them, so a round may copy only
/// them. It is false for a new bitmap (until the first round is released) and when the volume's file changed while no
/// export held the bitmap (its stamp differs from the one taken when the last export closed it). A bitmap whose
/// export was killed keeps what it had: the bits of that export's writes are all there.
/// </para>
/// <para>
/// The export service holds the file open shared for as long as it serves the volume; anyone else changes it only
/// with the file opened exclusively (<see cref="TryOpenExclusive"/>), so never while an export holds it.
/// </para>
/// </summary>
internal sealed class DirtyBitmap : IDisposable
{
    private const int HeaderLength = 124;
    private const int SideAlignment = 4096;
    private const int MaxStampLength = 64;
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("RPDIRTY1");

    private readonly Stream _file;
    private readonly object _gate = new();
    private readonly byte[][] _sides;
    private readonly long _sideLength;
    private Header _header;

    private DirtyBitmap(Stream file, Header header, long blockCount)
    {
        _file = file;
        _header = header;
        BlockCount = blockCount;
        _sideLength = RoundUp((blockCount + 7) / 8, SideAlignment);
        _sides = new[] { new byte[_sideLength], new byte[_sideLength] };
    }

    public long BlockCount { get; }

    public bool Complete => _header.Complete;

    /// <summary>True once a synchronous export has written the replica outside rounds: its dirty blocks may differ from the recorded block map.</summary>
    public bool ReplicaMirrored => _header.ReplicaMirrored;

    /// <summary>
    /// Opens (or creates) the bitmap for an export that serves the volume, shared, until it is closed with
    /// <see cref="CloseByExport"/>. Null when someone holds it exclusively right now (a round's short freeze or release).
    /// </summary>
    /// <param name="copyStamp">The volume file's stamp now (size and modification time): tells whether it was written while no export held the bitmap.</param>
    public static DirtyBitmap? TryOpenForExport(SidecarFile path, Guid volumeId, long volumeSize, string? copyStamp)
    {
        var bitmap = TryOpen(path, volumeId, volumeSize, copyStamp, FileShare.Read);
        bitmap?.Update(header => header with { InUse = true });
        return bitmap;
    }

    /// <summary>Opens an existing bitmap alone, for a round's freeze or release while no export serves the volume; null when it is held or absent.</summary>
    public static DirtyBitmap? TryOpenExclusive(SidecarFile path, Guid volumeId, long volumeSize, string? copyStamp) =>
        TryOpen(path, volumeId, volumeSize, copyStamp, FileShare.None);

    /// <summary>The frozen side as written by its holder (who froze it before saying so), read without taking the file.</summary>
    public static DirtyBlockSet ReadFrozen(SidecarFile path, Guid volumeId, long volumeSize)
    {
        using var file = path.Open(FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var header = ReadHeader(file) ?? throw new InvalidDataException($"The dirty bitmap '{path}' has no valid header.");
        var blockCount = BlockMap.BlockCountFor(volumeSize, BlockMap.DefaultBlockSize);
        if (!header.Describes(volumeId, volumeSize) || !header.Frozen)
        {
            throw new InvalidDataException($"The dirty bitmap '{path}' holds no frozen set of this volume.");
        }

        var bits = new byte[RoundUp((blockCount + 7) / 8, SideAlignment)];
        file.Position = SideOffset(1 - header.ActiveSide, bits.Length);
        ReadFully(file, bits);
        return new DirtyBlockSet(blockCount, bits);
    }

    /// <summary>Marks every block that [offset, offset + length) touches, durably, before the caller writes there.</summary>
    public void Mark(long offset, long length)
    {
        var first = offset / BlockMap.DefaultBlockSize;
        var last = (offset + length - 1) / BlockMap.DefaultBlockSize;
        if (AllSet(_header.ActiveSide, first, last))
        {
            return;
        }

        lock (_gate)
        {
            var side = _header.ActiveSide;
            var firstByte = first >> 3;
            var lastByte = last >> 3;
            var bytes = new byte[lastByte - firstByte + 1];
            Buffer.BlockCopy(_sides[side], (int)firstByte, bytes, 0, bytes.Length);
            for (var block = first; block <= last; block++)
            {
                bytes[(block >> 3) - firstByte] |= (byte)(1 << (int)(block & 7));
            }

            // The memory copy changes only after the bits are durable: a writer that finds its bit set may write at once.
            _file.Position = SideOffset(side, _sideLength) + firstByte;
            _file.Write(bytes, 0, bytes.Length);
            _file.Flush();
            Buffer.BlockCopy(bytes, 0, _sides[side], (int)firstByte, bytes.Length);
        }
    }

    /// <summary>
    /// Freezes the dirty blocks for a round: the other side becomes active (or, if an earlier frozen set was never
    /// released, the active side is merged into it). The caller keeps writes out while this runs.
    /// </summary>
    public DirtyBlockSet Freeze()
    {
        lock (_gate)
        {
            if (_header.Frozen)
            {
                var frozen = 1 - _header.ActiveSide;
                Or(into: frozen, from: _header.ActiveSide);
                Clear(_header.ActiveSide);
            }
            else
            {
                Update(header => header with { ActiveSide = 1 - header.ActiveSide, Frozen = true });
            }

            return new DirtyBlockSet(BlockCount, (byte[])_sides[1 - _header.ActiveSide].Clone());
        }
    }

    /// <summary>
    /// Ends a round's hold on the frozen blocks: dropped when the round was recorded (<paramref name="copied"/>; the
    /// bitmap is complete from then on), merged back into the active side when it was not.
    /// </summary>
    public void Release(bool copied)
    {
        lock (_gate)
        {
            if (!_header.Frozen)
            {
                return;
            }

            var frozen = 1 - _header.ActiveSide;
            if (!copied)
            {
                Or(into: _header.ActiveSide, from: frozen);
            }

            // Cleared before the header says so: the side that becomes active next must hold no stale bits.
            Clear(frozen);
            Update(header => header with { Frozen = false, Complete = header.Complete || copied });
        }
    }

    /// <summary>Records, before the first write that reaches the replica outside a round, that rounds must compare the replica's dirty blocks.</summary>
    public void MarkReplicaMirrored()
    {
        lock (_gate)
        {
            if (!_header.ReplicaMirrored)
            {
                Update(header => header with { ReplicaMirrored = true });
            }
        }
    }

    /// <summary>Blocks dirty on either side: what the next round would copy.</summary>
    public long DirtyBlockCount
    {
        get
        {
            lock (_gate)
            {
                return DirtyBlockSet.CountDirty(_sides[0], _sides[1], BlockCount);
            }
        }
    }

    /// <summary>
    /// Closes the bitmap as its export stops: <paramref name="copyStamp"/>, the volume file's stamp taken once the
    /// export's last write is old enough to be told from any later one, lets the next holder see writes made meanwhile.
    /// </summary>
    public void CloseByExport(string? copyStamp)
    {
        Update(header => header with { InUse = false, ClosingStamp = copyStamp });
        Dispose();
    }

    public void Dispose() => _file.Dispose();

    private static DirtyBitmap? TryOpen(SidecarFile path, Guid volumeId, long volumeSize, string? copyStamp, FileShare share)
    {
        Stream file;
        try
        {
            file = path.Open(share == FileShare.None ? FileMode.Open : FileMode.OpenOrCreate, FileAccess.ReadWrite, share);
        }
        catch (FileNotFoundException)
        {
            return null; // Absent (only an exclusive open does not create it).
        }
        catch (IOException) when (path.Exists())
        {
            return null; // Held by someone else right now.
        }

        try
        {
            var blockCount = BlockMap.BlockCountFor(volumeSize, BlockMap.DefaultBlockSize);
            var header = ReadHeader(file);
            DirtyBitmap bitmap;
            if (header is null || !header.Describes(volumeId, volumeSize))
            {
                // New, or not a trustworthy bitmap of this volume: start empty, and incomplete until a round is released.
                bitmap = new DirtyBitmap(file, new Header(volumeId, volumeSize), blockCount);
                file.SetLength(0);
                file.SetLength(SideOffset(2, bitmap._sideLength));
                bitmap.WriteHeader();
                return bitmap;
            }

            bitmap = new DirtyBitmap(file, header, blockCount);
            for (var side = 0; side < 2; side++)
            {
                file.Position = SideOffset(side, bitmap._sideLength);
                ReadFully(file, bitmap._sides[side]);
            }

            if (!header.InUse && header.ClosingStamp != copyStamp && header.Complete)
            {
                bitmap.Update(h => h with { Complete = false });
            }

            return bitmap;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private bool AllSet(int side, long first, long last)
    {
        var bits = _sides[side];
        for (var block = first; block <= last; block++)
        {
            if ((bits[block >> 3] & (1 << (int)(block & 7))) == 0)
            {
                return false;
            }
        }

        return true;
    }

    private void Or(int into, int from)
    {
        var target = _sides[into];
        var source = _sides[from];
        for (var i = 0; i < target.Length; i++)
        {
            target[i] |= source[i];
        }

        WriteSide(into);
    }

    private void Clear(int side)
    {
        Array.Clear(_sides[side], 0, _sides[side].Length);
        WriteSide(side);
    }

    private void WriteSide(int side)
    {
        _file.Position = SideOffset(side, _sideLength);
        _file.Write(_sides[side], 0, _sides[side].Length);
        _file.Flush();
    }

    private void Update(Func<Header, Header> change)
    {
        _header = change(_header);
        WriteHeader();
    }

    /// <summary>The header fits one 512-byte sector, which disks write whole; a torn or damaged one fails its checksum and the bitmap starts over incomplete.</summary>
    private void WriteHeader()
    {
        var bytes = _header.ToBytes();
        _file.Position = 0;
        _file.Write(bytes, 0, bytes.Length);
        _file.Flush();
    }

    private static Header? ReadHeader(Stream file)
    {
        if (file.Length < HeaderLength)
        {
            return null;
        }

        var bytes = new byte[HeaderLength];
        file.Position = 0;
        ReadFully(file, bytes);
        return Header.Parse(bytes);
    }

    private static long SideOffset(int side, long sideLength) => SideAlignment + (side * sideLength);

    private static long RoundUp(long value, int alignment) => Math.Max(alignment, (value + alignment - 1) / alignment * alignment);

    private static void ReadFully(Stream stream, byte[] buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = stream.Read(buffer, total, buffer.Length - total);
            if (read == 0)
            {
                throw new InvalidDataException("The dirty bitmap file is shorter than its header says.");
            }

            total += read;
        }
    }

    private sealed record Header(Guid VolumeId, long VolumeSize)
    {
        public int ActiveSide { get; init; }

        public bool Frozen { get; init; }

        public bool Complete { get; init; }

        public bool ReplicaMirrored { get; init; }

        public bool InUse { get; init; }

        public string? ClosingStamp { get; init; }

        public bool Describes(Guid volumeId, long volumeSize) => VolumeId == volumeId && VolumeSize == volumeSize;

        public byte[] ToBytes()
        {
            var bytes = new byte[HeaderLength];
            Buffer.BlockCopy(Magic, 0, bytes, 0, Magic.Length);
            BitConverter.GetBytes(1).CopyTo(bytes, 8);
            BitConverter.GetBytes(BlockMap.DefaultBlockSize).CopyTo(bytes, 12);
            BitConverter.GetBytes(VolumeSize).CopyTo(bytes, 16);
            VolumeId.ToByteArray().CopyTo(bytes, 24);
            bytes[40] = (byte)ActiveSide;
            bytes[41] = Flag(Frozen);
            bytes[42] = Flag(Complete);
            bytes[43] = Flag(ReplicaMirrored);
            bytes[44] = Flag(InUse);
            var stamp = Encoding.UTF8.GetBytes(ClosingStamp ?? "");
            if (stamp.Length > MaxStampLength)
            {
                throw new ArgumentException($"A copy stamp is at most {MaxStampLength} bytes.", nameof(ClosingStamp));
            }

            BitConverter.GetBytes((ushort)(ClosingStamp is null ? ushort.MaxValue : stamp.Length)).CopyTo(bytes, 48);
            stamp.CopyTo(bytes, 50);
            BitConverter.GetBytes(XxHash64.HashToUInt64(bytes.AsSpan(0, HeaderLength - 8))).CopyTo(bytes, HeaderLength - 8);
            return bytes;
        }

        public static Header? Parse(byte[] bytes)
        {
            if (!bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic) || BitConverter.ToInt32(bytes, 8) != 1 || BitConverter.ToInt32(bytes, 12) != BlockMap.DefaultBlockSize
                || BitConverter.ToUInt64(bytes, HeaderLength - 8) != XxHash64.HashToUInt64(bytes.AsSpan(0, HeaderLength - 8)) || bytes[40] > 1)
            {
                return null;
            }

            var stampLength = BitConverter.ToUInt16(bytes, 48);
            return new Header(new Guid(bytes.AsSpan(24, 16).ToArray()), BitConverter.ToInt64(bytes, 16))
            {
                ActiveSide = bytes[40],
                Frozen = bytes[41] != 0,
                Complete = bytes[42] != 0,
                ReplicaMirrored = bytes[43] != 0,
                InUse = bytes[44] != 0,
                ClosingStamp = stampLength == ushort.MaxValue ? null : stampLength <= MaxStampLength ? Encoding.UTF8.GetString(bytes, 50, stampLength) : null,
            };
        }

        private static byte Flag(bool value) => value ? (byte)1 : (byte)0;
    }
}
