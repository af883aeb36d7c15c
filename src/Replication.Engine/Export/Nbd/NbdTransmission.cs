using System;
using System.IO;
using System.Text;
using Replication.Engine.Errors;
using static Replication.Engine.Export.Nbd.NbdProtocol;

namespace Replication.Engine.Export.Nbd;

/// <summary>
/// The transmission phase of one connection: requests are read and answered one at a time, in order. A request the
/// server can parse but refuses (a range outside the export, an oversized read, an unknown command or flag) gets an
/// error reply and the connection goes on; a frame the server cannot parse (bad magic, a write payload too large to
/// step over, a connection cut mid-frame) ends the connection, and so does a client that stays idle or stalls past its
/// timeouts (<see cref="NbdClientWaits"/>). A write's payload is read whole before anything is written, so a truncated
/// frame writes nothing. With structured replies, reads answer in one data chunk, block status in one status chunk,
/// and errors in an error chunk that says why; other successes keep the simple reply, as the protocol allows.
/// </summary>
internal sealed class NbdTransmission
{
    private const int HeaderLength = 28;
    private const int ChunkHeaderLength = 20;

    private readonly Stream _input;
    private readonly Stream _output;
    private readonly INbdExport _export;
    private readonly NbdAgreement _agreement;
    private readonly INbdSession _session;
    private readonly NbdClientWaits _waits;
    private readonly byte[] _header = new byte[HeaderLength];
    private readonly byte[] _reply = new byte[ChunkHeaderLength + 8];
    private byte[] _buffer = new byte[64 * 1024];
    private byte[]? _status;
    private int _statusLength;

    public NbdTransmission(Stream input, Stream output, NbdAgreement agreement, INbdSession session, NbdClientWaits waits)
    {
        _input = input;
        _output = output;
        _export = agreement.Export;
        _agreement = agreement;
        _session = session;
        _waits = waits;
    }

    /// <summary>Serves requests until the client disconnects (NBD_CMD_DISC or closing), breaks the framing, or runs out of time.</summary>
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

            var (error, message) = Execute(command, flags, offset, length);
            if (error != 0)
            {
                ReplyError(cookie, error, message);
            }
            else if (command == CmdRead)
            {
                ReplyData(cookie, offset, (int)length);
            }
            else if (command == CmdBlockStatus)
            {
                ReplyChunk(cookie, ReplyTypeBlockStatus, _status!, _statusLength);
            }
            else
            {
                ReplySimple(cookie, 0);
            }

