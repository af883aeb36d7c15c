using System;
using System.IO;
using System.Text;
using static Replication.Engine.Export.Nbd.NbdProtocol;

namespace Replication.Engine.Export.Nbd;

/// <summary>
/// The fixed-newstyle handshake: the server's greeting, the client's flags, then options until the client picks an
/// export (NBD_OPT_EXPORT_NAME or NBD_OPT_GO), aborts, or leaves. A client may ask for structured replies and then
/// select the base:allocation meta context (<see cref="NbdMetaContextQuery"/>), which NBD_CMD_BLOCK_STATUS answers; one
/// that does not is served with simple replies. Options this server does not offer (TLS among them) are answered
/// NBD_REP_ERR_UNSUP.
/// </summary>
internal sealed class NbdNegotiation
{
    private readonly Stream _input;
    private readonly Stream _output;
    private readonly INbdExportDirectory _exports;
    private readonly byte[] _header = new byte[16];
    private bool _noZeroes;
    private bool _structuredReplies;

    /// <summary>The export whose base:allocation context the last NBD_OPT_SET_META_CONTEXT selected, or null.</summary>
    private string? _allocationSelectedFor;

    public NbdNegotiation(Stream input, Stream output, INbdExportDirectory exports)
    {
        _input = input;
        _output = output;
        _exports = exports;
    }

    /// <summary>What the client chose, or null when it aborted or broke the protocol (then the connection just ends).</summary>
    public NbdAgreement? Run()
    {
        var greeting = new byte[18];
        NbdWire.Put(greeting, 0, InitMagic);
        NbdWire.Put(greeting, 8, OptionMagic);
        NbdWire.Put(greeting, 16, (ushort)(FlagFixedNewstyle | FlagNoZeroes));
        _output.Write(greeting, 0, greeting.Length);
        _output.Flush();

        NbdWire.ReadExactly(_input, _header, 0, 4);
        var clientFlags = NbdWire.U32(_header, 0);
        // A client that does not speak fixed newstyle, or sends flags this server does not know, must be disconnected.
        if ((clientFlags & ClientFlagFixedNewstyle) == 0 || (clientFlags & ~(ClientFlagFixedNewstyle | ClientFlagNoZeroes)) != 0)
        {
            return null;
        }

        _noZeroes = (clientFlags & ClientFlagNoZeroes) != 0;
        while (true)
        {
            NbdWire.ReadExactly(_input, _header, 0, 16);
            if (NbdWire.U64(_header, 0) != OptionMagic)
            {
                return null;
            }

            var option = NbdWire.U32(_header, 8);
            var length = NbdWire.U32(_header, 12);
            if (length > MaxOptionLength)
            {
                return null;
            }

            var data = new byte[length];
            NbdWire.ReadExactly(_input, data, 0, data.Length);
            switch (option)
            {
                case OptExportName:
                    return ExportName(data) is { } named ? Agreement(named) : null;
                case OptAbort:
                    Reply(option, RepAck);
                    return null;
                case OptList:
                    List(data);
                    break;
                case OptInfo:
                case OptGo:
                    if (InfoOrGo(option, data) is { } chosen)
                    {
                        return Agreement(chosen);
                    }

                    break;
                case OptStructuredReply:
                    StructuredReply(data);
                    break;
                case OptListMetaContext:
                case OptSetMetaContext:
                    MetaContext(option, data);
                    break;
                default:
                    Reply(option, RepErrUnsupported, $"This server does not offer option {option} (it offers no TLS).");
                    break;
            }
        }
    }

    /// <summary>The old way to choose: no error reply exists for an unknown name, so the connection ends.</summary>
    private INbdExport? ExportName(byte[] data)
    {
        if (data.Length > MaxNameLength || _exports.Find(Encoding.UTF8.GetString(data)) is not { } export)
        {
            return null;
        }

        var reply = new byte[10 + (_noZeroes ? 0 : 124)];
        NbdWire.Put(reply, 0, (ulong)export.Size);
        NbdWire.Put(reply, 8, TransmissionFlags);
        _output.Write(reply, 0, reply.Length);
        _output.Flush();
        return export;
    }

    private void List(byte[] data)
    {
        if (data.Length != 0)
        {
            Reply(OptList, RepErrInvalid, "NBD_OPT_LIST takes no data.");
            return;
        }

        foreach (var name in _exports.Names)
        {
            var bytes = Encoding.UTF8.GetBytes(name);
            var payload = new byte[4 + bytes.Length];
            NbdWire.Put(payload, 0, (uint)bytes.Length);
            Buffer.BlockCopy(bytes, 0, payload, 4, bytes.Length);
            Reply(OptList, RepServer, payload);
        }

        Reply(OptList, RepAck);
    }

