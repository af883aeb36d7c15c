using System;
using System.Collections.Generic;
using Google.Protobuf;
using Replication.Agent.Protocol;

namespace Replication.Drivers.Agent;

/// <summary>A copy the agent holds open for this process, read and written at byte offsets by calls to the agent.</summary>
internal sealed class AgentBlockDevice : IBlockDevice
{
    // Larger reads and writes go in pieces, each well inside a message.
    private const int MaxPiece = 4 << 20;

    private readonly AgentClient _agent;
    private readonly long _handle;
    private bool _closed;

    public AgentBlockDevice(AgentClient agent, Opened opened)
    {
        _agent = agent;
        _handle = opened.Handle;
        Length = opened.Length;
    }

    public long Length { get; }

    public void Read(long offset, byte[] buffer, int bufferOffset, int count)
    {
        for (var done = 0; done < count;)
        {
            var piece = Math.Min(MaxPiece, count - done);
            var at = offset + done;
            var bytes = _agent.Call((client, options) => client.ReadAt(new ReadRequest { Handle = _handle, Offset = at, Count = piece }, options));
            bytes.Value.Span.CopyTo(buffer.AsSpan(bufferOffset + done, piece));
            done += piece;
        }
    }

    public void Write(long offset, byte[] buffer, int bufferOffset, int count)
    {
        for (var done = 0; done < count;)
        {
            var piece = Math.Min(MaxPiece, count - done);
            var request = new WriteRequest { Handle = _handle, Offset = offset + done, Data = ByteString.CopyFrom(buffer, bufferOffset + done, piece) };
            _agent.Call((client, options) => client.WriteAt(request, options));
            done += piece;
        }
    }

    public void Flush() => _agent.Call((client, options) => client.Flush(new Handle { Handle_ = _handle }, options));

    public void Zero(long offset, long length, bool deallocate) =>
        _agent.Call((client, options) => client.Zero(new ZeroRequest { Handle = _handle, Offset = offset, Length = length, Deallocate = deallocate }, options));

    public IEnumerable<Replication.Drivers.Extent> AllocatedExtents(long offset, long length)
    {
        var extents = _agent.Call((client, options) => client.AllocatedExtents(new ExtentsRequest { Handle = _handle, Offset = offset, Length = length }, options));
        foreach (var extent in extents.Extents_)
        {
            yield return new Replication.Drivers.Extent(extent.Offset, extent.Length);
        }
    }

    public void Dispose()
    {
        if (_closed)
        {
            return;
        }

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
}