            _output.Flush();
        }
    }

    /// <summary>False at a clean end of the stream (between frames) or a frame that cannot be parsed.</summary>
    private bool ReadHeader()
    {
        _waits.BetweenRequests();
        var first = _input.Read(_header, 0, HeaderLength);
        if (first == 0)
        {
            return false;
        }

        _waits.InFrame();
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

    /// <summary>Runs the command: 0 when done (a read's data is then in the buffer, a block status in its own), else an NBD errno and why.</summary>
    private (uint Error, string? Message) Execute(ushort command, ushort flags, ulong offset, uint length)
    {
        var fua = (flags & CmdFlagFua) != 0;
        try
        {
            switch (command)
            {
                case CmdRead:
                    // FUA is valid on every command once advertised (the protocol says to accept it); a read has nothing to persist.
                    RequireFlags(flags, CmdFlagFua);
                    RequireRange(offset, length, ErrInvalid);
                    EnsureBuffer((int)length);
                    _session.Read((long)offset, _buffer, (int)length);
                    break;
                case CmdWrite:
                    RequireFlags(flags, CmdFlagFua);
                    RequireRange(offset, length, ErrNoSpace);
                    _session.Write((long)offset, _buffer, (int)length, fua);
                    break;
                case CmdFlush:
                    RequireFlags(flags, CmdFlagFua);
                    if (offset != 0 || length != 0)
                    {
                        throw new NbdCommandException(ErrInvalid, "NBD_CMD_FLUSH takes neither offset nor length.");
                    }

                    _session.Flush();
                    break;
                case CmdTrim:
                    RequireFlags(flags, CmdFlagFua);
                    RequireRange(offset, length, ErrInvalid);
                    _session.Discard((long)offset, (int)length, keepAllocated: false, fua);
                    break;
                case CmdWriteZeroes:
                    RequireFlags(flags, (ushort)(CmdFlagFua | CmdFlagNoHole));
                    RequireRange(offset, length, ErrNoSpace);
                    _session.Discard((long)offset, (int)length, keepAllocated: (flags & CmdFlagNoHole) != 0, fua);
                    break;
                case CmdBlockStatus:
                    RequireFlags(flags, (ushort)(CmdFlagFua | CmdFlagReqOne));
                    BlockStatus(offset, length, onlyOne: (flags & CmdFlagReqOne) != 0);
                    break;
                default:
                    return (ErrInvalid, $"This server does not know command {command}.");
            }

            return (0, null);
        }
        catch (NbdCommandException refused)
        {
            return (refused.Error, refused.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ReplicationException)
        {
            return (ErrIo, "The volume could not be read or written.");
        }
    }

    /// <summary>
    /// The base:allocation extents of the range, from where the volume's storage has data: data is status 0, a hole reads
    /// as zeros (HOLE | ZERO). Runs of one status are merged; a reply ends after <see cref="MaxBlockStatusExtents"/> extents
    /// (one with NBD_CMD_FLAG_REQ_ONE), and the client asks again from there.
    /// </summary>
    private void BlockStatus(ulong offset, uint length, bool onlyOne)
    {
        if (_agreement.AllocationContext is not { } context)
        {
            throw new NbdCommandException(ErrInvalid, "NBD_CMD_BLOCK_STATUS needs the base:allocation meta context, selected with NBD_OPT_SET_META_CONTEXT for this export.");
        }

        if (length == 0)
        {
            throw new NbdCommandException(ErrInvalid, "The length is zero.");
        }

        RequireInside(offset, length, ErrInvalid);
        var limit = onlyOne ? 1 : MaxBlockStatusExtents;
        _status ??= new byte[4 + (8 * MaxBlockStatusExtents)];
        NbdWire.Put(_status, 0, context);
        _statusLength = 4;
        var extents = new ExtentRun(this, limit);
        var position = (long)offset;
        var end = position + length;
        foreach (var (dataOffset, dataLength) in _session.AllocatedExtents(position, length))
        {
            // Clamped, so that whatever the storage reports the extents stay in order and inside the range.
            var start = Math.Max(dataOffset, position);
            var stop = Math.Min(dataOffset + dataLength, end);
            if (stop <= start)
            {
                continue;
            }

            if (!extents.Add(start - position, StateHole | StateZero) || !extents.Add(stop - start, 0))
            {
                return;
            }

            position = stop;
        }

        if (extents.Add(end - position, StateHole | StateZero))
        {
            extents.Finish();
        }
    }

    private void PutExtent(long length, uint state)
    {
        NbdWire.Put(_status!, _statusLength, (uint)length);
        NbdWire.Put(_status!, _statusLength + 4, state);
        _statusLength += 8;
    }

    private static void RequireFlags(ushort flags, ushort allowed)
    {
        if ((flags & ~allowed) != 0)
        {
            throw new NbdCommandException(ErrInvalid, "The request carries a flag this command does not take.");
        }
    }

    /// <summary>Offset and length must lie inside the export, checked without overflow; reads and writes are at most <see cref="MaxPayload"/>.</summary>
    private void RequireRange(ulong offset, uint length, uint beyondEndError)
    {
        if (length == 0 || length > MaxPayload)
        {
            throw new NbdCommandException(ErrInvalid, "The length is zero or larger than the maximum block size.");
        }

        RequireInside(offset, length, beyondEndError);
    }

    private void RequireInside(ulong offset, uint length, uint beyondEndError)
    {
        var size = (ulong)_export.Size;
        if (offset > size || length > size - offset)
        {
            throw new NbdCommandException(beyondEndError, "The range reaches beyond the end of the export.");
        }
    }

    private void ReplySimple(ulong cookie, uint error)
    {
        NbdWire.Put(_reply, 0, SimpleReplyMagic);
        NbdWire.Put(_reply, 4, error);
        NbdWire.Put(_reply, 8, cookie);
        _output.Write(_reply, 0, 16);
    }

    /// <summary>A read's data: one NBD_REPLY_TYPE_OFFSET_DATA chunk with structured replies, else after a simple reply.</summary>
    private void ReplyData(ulong cookie, ulong offset, int length)
    {
        if (_agreement.StructuredReplies)
        {
            ChunkHeader(cookie, ReplyTypeOffsetData, 8 + length);
            NbdWire.Put(_reply, ChunkHeaderLength, offset);
            _output.Write(_reply, 0, ChunkHeaderLength + 8);
        }
        else
        {
            ReplySimple(cookie, 0);
        }

        _output.Write(_buffer, 0, length);
    }

    /// <summary>An error: with structured replies an NBD_REPLY_TYPE_ERROR chunk carrying the reason (required for reads), else a simple reply.</summary>
    private void ReplyError(ulong cookie, uint error, string? message)
    {
        if (!_agreement.StructuredReplies)
        {
            ReplySimple(cookie, error);
            return;
        }

        var text = Encoding.UTF8.GetBytes(message ?? "");
        var payload = new byte[6 + text.Length];
        NbdWire.Put(payload, 0, error);
        NbdWire.Put(payload, 4, (ushort)text.Length);
        Buffer.BlockCopy(text, 0, payload, 6, text.Length);
        ReplyChunk(cookie, ReplyTypeError, payload, payload.Length);
    }

    private void ReplyChunk(ulong cookie, ushort type, byte[] payload, int length)
    {
        ChunkHeader(cookie, type, length);
        _output.Write(_reply, 0, ChunkHeaderLength);
        _output.Write(payload, 0, length);
    }

    /// <summary>The header of the one (so the last) chunk of a structured reply.</summary>
    private void ChunkHeader(ulong cookie, ushort type, int length)
    {
        NbdWire.Put(_reply, 0, StructuredReplyMagic);
        NbdWire.Put(_reply, 4, ReplyFlagDone);
        NbdWire.Put(_reply, 6, type);
        NbdWire.Put(_reply, 8, cookie);
        NbdWire.Put(_reply, 16, (uint)length);
    }

    private void EnsureBuffer(int length)
    {
        if (_buffer.Length < length)
        {
            _buffer = new byte[Math.Min(MaxPayload, Math.Max(length, _buffer.Length * 2))];
        }
    }

    /// <summary>Extents as they are found, a run of one status merged into one extent, up to a limit.</summary>
    private sealed class ExtentRun
    {
        private readonly NbdTransmission _owner;
        private readonly int _limit;
        private int _written;
        private long _length;
        private uint _state;

        public ExtentRun(NbdTransmission owner, int limit)
        {
            _owner = owner;
            _limit = limit;
        }

        /// <summary>Adds a range (nothing when empty); false once the limit is reached, when the rest is not looked at.</summary>
        public bool Add(long length, uint state)
        {
            if (length <= 0)
            {
                return true;
            }

            if (_length > 0 && state != _state)
            {
                Finish();
                if (_written == _limit)
                {
                    return false;
                }
            }

            _state = state;
            _length += length;
            return true;
        }

        public void Finish()
        {
            if (_length > 0)
            {
                _owner.PutExtent(_length, _state);
                _written++;
                _length = 0;
            }
        }
    }
}
