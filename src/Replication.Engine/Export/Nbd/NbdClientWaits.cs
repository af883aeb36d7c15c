using System;
using System.Diagnostics;
using System.Net.Sockets;
using System.Threading;

namespace Replication.Engine.Export.Nbd;

/// <summary>
/// How long a connection in the transmission phase waits on its client: the first byte of the next request within the
/// idle timeout (none when it is zero), each further byte of a frame within the stall timeout. A wait that runs out
/// makes the read throw, which ends the connection. (Replies are bound by the socket's send timeout, set once.) It also
/// says since when the connection has been idle, for the server to reclaim the slot of one idle long when it is full.
/// </summary>
internal sealed class NbdClientWaits
{
    private readonly Socket _socket;
    private readonly int _idleMilliseconds;
    private readonly int _stallMilliseconds;
    private int _current = -1;
    private long _idleSince;

    public NbdClientWaits(Socket socket, TimeSpan idle, TimeSpan stall)
    {
        _socket = socket;
        _idleMilliseconds = (int)idle.TotalMilliseconds;
        _stallMilliseconds = (int)stall.TotalMilliseconds;
    }

    /// <summary>How long the client has been waited on for its next request; zero while a request is being served.</summary>
    public TimeSpan Idle
    {
        get
        {
            var since = Interlocked.Read(ref _idleSince);
            return since == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)(Stopwatch.GetTimestamp() - since) / Stopwatch.Frequency);
        }
    }

    public void BetweenRequests()
    {
        Interlocked.Exchange(ref _idleSince, Stopwatch.GetTimestamp());
        Wait(_idleMilliseconds);
    }

    public void InFrame()
    {
        Interlocked.Exchange(ref _idleSince, 0);
        Wait(_stallMilliseconds);
    }

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
