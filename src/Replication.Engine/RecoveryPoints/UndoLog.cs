using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Hashing;
using System.Text;
using Replication.Drivers;
using Replication.Engine.Replication;

namespace Replication.Engine.RecoveryPoints;

/// <summary>
/// One point's undo log: the contents, before a change, of exactly the blocks the change overwrote. The log is written
/// whole and made durable, then committed by a small record put in one atomic replace; a log without its record is
/// never read (it is a capture a crash cut short, made again before anything it covers is overwritten).
/// </summary>
/// <remarks>
/// Log (little-endian): magic "RPUN", format, volume id, the point's round, the change's identity (its round and start
/// in UTC ticks), block size, volume size; entries (kind 1 = data: block, length, XxHash128 of the old bytes, the old
/// bytes; kind 2 = zeros: block, length, hash) ended by kind 0; an XxHash64 of everything before it. Commit record
/// "RPUC": format, the log's length and checksum, the change's identity, an XxHash64 of the record.
/// </remarks>
internal sealed class UndoLog : IDisposable
{
    private const uint Magic = 0x4E555052; // "RPUN"
    private const uint CommitMagic = 0x43555052; // "RPUC"
    private const int Format = 1;
    private const byte EndOfEntries = 0;
    private const byte DataEntry = 1;
    private const byte ZeroEntry = 2;

    private readonly Stream _file;

    private UndoLog(Stream file, UndoIdentity identity, long round, int blockSize, long volumeSize, IReadOnlyList<Entry> entries, long length)
    {
        _file = file;
        Identity = identity;
        Round = round;
        BlockSize = blockSize;
        VolumeSize = volumeSize;
        Entries = entries;
        Length = length;
    }

    /// <summary>The change this log undoes.</summary>
    public UndoIdentity Identity { get; }

    /// <summary>The round the log takes the blocks it holds back to.</summary>
    public long Round { get; }

    public int BlockSize { get; }

    public long VolumeSize { get; }

    public IReadOnlyList<Entry> Entries { get; }

    /// <summary>The log's bytes: what the point holds.</summary>
    public long Length { get; }

    public static string Prefix(Guid volumeId) => $"volume-{volumeId:D}.undo-";

    public static string Name(Guid volumeId, long round) => Prefix(volumeId) + round.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    public static string CommitName(Guid volumeId, long round) => Name(volumeId, round) + ".ok";

    /// <summary>The round a sidecar name of <see cref="Prefix"/> belongs to; null for a name not of this format.</summary>
    public static long? RoundOf(Guid volumeId, string name)
    {
        var rest = name.Substring(Prefix(volumeId).Length);
        if (rest.EndsWith(".ok", StringComparison.Ordinal))
        {
            rest = rest.Substring(0, rest.Length - 3);
        }

        return rest.Length == 19 && long.TryParse(rest, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var round) ? round : null;
    }

    /// <summary>The identity of the change the committed log of the round undoes; null when none is committed (or its record is unreadable).</summary>
    public static UndoIdentity? CommittedIdentity(ISidecarStore store, Guid volumeId, long round)
    {
        var record = store.Read(CommitName(volumeId, round));
        return record is null ? null : ParseRecord(record)?.Identity;
    }

    /// <summary>
    /// Writes the log of <paramref name="blocks"/> as <paramref name="device"/> holds them now, makes it durable and commits
    /// it; returns its length. An older log of the round (a change that never happened) is replaced.
    /// </summary>
    public static long Write(ISidecarStore store, Guid volumeId, long round, UndoIdentity identity, int blockSize, long volumeSize,
        IEnumerable<(long Block, int Length)> blocks, IBlockDevice device)
    {
        store.Delete(CommitName(volumeId, round));
        store.Delete(Name(volumeId, round));
        long length;
        ulong checksum;
        using (var file = store.Open(Name(volumeId, round), SidecarAccess.OpenOrCreate))
        {
            file.SetLength(0);
            var hashing = new Rounds.HashingWriteStream(file);
            using (var writer = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(Magic);
                writer.Write(Format);
                writer.Write(volumeId.ToByteArray());
                writer.Write(round);
                writer.Write(identity.Round);
                writer.Write(identity.StartedTicks);
                writer.Write(blockSize);
                writer.Write(volumeSize);
                var buffer = new byte[blockSize];
                var hash = new byte[BlockMap.HashSize];
                foreach (var (block, count) in blocks)
                {
                    device.Read(block * blockSize, buffer, 0, count);
                    var zero = IsZero(buffer, count);
                    BlockMap.Hash(buffer.AsSpan(0, count), hash);
                    writer.Write(zero ? ZeroEntry : DataEntry);
                    writer.Write(block);
                    writer.Write(count);
                    writer.Write(hash);
                    if (!zero)
                    {
                        writer.Write(buffer, 0, count);
                    }

                    Diagnostics.CrashPoints.Hit("undo.after-block");
                }

                writer.Write(EndOfEntries);
            }

            checksum = hashing.Checksum;
            file.Write(BitConverter.GetBytes(checksum), 0, sizeof(ulong));
            file.Flush();
            length = file.Length;
        }

        store.Replace(CommitName(volumeId, round), Record(length, checksum, identity));
        Diagnostics.CrashPoints.Hit("undo.after-commit");
        return length;
    }

