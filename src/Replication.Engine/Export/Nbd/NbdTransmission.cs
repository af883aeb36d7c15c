using System;
using System.IO;
using Replication.Engine.Errors;
using static Replication.Engine.Export.Nbd.NbdProtocol;

namespace Replication.Engine.Export.Nbd;

/// <summary>
/// The transmission phase of one connection: requests are read and answered one at a time, in order. A request the
/// server can parse but refuses (a range outside the export, an oversized read, an unknown command or flag) gets an
/// error reply and the connection goes on; a frame the server cannot parse (bad magic, a write payload too large to
/// step over, a connection cut mid-frame) ends the connection. A write's payload is read whole before anything is
/// written, so a truncated frame writes nothing.
/// </summary>
internal sealed class NbdTransmission
{
    private const int HeaderLength = 28;

    private readonly Stream _input;
    private readonly Stream _output;
    private readonly INbdExport _export;
    private readonly INbdSession _session;
    private readonly byte[] _header = new byte[HeaderLength];
    private readonly byte[] _reply = new byte[16];
    private byte[] _buffer = new byte[64 * 1024];

    public NbdTransmission(Stream input, Stream output, INbdExport export, INbdSession session)
    {
        _input = input;
        _output = output;
        _export = export;
        _session = session;
    }

    /// <summary>Serves requests until the client disconnects (NBD_CMD_DISC or closing) or breaks the framing.</summary>
    public void Run()
    {
        while (ReadHeader())
        {
            var flags = NbdWire.U16(_header, 4);
            var command = NbdWire.U16(_header, 6);
            var cookie = NbdWire.U64(_header, 8);
            var offset = NbdWire.U64(_header, 16);
            var length = NbdWire.U32(_header, 24);
            if (command == CmdDisconnect)
            {
                return;
            }

            if (command == CmdWrite && !ReadPayload(length))
            {
                return;
            }

            var error = Execute(command, flags, offset, length);
            Reply(cookie, error, command == CmdRead && error == 0 ? (int)length : 0);
        }
    }

    /// <summary>False at a clean end of the stream (between frames) or a frame that cannot be parsed.</summary>
    private bool ReadHeader()
    {
        var first = _input.Read(_header, 0, HeaderLength);
        if (first == 0)
        {
            return false;
        }

        NbdWire.ReadExactly(_input, _header, first, HeaderLength - first);
        return NbdWire.U32(_header, 0) == RequestMagic;
    }

    /// <summary>Reads a write's payload whole. One longer than any write served cannot be stepped over cheaply: the connection ends.</summary>
    private bool ReadPayload(uint length)
    {
        if (length > MaxPayload)
        {
            return false;
        }

        EnsureBuffer((int)length);
        NbdWire.ReadExactly(_input, _buffer, 0, (int)length);
        return true;
    }

    private uint Execute(ushort command, ushort flags, ulong offset, uint length)
    {
        var fua = (flags & CmdFlagFua) != 0;
        try
        {
            switch (command)
            {
                case CmdRead:
                    RequireFlags(flags, 0);
                    RequireRange(offset, length, ErrInvalid);
                    EnsureBuffer((int)length);
                    _session.Read((long)offset, _buffer, (int)length);
                    return 0;
                case CmdWrite:
                    RequireFlags(flags, CmdFlagFua);
                    RequireRange(offset, length, ErrNoSpace);
                    _session.Write((long)offset, _buffer, (int)length, fua);
                    return 0;
                case CmdFlush:
                    RequireFlags(flags, 0);
                    if (offset != 0 || length != 0)
                    {
                        throw new NbdCommandException(ErrInvalid, "NBD_CMD_FLUSH takes neither offset nor length.");
                    }

                    _session.Flush();
                    return 0;
                case CmdTrim:
                    RequireFlags(flags, CmdFlagFua);
                    RequireRange(offset, length, ErrInvalid);
                    _session.Discard((long)offset, (int)length, keepAllocated: false, fua);
                    return 0;
                case CmdWriteZeroes:
                    RequireFlags(flags, (ushort)(CmdFlagFua | CmdFlagNoHole));
                    RequireRange(offset, length, ErrNoSpace);
                    _session.Discard((long)offset, (int)length, keepAllocated: (flags & CmdFlagNoHole) != 0, fua);
                    return 0;
                default:
                    return ErrInvalid;
            }
        }
        catch (NbdCommandException refused)
        {
            return refused.Error;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ReplicationException)
        {
            return ErrIo;
        }
    }

    private static void RequireFlags(ushort flags, ushort allowed)
    {
        if ((flags & ~allowed) != 0)
        {
            throw new NbdCommandException(ErrInvalid, "The request carries a flag this command does not take.");
        }
    }

    /// <summary>Offset and length must lie inside the export, checked without overflow; reads are at most <see cref="MaxPayload"/>.</summary>
    private void RequireRange(ulong offset, uint length, uint beyondEndError)
    {
        if (length == 0 || length > MaxPayload)
        {
            throw new NbdCommandException(ErrInvalid, "The length is zero or larger than the maximum block size.");
        }

        var size = (ulong)_export.Size;
        if (offset > size || length > size - offset)
        {
            throw new NbdCommandException(beyondEndError, "The range reaches beyond the end of the export.");
        }
    }

    private void Reply(ulong cookie, uint error, int dataLength)
    {
        NbdWire.Put(_reply, 0, SimpleReplyMagic);
        NbdWire.Put(_reply, 4, error);
        NbdWire.Put(_reply, 8, cookie);
        _output.Write(_reply, 0, _reply.Length);
        if (dataLength > 0)
        {
            _output.Write(_buffer, 0, dataLength);
        }

        _output.Flush();
    }

    private void EnsureBuffer(int length)
    {
        if (_buffer.Length < length)
        {
            _buffer = new byte[Math.Min(MaxPayload, Math.Max(length, _buffer.Length * 2))];
        }
    }
}
