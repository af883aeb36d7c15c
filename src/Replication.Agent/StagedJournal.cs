using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using Replication.Drivers;

namespace Replication.Agent;

/// <summary>
/// The journal a round is staged into (<c>LOCATION.staged</c>): a header (a mark, the round, the copy's size, the point in
/// time), then one record per block as it arrived: offset, length (negative for a range of zeros), the data, and the
/// SHA-256 of the block's content. The hash makes every record checkable on its own, so a journal a cut left behind is
/// read up to its last whole record and the next attempt of the round goes on from there.
/// </summary>
public static class StagedJournal
{
    public const int HeaderBytes = 32;
    private const int RecordHeadBytes = 16;
    private const int HashBytes = 32;
    private static readonly long Mark = BinaryPrimitives.ReadInt64LittleEndian("RPSTAGE2"u8);
    private static readonly byte[] Zeros = new byte[AgentLimits.ReplicationBlockBytes];

    public readonly record struct Header(long Round, long SizeBytes, long PointInTimeTicks);

    public readonly record struct Record(long Offset, long Length, long DataPosition, byte[] Hash)
    {
        public bool IsZeros => Length < 0;
    }

    public static void WriteHeader(Stream journal, Header header)
    {
        var head = new byte[HeaderBytes];
        BinaryPrimitives.WriteInt64LittleEndian(head, Mark);
        BinaryPrimitives.WriteInt64LittleEndian(head.AsSpan(8), header.Round);
        BinaryPrimitives.WriteInt64LittleEndian(head.AsSpan(16), header.SizeBytes);
        BinaryPrimitives.WriteInt64LittleEndian(head.AsSpan(24), header.PointInTimeTicks);
        journal.Position = 0;
        journal.Write(head, 0, head.Length);
    }

    /// <summary>The journal's header, or nothing when it has none of this format (empty, torn, or older).</summary>
    public static Header? ReadHeader(Stream journal)
    {
        if (journal.Length < HeaderBytes)
        {
            return null;
        }

        var head = new byte[HeaderBytes];
        journal.Position = 0;
        journal.ReadExactly(head, 0, head.Length);
        return BinaryPrimitives.ReadInt64LittleEndian(head) == Mark
            ? new Header(BinaryPrimitives.ReadInt64LittleEndian(head.AsSpan(8)), BinaryPrimitives.ReadInt64LittleEndian(head.AsSpan(16)), BinaryPrimitives.ReadInt64LittleEndian(head.AsSpan(24)))
            : null;
    }

    public static void WriteData(Stream journal, long offset, ReadOnlySpan<byte> data)
    {
        WriteRecordHead(journal, offset, data.Length);
        journal.Write(data);
        journal.Write(SHA256.HashData(data));
    }

    public static void WriteZeros(Stream journal, long offset, long length)
    {
        WriteRecordHead(journal, offset, -length);
        journal.Write(ZerosHash(length));
    }

    /// <summary>
    /// The whole, intact records after the header, in order; <paramref name="end"/> is where the last ends (a torn or
    /// damaged record and everything after it are not the round's).
    /// </summary>
    public static List<Record> ReadRecords(Stream journal, long sizeBytes, out long end)
    {
        var records = new List<Record>();
        var head = new byte[RecordHeadBytes];
        var hash = new byte[HashBytes];
        var data = new byte[AgentLimits.ReplicationBlockBytes];
        journal.Position = end = HeaderBytes;
        while (journal.Length - journal.Position >= RecordHeadBytes + HashBytes)
        {
            journal.ReadExactly(head, 0, head.Length);
            var offset = BinaryPrimitives.ReadInt64LittleEndian(head);
            var length = BinaryPrimitives.ReadInt64LittleEndian(head.AsSpan(8));
            var count = Math.Abs(length);
            var dataBytes = length > 0 ? length : 0;
            if (offset < 0 || count == 0 || count > data.Length || offset + count > sizeBytes || journal.Length - journal.Position < dataBytes + HashBytes)
            {
                break;
            }

            var position = journal.Position;
            journal.ReadExactly(data, 0, (int)dataBytes);
            journal.ReadExactly(hash, 0, hash.Length);
            var expected = length > 0 ? SHA256.HashData(data.AsSpan(0, (int)length)) : ZerosHash(count);
            if (!expected.AsSpan().SequenceEqual(hash))
            {
                break;
            }

            records.Add(new Record(offset, length, position, expected));
            end = journal.Position;
        }

        return records;
    }

    private static void WriteRecordHead(Stream journal, long offset, long length)
    {
        Span<byte> head = stackalloc byte[RecordHeadBytes];
        BinaryPrimitives.WriteInt64LittleEndian(head, offset);
        BinaryPrimitives.WriteInt64LittleEndian(head[8..], length);
        journal.Write(head);
    }

    private static byte[] ZerosHash(long length) => length <= Zeros.Length
        ? SHA256.HashData(Zeros.AsSpan(0, (int)length))
        : throw new StorageDriverException(DriverErrorIds.IoFault, $"A range of {length} zeros is larger than a block.");
}
