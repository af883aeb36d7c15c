using System;
using System.Net.Sockets;

namespace Replication.Engine.Export.Nbd;

/// <summary>
/// How long a connection in the transmission phase waits on its client: the first byte of the next request within the
/// idle timeout (none when it is zero), each further byte of a frame within the stall timeout. A wait that runs out
/// makes the read throw, which ends the connection. (Replies are bound by the socket's send timeout, set once.)
/// </summary>
internal sealed class NbdClientWaits
{
    private readonly Socket _socket;
    private readonly int _idleMilliseconds;
    private readonly int _stallMilliseconds;
    private int _current = -1;

    public NbdClientWaits(Socket socket, TimeSpan idle, TimeSpan stall)
    {
        _socket = socket;
        _idleMilliseconds = (int)idle.TotalMilliseconds;
        _stallMilliseconds = (int)stall.TotalMilliseconds;
    }

    public void BetweenRequests() => Wait(_idleMilliseconds);

    public void InFrame() => Wait(_stallMilliseconds);

    /// <summary>Sets the socket's receive timeout (0: none) when it changes, once per phase rather than per read.</summary>
    private void Wait(int milliseconds)
    {
        if (_current != milliseconds)
        {
            _socket.ReceiveTimeout = milliseconds;
            _current = milliseconds;
        }
    }
}
