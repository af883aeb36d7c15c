using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;
using static Replication.Engine.Tests.Export.RawNbdClient;

namespace Replication.Engine.Tests.Export;

/// <summary>
/// The parts of the NBD protocol a raw client needs for structured replies and meta contexts: the options that ask for
/// them, and reading the chunks that answer.
/// </summary>
internal static class StructuredNbd
{
    public const uint OptListMetaContext = 9;
    public const uint OptSetMetaContext = 10;
    public const uint RepMetaContext = 4;
    public const uint RepErrInvalid = (1u << 31) + 3;
    public const uint StructuredReplyMagic = 0x668e33ef;
    public const ushort CmdBlockStatus = 7;
    public const ushort CmdFlagReqOne = 1 << 3;
    public const ushort ReplyFlagDone = 1;
    public const ushort ReplyTypeOffsetData = 1;
    public const ushort ReplyTypeBlockStatus = 5;
    public const ushort ReplyTypeError = (1 << 15) + 1;
    public const uint StateHole = 1;
    public const uint StateZero = 2;
    public const string Allocation = "base:allocation";

    /// <summary>Greeted, flags sent, structured replies acknowledged: options may follow.</summary>
    public static RawNbdClient Structured(System.Net.IPEndPoint endpoint)
    {
        var client = Greeted(endpoint);
        client.SendClientFlags(3);
        client.SendOption(OptStructuredReply, Array.Empty<byte>());
        Assert.Equal(RepAck, client.ReadOptionReply(OptStructuredReply).Type);
        return client;
    }

    /// <summary>Structured replies, base:allocation selected and the export chosen: in the transmission phase, with the context's id.</summary>
    public static RawNbdClient WithAllocation(System.Net.IPEndPoint endpoint, string exportName, out uint contextId)
    {
        var client = Structured(endpoint);
        contextId = SelectAllocation(client, exportName);
        Go(client, exportName);
        return client;
    }

    /// <summary>NBD_OPT_SET_META_CONTEXT of base:allocation for the export, which the server selects: the context's id.</summary>
    public static uint SelectAllocation(RawNbdClient client, string exportName)
    {
        client.SendOption(OptSetMetaContext, MetaContextData(exportName, Allocation));
        var (type, payload) = client.ReadOptionReply(OptSetMetaContext);
        Assert.Equal(RepMetaContext, type);
        Assert.Equal(Allocation, Encoding.UTF8.GetString(payload, 4, payload.Length - 4));
        Assert.Equal(RepAck, client.ReadOptionReply(OptSetMetaContext).Type);
        return BinaryPrimitives.ReadUInt32BigEndian(payload);
    }

    /// <summary>NBD_OPT_GO, its information read up to the acknowledgement.</summary>
    public static void Go(RawNbdClient client, string exportName)
    {
        client.SendOption(OptGo, GoData(exportName));
        uint type;
        while ((type = client.ReadOptionReply(OptGo).Type) == RepInfo)
        {
        }

        Assert.Equal(RepAck, type);
    }

    /// <summary>The data of NBD_OPT_LIST_META_CONTEXT and NBD_OPT_SET_META_CONTEXT: the export name, then the queries.</summary>
    public static byte[] MetaContextData(string exportName, params string[] queries)
    {
        var data = new List<byte>();
        AddString(data, exportName);
        data.AddRange(U32((uint)queries.Length));
        foreach (var query in queries)
        {
            AddString(data, query);
        }

        return data.ToArray();
    }

    public static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    /// <summary>Reads one structured reply chunk for <paramref name="cookie"/>.</summary>
    public static (ushort Flags, ushort Type, byte[] Payload) ReadChunk(RawNbdClient client, ulong cookie)
    {
        var header = client.ReadExactly(20);
        Assert.Equal(StructuredReplyMagic, BinaryPrimitives.ReadUInt32BigEndian(header));
        Assert.Equal(cookie, BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(8)));
        return (BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(4)), BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(6)),
            client.ReadExactly((int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(16))));
    }

    /// <summary>Reads a reply that must be one error chunk (the last of its reply) and returns its NBD errno.</summary>
    public static uint ReadErrorChunk(RawNbdClient client, ulong cookie)
    {
        var (flags, type, payload) = ReadChunk(client, cookie);
        Assert.Equal(ReplyTypeError, type);
        Assert.Equal(ReplyFlagDone, flags);
        Assert.Equal(payload.Length - 6, BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(4)));
        return BinaryPrimitives.ReadUInt32BigEndian(payload);
    }

    /// <summary>Reads a block status reply: one chunk, the last, for <paramref name="contextId"/>; its extents.</summary>
    public static List<(uint Length, uint State)> ReadBlockStatus(RawNbdClient client, ulong cookie, uint contextId)
    {
        var (flags, type, payload) = ReadChunk(client, cookie);
        Assert.Equal(ReplyTypeBlockStatus, type);
        Assert.Equal(ReplyFlagDone, flags);
        Assert.Equal(0, (payload.Length - 4) % 8);
        Assert.Equal(contextId, BinaryPrimitives.ReadUInt32BigEndian(payload));
        var extents = new List<(uint, uint)>();
        for (var at = 4; at < payload.Length; at += 8)
        {
            extents.Add((BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(at)), BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(at + 4))));
        }

        return extents;
    }

    /// <summary>A read answered in one data chunk: its bytes.</summary>
    public static byte[] ReadData(RawNbdClient client, ulong cookie, ulong offset)
    {
        var (flags, type, payload) = ReadChunk(client, cookie);
        Assert.Equal(ReplyTypeOffsetData, type);
        Assert.Equal(ReplyFlagDone, flags);
        Assert.Equal(offset, BinaryPrimitives.ReadUInt64BigEndian(payload));
        return payload.AsSpan(8).ToArray();
    }

    private static void AddString(List<byte> data, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        data.AddRange(U32((uint)bytes.Length));
        data.AddRange(bytes);
    }
}
