using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Hashing;
using System.Linq;
using System.Text;
using Replication.Drivers;
using Replication.Engine.Diagnostics;
using Replication.Engine.Errors;
using Replication.Engine.Replication;

namespace Replication.Engine.Rounds;

/// <summary>
/// A sync round's changes, staged in the replica backend's sidecars before any byte of the replica changes. The journal
/// is written whole under its staged name and made durable; then a small commit record is put under the committed name
/// in one atomic replace: that is the commit. A committed journal is applied to the replica (again after a crash:
/// applying is idempotent), recorded by the engine, then discarded (record first, so a half-discarded journal is
/// uncommitted). So the replica always equals either the previous round or the new one, never a mix, even if the primary
/// vanishes or the process dies mid-round. A staged journal without a commit record is discarded by the next command.
/// </summary>
/// <remarks>
/// Journal (little-endian): magic "RPSJ", format, volume id, generation, round start (UTC ticks), block size, volume
/// size, group token (a flag, then 16 bytes when set; format 1 had an unused text field there); entries (kind 1 = data:
/// block, length, bytes; kind 2 = hole: block, length) ended by kind 0; the new block map; an XxHash64 of everything
/// before it. Format 3 is committed by a record "RPSC" (format, the journal's length and checksum, an XxHash64 of the
/// record); formats 1 and 2 (older versions) were committed by renaming the journal itself to the committed name.
/// </remarks>
internal static class SyncJournal
{
    private const uint Magic = 0x4A535052; // "RPSJ"
    private const uint CommitMagic = 0x43535052; // "RPSC"
    private const int Format = 3;
    private const int FormatRenamed = 2;
    private const int FormatWithoutGroup = 1;
    private const int CommitFormat = 1;
    private const byte EndOfEntries = 0;
    private const byte DataEntry = 1;
    private const byte HoleEntry = 2;

    /// <summary>The commit record's name, or a committed journal's of an older version.</summary>
    public static string CommittedName(Guid volumeId) => $"volume-{volumeId:D}.sync-journal";

    /// <summary>Where the journal is written, before and after its commit.</summary>
    public static string StagedName(Guid volumeId) => CommittedName(volumeId) + ".tmp";

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

    /// <summary>Collects a round's changes in the staged journal.</summary>
    public sealed class Writer : IBlockSink, IDisposable
    {
        private readonly ISidecarStore _store;
        private readonly string _name;
        private readonly string _where;
        private readonly Stream _file;
        private readonly HashingWriteStream _hashing;
        private readonly BinaryWriter _writer;
        private readonly Header _header;
        private bool _disposed;

        /// <summary>Starts the staged journal in <paramref name="store"/>, replacing a leftover one (removed, never written through).</summary>
        /// <param name="where">The journal as messages name it.</param>
        public Writer(ISidecarStore store, Header header, string where)
        {
            _store = store;
            _name = StagedName(header.VolumeId);
            _where = where;
            _header = header;
            using var journaling = RoundClock.In(RoundPhase.Journal);
            _file = Target(() =>
            {
                store.Delete(_name);
                var file = store.Open(_name, SidecarAccess.OpenOrCreate);
                file.SetLength(0);
                return file;
            });
            _hashing = new HashingWriteStream(_file);
            _writer = new BinaryWriter(_hashing, Encoding.UTF8, leaveOpen: true);
            Target(() =>
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

                return true;
            });
        }

        public void Write(long block, byte[] buffer, int offset, int count) => Target(() =>
        {
            using var journaling = RoundClock.In(RoundPhase.Journal);
            _writer.Write(DataEntry);
            _writer.Write(block);
            _writer.Write(count);
            _writer.Write(buffer, offset, count);
            CrashPoints.Hit("journal.after-block");
            return true;
        });

        public void Deallocate(long block, int length) => Target(() =>
        {
            using var journaling = RoundClock.In(RoundPhase.Journal);
            _writer.Write(HoleEntry);
            _writer.Write(block);
            _writer.Write(length);
            return true;
        });

