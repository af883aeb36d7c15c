using System.IO.Hashing;
using System.IO;
using System.Text;
using System;
using Replication.Engine.Diagnostics;
using Replication.Engine.Errors;
using Replication.Engine.Files;
using Replication.Engine.Replication;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>
/// A sync round's changes, staged beside the replica before any byte of the replica changes. The journal is written
/// under a temporary name, flushed, and renamed: the rename is the commit. A committed journal is applied to the replica
/// (again after a crash: applying is idempotent), recorded by the engine, then deleted. So the replica always equals
/// either the previous round or the new one, never a mix, even if the primary vanishes or the process dies mid-round.
/// </summary>
/// <remarks>
/// Layout (little-endian): magic "RPSJ", format 2, volume id, generation, round start (UTC ticks), block size,
/// volume size, group token (a flag, then 16 bytes when set; format 1 had an unused text field there); entries (kind 1 = data: block, length, bytes; kind 2 = hole: block, length) ended by kind 0;
/// the new block map; an XxHash64 of everything before it.
/// </remarks>
internal static class SyncJournal
{
    private const uint Magic = 0x4A535052; // "RPSJ"
    private const int Format = 2;
    private const int FormatWithoutGroup = 1;
    private const byte EndOfEntries = 0;
    private const byte DataEntry = 1;
    private const byte HoleEntry = 2;

    public sealed record Header
    {
        public Guid VolumeId { get; init; }

        public long Generation { get; init; }

        public DateTimeOffset StartedAt { get; init; }

        public int BlockSize { get; init; }

        public long VolumeSize { get; init; }

        /// <summary>The group round this journal belongs to: applied only once that round is committed in state.</summary>
        public Guid? GroupToken { get; init; }
    }

    /// <summary>Collects a round's changes in the uncommitted journal file.</summary>
    public sealed class Writer : IBlockSink, IDisposable
    {
        private readonly VerifiedFolder _folder;
        private readonly string _name;
        private readonly string _path;
        private readonly FileStream _file;
        private readonly HashingWriteStream _hashing;
        private readonly BinaryWriter _writer;
        private readonly Header _header;
        private bool _disposed;

        /// <summary>Starts the uncommitted journal <paramref name="uncommittedName"/> in <paramref name="folder"/>, replacing a leftover one (removed, never written through).</summary>
        public Writer(VerifiedFolder folder, string uncommittedName, Header header)
        {
            _folder = folder;
            _name = uncommittedName;
            _path = folder.PathOf(uncommittedName);
            _header = header;
            _file = TargetIo.Run(_path, () =>
            {
                folder.Delete(uncommittedName);
                return folder.OpenFile(uncommittedName, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
            });
            _hashing = new HashingWriteStream(_file);
            _writer = new BinaryWriter(_hashing, Encoding.UTF8, leaveOpen: true);
            TargetIo.Run(_path, () =>
            {
                _writer.Write(Magic);
                _writer.Write(Format);
                _writer.Write(header.VolumeId.ToByteArray());
                _writer.Write(header.Generation);
                _writer.Write(header.StartedAt.UtcTicks);
                _writer.Write(header.BlockSize);
                _writer.Write(header.VolumeSize);
                _writer.Write(header.GroupToken is not null);
                if (header.GroupToken is { } token)
                {
                    _writer.Write(token.ToByteArray());
                }
            });
        }

        public void Write(long block, byte[] buffer, int offset, int count) => TargetIo.Run(_path, () =>
        {
            _writer.Write(DataEntry);
            _writer.Write(block);
            _writer.Write(count);
            _writer.Write(buffer, offset, count);
            CrashPoints.Hit("journal.after-block");
        });

        public void Deallocate(long block, int length) => TargetIo.Run(_path, () =>
        {
            _writer.Write(HoleEntry);
            _writer.Write(block);
            _writer.Write(length);
        });

        /// <summary>Ends the journal with the new map and its checksum, makes it durable, and commits it under its final name.</summary>
        public void Commit(BlockMap newMap, string committedName) => TargetIo.Run(_path, () =>
        {
            if (newMap.BlockSize != _header.BlockSize || newMap.VolumeSize != _header.VolumeSize)
            {
                throw new InvalidOperationException("The journal's map does not fit its header.");
            }

            _writer.Write(EndOfEntries);
            _writer.Write(newMap.ToBytes());
            _writer.Flush();
            var checksum = _hashing.Checksum;
            _file.Write(BitConverter.GetBytes(checksum), 0, sizeof(ulong));
            _file.Flush(flushToDisk: true);
            Dispose();
            // The rename is atomic, and durable once the folder is synced.
            _folder.Rename(_name, committedName);
            _folder.Sync();
            CrashPoints.Hit("journal.after-commit");
        });

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            // Flushing here fails only when a write already failed (a full disk, say): that failure is the one to report,
            // and the caller deletes the uncommitted journal. FileStream closes its handle even when its flush throws.
            IgnoringIoErrors(_writer.Dispose);
            IgnoringIoErrors(_file.Dispose);
        }
    }

