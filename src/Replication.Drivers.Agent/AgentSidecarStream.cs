using System;
using System.IO;
using Google.Protobuf;
using Replication.Agent.Protocol;

namespace Replication.Drivers.Agent;

/// <summary>
/// A sidecar the agent holds open (exclusively, for a writer) as a seekable stream: every read and write is a call to
/// the agent at the stream's position; the length is tracked here, as this stream is the sidecar's only writer.
/// </summary>
internal sealed class AgentSidecarStream : Stream
{
    private const int MaxPiece = 4 << 20;

    private readonly AgentClient _agent;
    private readonly long _handle;
    private readonly bool _writable;
    private long _length;
    private long _position;
    private bool _closed;

    public AgentSidecarStream(AgentClient agent, Opened opened, bool writable)
    {
        _agent = agent;
        _handle = opened.Handle;
        _length = opened.Length;
        _writable = writable;
    }

    public override bool CanRead => !_closed;

    public override bool CanSeek => !_closed;

    public override bool CanWrite => !_closed && _writable;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        var piece = (int)Math.Min(Math.Min(count, MaxPiece), Math.Max(0, _length - _position));
        if (piece == 0)
        {
            return 0;
        }

        var at = _position;
        var bytes = _agent.Call((client, options) => client.ReadAt(new ReadRequest { Handle = _handle, Offset = at, Count = piece }, options)).Value;
        bytes.Span.CopyTo(buffer.AsSpan(offset, bytes.Length));
        _position += bytes.Length;
        return bytes.Length;
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (!_writable)
        {
            throw new NotSupportedException("The sidecar was opened to read.");
        }

        for (var done = 0; done < count;)
        {
            var piece = Math.Min(MaxPiece, count - done);
            var request = new WriteRequest { Handle = _handle, Offset = _position, Data = ByteString.CopyFrom(buffer, offset + done, piece) };
            _agent.Call((client, options) => client.WriteAt(request, options));
            _position += piece;
            _length = Math.Max(_length, _position);
            done += piece;
        }
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => _length + offset,
        };
        return _position;
    }

    public override void SetLength(long value)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        _agent.Call((client, options) => client.SetLength(new LengthRequest { Handle = _handle, Length = value }, options));
        _length = value;
    }

    /// <summary>Makes what was written durable on the agent's storage.</summary>
    public override void Flush()
    {
        if (!_closed && _writable)
        {
            _agent.Call((client, options) => client.Flush(new Handle { Handle_ = _handle }, options));
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            try
            {
                _agent.Call((client, options) => client.Close(new Handle { Handle_ = _handle }, options));
            }
            catch (StorageDriverException)
            {
                // An agent that cannot be reached closed the handle with the connection.
            }
        }

        base.Dispose(disposing);
    }
}