        /// <summary>Ends the journal with the new map and its checksum, makes it durable, and commits it with its record.</summary>
        public void Commit(BlockMap newMap)
        {
            using var sealedJournal = Seal(newMap);
            sealedJournal.Commit();
        }

        /// <summary>
        /// Ends the journal with the new map and its checksum, written but neither durable nor committed: a batch of
        /// rounds commits many at once (<see cref="CommitAll"/>).
        /// </summary>
        public Sealed Seal(BlockMap newMap) => Target(() =>
        {
            if (newMap.BlockSize != _header.BlockSize || newMap.VolumeSize != _header.VolumeSize)
            {
                throw new InvalidOperationException("The journal's map does not fit its header.");
            }

            using var journaling = RoundClock.In(RoundPhase.Journal);
            _writer.Write(EndOfEntries);
            _writer.Write(newMap.ToBytes());
            _writer.Flush();
            var checksum = _hashing.Checksum;
            _file.Write(BitConverter.GetBytes(checksum), 0, sizeof(ulong));
            var length = _file.Length;
            _disposed = true;
            IgnoringIoErrors(_writer.Dispose);
            return new Sealed(_store, _header.VolumeId, _file, CommitRecord(length, checksum), _where);
        });

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            // Flushing here fails only when a write already failed (a full disk, say): that failure is the one to report,
            // and the caller removes the staged journal. A stream closes its handle even when its flush throws.
            IgnoringIoErrors(_writer.Dispose);
            IgnoringIoErrors(_file.Dispose);
        }

        private T Target<T>(Func<T> work) => Drivers.DriverFaults.Run(work, ErrorIds.ReplicaUnwritable, "Writing the sync journal", _where);
    }

    /// <summary>
    /// A journal written whole, not yet durable nor committed. Disposed uncommitted, it is a staged journal without a
    /// commit record: the next command discards it.
    /// </summary>
    public sealed class Sealed : IDisposable
    {
        private readonly Stream _file;
        private readonly byte[] _record;

        internal Sealed(ISidecarStore store, Guid volumeId, Stream file, byte[] record, string where)
        {
            Store = store;
            VolumeId = volumeId;
            Where = where;
            _file = file;
            _record = record;
        }

        public ISidecarStore Store { get; }

        public Guid VolumeId { get; }

        /// <summary>The journal as messages name it.</summary>
        public string Where { get; }

        /// <summary>The commit record, under the committed name: replacing it commits the journal.</summary>
        public KeyValuePair<string, byte[]> Record => new(CommittedName(VolumeId), _record);

        /// <summary>Makes the journal durable and commits it with its record.</summary>
        public void Commit()
        {
            MakeDurable();
            using (RoundClock.In(RoundPhase.Fsync))
            {
                // Writing a record of 36 bytes aside, syncing it, renaming it and syncing the folder: the syncs are its cost.
                Target(() => Store.Replace(Record.Key, Record.Value), Where);
            }

            CrashPoints.Hit("journal.after-commit");
        }

        /// <summary>Syncs the journal to disk and closes it; it is committed once its record is in place.</summary>
        public void MakeDurable()
        {
            using var syncing = RoundClock.In(RoundPhase.Fsync);
            Target(() => _file.Flush(), Where);
            Dispose();
        }

        public void Dispose() => IgnoringIoErrors(_file.Dispose);
    }

    /// <summary>
    /// Commits sealed journals together: all made durable at once, then their records replaced store by store, sharing
    /// the store's flushes where it offers <see cref="ISidecarBatchReplace"/>. Returns each journal's failure, null where
    /// it was committed; a journal that failed stays uncommitted.
    /// </summary>
    /// <param name="storeOf">Names the store each journal is in (its backend): a driver may hand out a new store object per call.</param>
    public static Exception?[] CommitAll(IReadOnlyList<Sealed> journals, Func<int, string> storeOf)
    {
        Exception?[] failures;
        using (RoundClock.In(RoundPhase.Fsync))
        {
            failures = Files.ConcurrentSyncs.Each(journals, journal => journal.MakeDurable());
            foreach (var byStore in Enumerable.Range(0, journals.Count).Where(i => failures[i] is null).GroupBy(storeOf, StringComparer.OrdinalIgnoreCase))
            {
                var members = byStore.ToList();
                var store = journals[members[0]].Store;
                if (store is ISidecarBatchReplace batch && members.Count > 1 &&
                    Failures.Of(() => Target(() => batch.ReplaceAll(members.Select(i => journals[i].Record).ToList()), journals[members[0]].Where)) is null)
                {
                    continue;
                }

                // One by one (a store without the batch, or a batch that failed): one journal's fault fails only its round.
                foreach (var i in members)
                {
                    failures[i] = Failures.Of(() => Target(() => store.Replace(journals[i].Record.Key, journals[i].Record.Value), journals[i].Where));
                }
            }
        }

        foreach (var _ in failures.Where(failure => failure is null))
        {
            CrashPoints.Hit("journal.after-commit");
        }

        return failures;
    }

    /// <summary>
    /// Opens the committed journal to read, checked against its commit record; null when none is committed. The header
    /// and map are read and checked; the stream is positioned nowhere in particular.
    /// </summary>
    public static (Stream Journal, Header Header, BlockMap Map)? OpenCommitted(ISidecarStore store, Guid volumeId, string where)
    {
        var committed = Open(store, CommittedName(volumeId));
        if (committed is null)
        {
            return null;
        }

        Stream? journal = null;
        try
        {
            journal = IsCommitRecord(committed, where) ? JournalOfRecord(store, committed, volumeId, where) : committed;
            VerifyChecksum(journal, where);
            var (header, map) = ReadHeaderAndMap(journal, where);
            if (!ReferenceEquals(journal, committed))
            {
                committed.Dispose();
            }

            return (journal, header, map);
        }
        catch (Exception ex) when (ex is EndOfStreamException or FormatException or IOException)
        {
            journal?.Dispose();
            committed.Dispose();
            throw new ReplicationException(ErrorIds.SyncJournalCorrupt, ErrorKind.InvalidData,
                $"The sync journal '{where}' cannot be read ({ex.Message}). Enable-Replication recopies what differs.", where, ex);
        }
        catch
        {
            journal?.Dispose();
            committed.Dispose();
            throw;
        }
    }

    /// <summary>The journal just committed by this process, opened to apply it; null when it is gone.</summary>
    public static Stream? OpenStaged(ISidecarStore store, Guid volumeId) => Open(store, StagedName(volumeId));

    /// <summary>Applies a committed (already verified) journal's entries to the target and flushes the target.</summary>
    /// <param name="flush">Flush the replica when done; a batch of rounds flushes its replicas together instead.</param>
    public static (long BlocksWritten, long BytesWritten, long BlocksDeallocated) Apply(Stream file, string where, IBlockDevice target, string targetName, bool flush = true)
    {
        file.Position = 0;
        using var reader = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
        var header = ReadHeader(reader, where);
        var buffer = new byte[header.BlockSize];
        long written = 0, bytes = 0, holes = 0;
        for (var kind = reader.ReadByte(); kind != EndOfEntries; kind = reader.ReadByte())
        {
            var block = reader.ReadInt64();
            var length = reader.ReadInt32();
            if (length <= 0 || length > header.BlockSize || block < 0 || (block * header.BlockSize) + length > header.VolumeSize)
            {
                throw Corrupt(where, $"entry for block {block} of {length} bytes is out of range");
            }

            using var writing = RoundClock.In(RoundPhase.ReplicaWrites);
            if (kind == DataEntry)
            {
                ReadFully(reader.BaseStream, buffer, length, where);
                Replica(() => target.Write(block * header.BlockSize, buffer, 0, length), targetName);
                CrashPoints.Hit("apply.after-block");
                written++;
                bytes += length;
            }
            else if (kind == HoleEntry)
            {
                Replica(() => target.Zero(block * header.BlockSize, length, deallocate: true), targetName);
                holes++;
            }
            else
            {
                throw Corrupt(where, $"unknown entry kind {kind}");
            }
        }

        if (flush)
        {
            using var syncing = RoundClock.In(RoundPhase.Fsync);
            Replica(target.Flush, targetName);
        }

        return (written, bytes, holes);
    }

    /// <summary>The blocks a committed (already verified) journal changes, with their lengths, and its header: what a recovery point's undo log captures before it is applied.</summary>
    public static (Header Header, IReadOnlyList<(long Block, int Length)> Blocks) Blocks(Stream file, string where)
    {
        file.Position = 0;
        using var reader = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
        var header = ReadHeader(reader, where);
        var blocks = new List<(long, int)>();
        for (var kind = reader.ReadByte(); kind != EndOfEntries; kind = reader.ReadByte())
        {
            var block = reader.ReadInt64();
            var length = reader.ReadInt32();
            if (length <= 0 || length > header.BlockSize || block < 0 || (block * header.BlockSize) + length > header.VolumeSize)
            {
                throw Corrupt(where, $"entry for block {block} of {length} bytes is out of range");
            }

            blocks.Add((block, length));
            if (kind == DataEntry)
            {
                reader.BaseStream.Seek(length, SeekOrigin.Current);
            }
            else if (kind != HoleEntry)
            {
                throw Corrupt(where, $"unknown entry kind {kind}");
            }
        }

        return (header, blocks);
    }

    /// <summary>Forgets a journal, committed or not: the commit record first, so what is left is never committed.</summary>
    public static void Discard(ISidecarStore store, Guid volumeId) => DiscardAll(store, new[] { volumeId });

    /// <summary>
    /// Forgets the journals of several volumes on one store: every commit record first (durably), then the journals, so what
    /// is left is never committed; with one flush each where the store removes in batches.
    /// </summary>
    public static void DiscardAll(ISidecarStore store, IReadOnlyList<Guid> volumeIds)
    {
        RemoveAll(store, volumeIds.Select(CommittedName).ToList());
        RemoveAll(store, volumeIds.Select(StagedName).ToList());
    }

    private static void RemoveAll(ISidecarStore store, IReadOnlyList<string> names)
    {
        if (store is ISidecarBatchRemoval batch)
        {
            batch.DeleteAll(names);
            return;
        }

        foreach (var name in names)
        {
            store.Delete(name);
        }
    }

    /// <summary>
    /// Removes a staged journal that no commit record names: a round that failed or was killed before its commit (beside
    /// a journal an older version committed by renaming it, the staged one is such a leftover too).
    /// </summary>
    public static void DiscardUncommitted(ISidecarStore store, Guid volumeId)
    {
        if (Open(store, CommittedName(volumeId)) is { } committed)
        {
            using (committed)
            {
                var magic = new byte[sizeof(uint)];
                if (committed.Length < magic.Length || committed.Read(magic, 0, magic.Length) < magic.Length || BitConverter.ToUInt32(magic, 0) == CommitMagic)
                {
                    return;
                }
            }
        }

        store.Delete(StagedName(volumeId));
    }


    private static void Target(Action work, string where) => Drivers.DriverFaults.Run(work, ErrorIds.ReplicaUnwritable, "Writing the sync journal", where);

    private static void Replica(Action write, string targetName) =>
        Drivers.DriverFaults.Run(write, ErrorIds.ReplicaUnwritable, "Writing the replica", targetName);

    private static Stream? Open(ISidecarStore store, string name)
    {
        try
        {
            return store.Open(name, SidecarAccess.Read);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (StorageDriverException ex) when (ex.InnerException is FileNotFoundException || ex.ErrorId == DriverErrorIds.CopyMissing)
        {
            return null;
        }
    }

    private static byte[] CommitRecord(long journalLength, ulong journalChecksum)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(CommitMagic);
            writer.Write(CommitFormat);
            writer.Write(journalLength);
            writer.Write(journalChecksum);
            writer.Write(XxHash64.HashToUInt64(memory.ToArray()));
        }

        return memory.ToArray();
    }

    private static bool IsCommitRecord(Stream committed, string where)
    {
        var magic = new byte[sizeof(uint)];
        ReadFully(committed, magic, magic.Length, where);
        committed.Position = 0;
        return BitConverter.ToUInt32(magic, 0) == CommitMagic;
    }

    private static Stream JournalOfRecord(ISidecarStore store, Stream record, Guid volumeId, string where)
    {
        var bytes = new byte[(sizeof(uint) * 2) + (sizeof(long) * 3)];
        if (record.Length != bytes.Length)
        {
            throw Corrupt(where, "its commit record has the wrong length");
        }

        ReadFully(record, bytes, bytes.Length, where);
        if (BitConverter.ToUInt64(bytes, bytes.Length - sizeof(ulong)) != XxHash64.HashToUInt64(bytes.AsSpan(0, bytes.Length - sizeof(ulong))) ||
            BitConverter.ToInt32(bytes, sizeof(uint)) != CommitFormat)
        {
            throw Corrupt(where, "its commit record does not match its checksum");
        }

        var length = BitConverter.ToInt64(bytes, sizeof(uint) * 2);
        var checksum = BitConverter.ToUInt64(bytes, (sizeof(uint) * 2) + sizeof(long));
        var journal = Open(store, StagedName(volumeId)) ?? throw Corrupt(where, "the journal its commit record names is gone");
        try
        {
            var stored = new byte[sizeof(ulong)];
            if (journal.Length != length)
            {
                throw Corrupt(where, "the journal is not the length its commit record says");
            }

            journal.Position = length - sizeof(ulong);
            ReadFully(journal, stored, stored.Length, where);
            if (BitConverter.ToUInt64(stored, 0) != checksum)
            {
                throw Corrupt(where, "the journal is not the one its commit record names");
            }

            journal.Position = 0;
            return journal;
        }
        catch
        {
            journal.Dispose();
            throw;
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
        catch (StorageDriverException)
        {
        }
    }

    private static (Header Header, BlockMap Map) ReadHeaderAndMap(Stream file, string where)
    {
        file.Position = 0;
        using var reader = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
        var header = ReadHeader(reader, where);
        SkipEntries(reader, where);
        var map = BlockMap.FromBytes(header.BlockSize, header.VolumeSize,
            reader.ReadBytes(checked((int)(BlockMap.BlockCountFor(header.VolumeSize, header.BlockSize) * BlockMap.HashSize))));
        return (header, map);
    }

    private static Header ReadHeader(BinaryReader reader, string where)
    {
        var format = reader.ReadUInt32() == Magic ? reader.ReadInt32() : -1;
        if (format is not (Format or FormatRenamed or FormatWithoutGroup))
        {
            throw Corrupt(where, "it is not a sync journal of a known format");
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

    private static void SkipEntries(BinaryReader reader, string where)
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
                throw Corrupt(where, $"unknown entry kind {kind}");
            }
        }
    }

    private static void VerifyChecksum(Stream file, string where)
    {
        var sums = TrailingChecksum.Read(file) ?? throw Corrupt(where, "it ended early");
        if (sums.Stored != sums.Computed)
        {
            throw Corrupt(where, "its checksum does not match its content");
        }
    }

    private static void ReadFully(Stream stream, byte[] buffer, int length, string where)
    {
        var total = 0;
        while (total < length)
        {
            var n = stream.Read(buffer, total, length - total);
            if (n == 0)
            {
                throw Corrupt(where, "it ended early");
            }

            total += n;
        }
    }

    private static ReplicationException Corrupt(string where, string why) =>
        new(ErrorIds.SyncJournalCorrupt, ErrorKind.InvalidData,
            $"The sync journal '{where}' cannot be used: {why}. The replica may hold part of an unfinished round; Enable-Replication recopies what differs.", where);
}