    /// <summary>NBD_OPT_INFO describes an export; NBD_OPT_GO describes it and starts the transmission phase with it.</summary>
    private INbdExport? InfoOrGo(uint option, byte[] data)
    {
        var nameLength = data.Length >= 4 ? NbdWire.U32(data, 0) : uint.MaxValue;
        if (nameLength > MaxNameLength || data.Length < 4 + nameLength + 2)
        {
            Reply(option, RepErrInvalid, "The option's data is shorter than its name and request count say.");
            return null;
        }

        var name = Encoding.UTF8.GetString(data, 4, (int)nameLength);
        var requestCount = NbdWire.U16(data, 4 + (int)nameLength);
        if (data.Length != 4 + nameLength + 2 + (2 * requestCount))
        {
            Reply(option, RepErrInvalid, "The option's length does not match its information requests.");
            return null;
        }

        if (_exports.Find(name) is not { } export)
        {
            Reply(option, RepErrUnknown, $"There is no export named '{Rules.Names.Printable(name)}'.");
            return null;
        }

        var info = new byte[12];
        NbdWire.Put(info, 0, InfoExport);
        NbdWire.Put(info, 2, (ulong)export.Size);
        NbdWire.Put(info, 10, TransmissionFlags);
        Reply(option, RepInfo, info);
        for (var i = 0; i < requestCount; i++)
        {
            switch (NbdWire.U16(data, 4 + (int)nameLength + 2 + (2 * i)))
            {
                case InfoBlockSize:
                    var sizes = new byte[14];
                    NbdWire.Put(sizes, 0, InfoBlockSize);
                    NbdWire.Put(sizes, 2, 1u);
                    NbdWire.Put(sizes, 6, (uint)PreferredBlockSize);
                    NbdWire.Put(sizes, 10, (uint)MaxPayload);
                    Reply(option, RepInfo, sizes);
                    break;
                case InfoName:
                    var nameBytes = Encoding.UTF8.GetBytes(export.Name);
                    var named = new byte[2 + nameBytes.Length];
                    NbdWire.Put(named, 0, InfoName);
                    Buffer.BlockCopy(nameBytes, 0, named, 2, nameBytes.Length);
                    Reply(option, RepInfo, named);
                    break;
            }
        }

        Reply(option, RepAck);
        return option == OptGo ? export : null;
    }

    private static ushort TransmissionFlags =>
        TransHasFlags | TransSendFlush | TransSendFua | TransSendTrim | TransSendWriteZeroes | TransCanMultiConn;

    /// <summary>Block status is served only when the context was selected for the very export chosen (as the protocol requires).</summary>
    private NbdAgreement Agreement(INbdExport export) =>
        new(export, _structuredReplies, _structuredReplies && _allocationSelectedFor == export.Name ? AllocationContextId : null);

    private void StructuredReply(byte[] data)
    {
        if (data.Length != 0)
        {
            Reply(OptStructuredReply, RepErrInvalid, "NBD_OPT_STRUCTURED_REPLY takes no data.");
            return;
        }

        _structuredReplies = true;
        Reply(OptStructuredReply, RepAck);
    }

    /// <summary>
    /// NBD_OPT_LIST_META_CONTEXT lists, and NBD_OPT_SET_META_CONTEXT selects, the contexts the queries name; base:allocation
    /// is the only one this server has. A set replaces the previous selection even when it fails, so the selection is
    /// dropped first. Nothing is replied before the whole option has been parsed.
    /// </summary>
    private void MetaContext(uint option, byte[] data)
    {
        var selecting = option == OptSetMetaContext;
        if (selecting)
        {
            _allocationSelectedFor = null;
        }

        if (!_structuredReplies)
        {
            Reply(option, RepErrInvalid, "Meta contexts need structured replies: send NBD_OPT_STRUCTURED_REPLY first.");
            return;
        }

        if (NbdMetaContextQuery.Parse(data) is not { } query)
        {
            Reply(option, RepErrInvalid, "The option's lengths do not add up, or a query does not start with a namespace and a colon.");
            return;
        }

        if (_exports.Find(query.ExportName) is null)
        {
            Reply(option, RepErrUnknown, $"There is no export named '{Rules.Names.Printable(query.ExportName)}'.");
            return;
        }

        if (selecting ? query.SelectsAllocation : query.ListsAllocation)
        {
            var context = new byte[4 + AllocationContextName.Length];
            NbdWire.Put(context, 0, selecting ? AllocationContextId : 0u);
            Encoding.UTF8.GetBytes(AllocationContextName, 0, AllocationContextName.Length, context, 4);
            Reply(option, RepMetaContext, context);
            if (selecting)
            {
                _allocationSelectedFor = query.ExportName;
            }
        }

        Reply(option, RepAck);
    }

    private void Reply(uint option, uint type, string message) => Reply(option, type, Encoding.UTF8.GetBytes(message));

    private void Reply(uint option, uint type, byte[]? payload = null)
    {
        var length = payload?.Length ?? 0;
        var frame = new byte[20 + length];
        NbdWire.Put(frame, 0, OptionReplyMagic);
        NbdWire.Put(frame, 8, option);
        NbdWire.Put(frame, 12, type);
        NbdWire.Put(frame, 16, (uint)length);
        if (payload is not null)
        {
            Buffer.BlockCopy(payload, 0, frame, 20, length);
        }

        _output.Write(frame, 0, frame.Length);
        _output.Flush();
    }
}