    /// <summary>Opens the committed log of the round, checked against its record and checksum; null when none is committed.</summary>
    /// <exception cref="InvalidDataException">The log does not match its record, or is damaged.</exception>
    public static UndoLog? Open(ISidecarStore store, Guid volumeId, long round)
    {
        var bytes = store.Read(CommitName(volumeId, round));
        if (bytes is null)
        {
            return null;
        }

        var record = ParseRecord(bytes) ?? throw new InvalidDataException("its commit record does not match its checksum");
        Stream file;
        try
        {
            file = store.Open(Name(volumeId, round), SidecarAccess.Read);
        }
        catch (Exception ex) when (ex is FileNotFoundException || (ex is StorageDriverException driver && (driver.InnerException is FileNotFoundException || driver.ErrorId == DriverErrorIds.CopyMissing)))
        {
            throw new InvalidDataException("the log its commit record names is gone");
        }

        try
        {
            if (file.Length != record.Length)
            {
                throw new InvalidDataException("it is not the length its commit record says");
            }

            var log = Read(file, record);
            if (log.Identity != record.Identity || log.Round != round)
            {
                throw new InvalidDataException("it is not the log its commit record names");
            }

            return log;
        }
        catch (EndOfStreamException ex)
        {
            file.Dispose();
            throw new InvalidDataException("it ended early", ex);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Forgets the round's log: its commit record first, so what is left is never read.</summary>
    public static void Delete(ISidecarStore store, Guid volumeId, long round)
    {
        store.Delete(CommitName(volumeId, round));
        store.Delete(Name(volumeId, round));
    }

    /// <summary>Reads the old bytes of an entry (zeros for a zero entry) into <paramref name="buffer"/>.</summary>
    public void ReadEntry(Entry entry, long offsetInBlock, byte[] buffer, int bufferOffset, int count)
    {
        if (entry.DataOffset < 0)
        {
            Array.Clear(buffer, bufferOffset, count);
            return;
        }

        _file.Position = entry.DataOffset + offsetInBlock;
        ReadFully(_file, buffer, bufferOffset, count);
    }

    public void Dispose() => _file.Dispose();

    private static UndoLog Read(Stream file, CommitRecord record)
    {
        VerifyChecksum(file, record);
        file.Position = 0;
        using var reader = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
        if (reader.ReadUInt32() != Magic || reader.ReadInt32() != Format)
        {
            throw new InvalidDataException("it is not an undo log of a known format");
        }

        reader.ReadBytes(16);
        var round = reader.ReadInt64();
        var identity = new UndoIdentity(reader.ReadInt64(), reader.ReadInt64());
        var blockSize = reader.ReadInt32();
        var volumeSize = reader.ReadInt64();
        var entries = new List<Entry>();
        for (var kind = reader.ReadByte(); kind != EndOfEntries; kind = reader.ReadByte())
        {
            var block = reader.ReadInt64();
            var length = reader.ReadInt32();
            var hash = reader.ReadBytes(BlockMap.HashSize);
            if (length <= 0 || length > blockSize || block < 0 || (block * blockSize) + length > volumeSize || hash.Length != BlockMap.HashSize)
            {
                throw new InvalidDataException($"its entry for block {block} of {length} bytes is out of range");
            }

            if (kind == DataEntry)
            {
                entries.Add(new Entry(block, length, hash, file.Position));
                file.Seek(length, SeekOrigin.Current);
            }
            else if (kind == ZeroEntry)
            {
                entries.Add(new Entry(block, length, hash, -1));
            }
            else
            {
                throw new InvalidDataException($"it has an unknown entry kind {kind}");
            }
        }

        return new UndoLog(file, identity, round, blockSize, volumeSize, entries, file.Length);
    }

    private static void VerifyChecksum(Stream file, CommitRecord record)
    {
        var sums = Rounds.TrailingChecksum.Read(file) ?? throw new EndOfStreamException();
        if (sums.Stored != sums.Computed || record.Checksum != sums.Computed)
        {
            throw new InvalidDataException("its checksum does not match its content");
        }
    }

    private static byte[] Record(long length, ulong checksum, UndoIdentity identity)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(CommitMagic);
            writer.Write(Format);
            writer.Write(length);
            writer.Write(checksum);
            writer.Write(identity.Round);
            writer.Write(identity.StartedTicks);
            writer.Flush();
            writer.Write(XxHash64.HashToUInt64(memory.ToArray()));
        }

        return memory.ToArray();
    }

    private static CommitRecord? ParseRecord(byte[] bytes)
    {
        const int size = (sizeof(uint) * 2) + (sizeof(long) * 5);
        if (bytes.Length != size || BitConverter.ToUInt32(bytes, 0) != CommitMagic || BitConverter.ToInt32(bytes, 4) != Format ||
            BitConverter.ToUInt64(bytes, size - sizeof(ulong)) != XxHash64.HashToUInt64(bytes.AsSpan(0, size - sizeof(ulong))))
        {
            return null;
        }

        return new CommitRecord(BitConverter.ToInt64(bytes, 8), BitConverter.ToUInt64(bytes, 16), new UndoIdentity(BitConverter.ToInt64(bytes, 24), BitConverter.ToInt64(bytes, 32)));
    }

    private static bool IsZero(byte[] buffer, int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (buffer[i] != 0)
            {
                return false;
            }
        }

        return true;
    }

    private static void ReadFully(Stream stream, byte[] buffer, int offset, int count)
    {
        var total = 0;
        while (total < count)
        {
            var n = stream.Read(buffer, offset + total, count - total);
            if (n == 0)
            {
                throw new EndOfStreamException();
            }

            total += n;
        }
    }

    /// <summary>One block's old contents: at <see cref="DataOffset"/> in the log, or zeros when that is negative.</summary>
    internal sealed record Entry(long Block, int Length, byte[] Hash, long DataOffset);

    private sealed record CommitRecord(long Length, ulong Checksum, UndoIdentity Identity);
}

/// <summary>The change an undo log undoes: the round it made and when that round started (a round that was discarded and made again starts anew).</summary>
internal readonly record struct UndoIdentity(long Round, long StartedTicks);