    private static void IgnoringIoErrors(Action dispose)
    {
        try
        {
            dispose();
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Reads and checks a committed journal's header and map, without applying it.</summary>
    public static (Header Header, BlockMap Map) ReadCommitted(FileStream file, string path)
    {
        VerifyChecksum(file, path);
        file.Position = 0;
        using var reader = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
        var header = ReadHeader(reader, path);
        SkipEntries(reader, path);
        var map = BlockMap.FromBytes(header.BlockSize, header.VolumeSize,
            reader.ReadBytes(checked((int)(BlockMap.BlockCountFor(header.VolumeSize, header.BlockSize) * BlockMap.HashSize))));
        return (header, map);
    }

    /// <summary>Applies a committed (already verified) journal's entries to the target and flushes the target to disk.</summary>
    public static (long BlocksWritten, long BytesWritten, long BlocksDeallocated) Apply(FileStream file, string path, FileStream target)
    {
        file.Position = 0;
        using var reader = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
        var header = ReadHeader(reader, path);
        var buffer = new byte[header.BlockSize];
        long written = 0, bytes = 0, holes = 0;
        for (var kind = reader.ReadByte(); kind != EndOfEntries; kind = reader.ReadByte())
        {
            var block = reader.ReadInt64();
            var length = reader.ReadInt32();
            if (length <= 0 || length > header.BlockSize || block < 0 || (block * header.BlockSize) + length > header.VolumeSize)
            {
                throw Corrupt(path, $"entry for block {block} of {length} bytes is out of range");
            }

            if (kind == DataEntry)
            {
                ReadFully(reader.BaseStream, buffer, length, path);
                TransientIo.Run(() =>
                {
                    target.Position = block * header.BlockSize;
                    target.Write(buffer, 0, length);
                });
                CrashPoints.Hit("apply.after-block");
                written++;
                bytes += length;
            }
            else if (kind == HoleEntry)
            {
                TransientIo.Run(() => SparseFile.PunchHole(target, block * header.BlockSize, length));
                holes++;
            }
            else
            {
                throw Corrupt(path, $"unknown entry kind {kind}");
            }
        }

        target.Flush(flushToDisk: true);
        return (written, bytes, holes);
    }

    private static Header ReadHeader(BinaryReader reader, string path)
    {
        var format = reader.ReadUInt32() == Magic ? reader.ReadInt32() : -1;
        if (format is not (Format or FormatWithoutGroup))
        {
            throw Corrupt(path, "it is not a sync journal of a known format");
        }

        var header = new Header
        {
            VolumeId = new Guid(reader.ReadBytes(16)),
            Generation = reader.ReadInt64(),
            StartedAt = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero),
            BlockSize = reader.ReadInt32(),
            VolumeSize = reader.ReadInt64(),
        };
        if (format == FormatWithoutGroup)
        {
            reader.ReadString(); // Format 1 kept an unused text field here.
            return header;
        }

        return reader.ReadBoolean() ? header with { GroupToken = new Guid(reader.ReadBytes(16)) } : header;
    }

    private static void SkipEntries(BinaryReader reader, string path)
    {
        for (var kind = reader.ReadByte(); kind != EndOfEntries; kind = reader.ReadByte())
        {
            reader.ReadInt64();
            var length = reader.ReadInt32();
            if (kind == DataEntry)
            {
                reader.BaseStream.Seek(length, SeekOrigin.Current);
            }
            else if (kind != HoleEntry)
            {
                throw Corrupt(path, $"unknown entry kind {kind}");
            }
        }
    }

    private static void VerifyChecksum(FileStream file, string path)
    {
        if (file.Length < sizeof(ulong))
        {
            throw Corrupt(path, "it is too short");
        }

        var hash = new XxHash64();
        var buffer = new byte[1 << 20];
        var remaining = file.Length - sizeof(ulong);
        while (remaining > 0)
        {
            var n = file.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (n == 0)
            {
                throw Corrupt(path, "it ended early");
            }

            hash.Append(buffer.AsSpan(0, n));
            remaining -= n;
        }

        var stored = new byte[sizeof(ulong)];
        ReadFully(file, stored, stored.Length, path);
        if (BitConverter.ToUInt64(stored, 0) != hash.GetCurrentHashAsUInt64())
        {
            throw Corrupt(path, "its checksum does not match its content");
        }
    }

    private static void ReadFully(Stream stream, byte[] buffer, int length, string path)
    {
        var total = 0;
        while (total < length)
        {
            var n = stream.Read(buffer, total, length - total);
            if (n == 0)
            {
                throw Corrupt(path, "it ended early");
            }

            total += n;
        }
    }

    private static ReplicationException Corrupt(string path, string why) =>
        new(ErrorIds.SyncJournalCorrupt, ErrorKind.InvalidData,
            $"The sync journal '{path}' cannot be used: {why}. The replica may hold part of an unfinished round; Enable-Replication recopies what differs.", path);
}
