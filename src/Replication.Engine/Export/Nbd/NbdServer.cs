using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace Replication.Engine.Export.Nbd;

/// <summary>
/// An NBD server on one TCP endpoint: each client gets its own thread, negotiates an export, then is served until it
/// leaves. A misbehaving client only ever loses its own connection. No client holds a slot for nothing (see
/// <see cref="ExportLimits"/>): the handshake must be done within its timeout; a connection that stalls in the middle of
/// a frame, does not take its replies, or whose host stops answering keepalive probes is closed, and so is one idle
/// past the idle timeout when one is set. At most <see cref="ExportLimits.MaxConnections"/> are served at once, and at
/// most <see cref="ExportLimits.ConnectionsPerClient"/> of them for one client (<see cref="NbdClientIdentity"/>), so
/// that one user or host cannot take every slot; when a new connection finds its share or the server full, it takes
/// the slot of the connection idle longest, if that one has been idle past <see cref="ExportLimits.ReclaimIdleAfter"/>.
/// </summary>
internal sealed class NbdServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly INbdExportDirectory _exports;
    private readonly ExportLimits _limits;
    private readonly object _gate = new();
    private readonly List<Connection> _connections = new();
    private readonly Thread _acceptor;
    private bool _stopped;

    /// <param name="endpoint">Port 0 picks a free port; <see cref="Endpoint"/> then says which.</param>
    public NbdServer(IPEndPoint endpoint, INbdExportDirectory exports, ExportLimits limits)
    {
        _exports = exports;
        _limits = limits;
        _listener = new TcpListener(endpoint);
        // Never share the port with a server of another process (Windows allows that by default).
        _listener.ExclusiveAddressUse = true;
        _listener.Start();
        Endpoint = (IPEndPoint)_listener.LocalEndpoint;
        _acceptor = new Thread(Accept) { IsBackground = true, Name = $"nbd-accept-{Endpoint.Port}" };
        _acceptor.Start();
    }

    public IPEndPoint Endpoint { get; }

    /// <summary>How many clients are connected to <paramref name="exportName"/> now.</summary>
    public int ClientsOf(string exportName)
    {
        lock (_gate)
        {
            return _connections.Count(c => c.Export?.Name == exportName);
        }
    }

    /// <summary>
    /// Closes every connection to <paramref name="exportName"/> and waits until their threads have ended, so no write of
    /// theirs is still running when this returns (a request being served finishes first).
    /// </summary>
    public void Disconnect(string exportName)
    {
        List<Connection> closing;
        lock (_gate)
        {
            closing = _connections.Where(c => c.Export?.Name == exportName).ToList();
        }

        foreach (var connection in closing)
        {
            connection.Close();
        }

        foreach (var connection in closing)
        {
            connection.Thread.Join();
        }
    }

    public void Dispose()
    {
        List<Connection> all;
        lock (_gate)
        {
            _stopped = true;
            all = _connections.ToList();
        }

        _listener.Stop();
        foreach (var connection in all)
        {
            connection.Close();
        }

        foreach (var connection in all)
        {
            connection.Thread.Join();
        }

        _acceptor.Join();
    }

    private void Accept() => SocketAcceptor.Run(_listener, socket =>
    {
        string client;
        try
        {
            client = NbdClientIdentity.Of(socket);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            socket.Dispose(); // Gone before it could be looked at.
            return;
        }

        lock (_gate)
        {
            if (_stopped || !MakeRoomFor(client))
            {
                socket.Dispose();
                return;
            }

            var connection = new Connection(socket, client);
            connection.Thread = new Thread(() => Serve(connection)) { IsBackground = true, Name = $"nbd-client-{Endpoint.Port}" };
            _connections.Add(connection);
            connection.Thread.Start();
        }
    });

    /// <summary>
    /// True when a connection of <paramref name="client"/> may be served: there is a free slot in its share and on the
    /// server, or one was freed by closing the connection idle longest (of this client when its share is full; else of
    /// the client holding the most) once idle past the reclaim time. Called under the gate.
    /// </summary>
    private bool MakeRoomFor(string client)
    {
        var own = _connections.Where(c => c.Client == client).ToList();
        IEnumerable<Connection> candidates;
        if (own.Count >= _limits.ConnectionsPerClient)
        {
            candidates = own;
        }
        else if (_connections.Count >= ExportLimits.MaxConnections)
        {
            var held = _connections.GroupBy(c => c.Client).ToDictionary(g => g.Key, g => g.Count());
            candidates = _connections.OrderByDescending(c => held[c.Client]);
        }
        else
        {
            return true;
        }

        if (_limits.ReclaimIdleAfter <= TimeSpan.Zero)
        {
            return false;
        }

        var reclaimed = candidates
            .Select(c => (Connection: c, Idle: c.Idle))
            .Where(c => c.Idle >= _limits.ReclaimIdleAfter)
            .OrderByDescending(c => c.Idle)
            .Select(c => c.Connection)
            .FirstOrDefault();
        if (reclaimed is null)
        {
            return false;
        }

        // Out of the count now; its thread sees the closed socket and ends on its own.
        _connections.Remove(reclaimed);
        reclaimed.Close();
        return true;
    }

    private void Serve(Connection connection)
    {
        try
        {
            connection.Socket.NoDelay = true;
            connection.Socket.SendTimeout = (int)_limits.StallTimeout.TotalMilliseconds;
            KeepProbing(connection.Socket, _limits.DeadClientTimeout);
            // Reads and writes buffered apart: a client may send its next requests before it reads a reply
            // (qemu keeps several in flight), and one BufferedStream cannot write while it holds unread input.
            using var network = new NetworkStream(connection.Socket, ownsSocket: false);
            using var input = new BufferedStream(network, 64 * 1024);
            using var output = new BufferedStream(network, 64 * 1024);
            NbdAgreement? agreement;
            // The whole handshake has one deadline, so a client trickling a byte at a time cannot stretch it.
            using (new Timer(_ => connection.Close(), null, _limits.HandshakeTimeout, Timeout.InfiniteTimeSpan))
            {
                agreement = new NbdNegotiation(input, output, _exports).Run();
            }

            if (agreement is null)
            {
                return;
            }

            var waits = new NbdClientWaits(connection.Socket, _limits.IdleTimeout, _limits.StallTimeout);
            lock (_gate)
            {
                connection.Export = agreement.Export;
                connection.Waits = waits;
            }

            using var session = agreement.Export.Connect();
            new NbdTransmission(input, output, agreement, session, waits).Run();
        }
        catch (Exception)
        {
            // Whatever went wrong (the client left mid-frame, broke the framing, was disconnected, or the export could
            // not be opened for it), only this connection ends: a client never brings the server down.
        }
        finally
        {
            connection.Close();
            lock (_gate)
            {
                _connections.Remove(connection);
            }
        }
    }

    /// <summary>
    /// TCP keepalive: after a quarter of <paramref name="deadAfter"/> without traffic the kernel probes the client every
    /// eighth of it, and six unanswered probes drop the connection (the blocked read then fails). The option numbers are
    /// .NET's TcpKeepAliveTime, TcpKeepAliveInterval and TcpKeepAliveRetryCount (newer than netstandard2.0; they are the
    /// Windows numbers, which .NET maps on other systems). Where the system refuses them, its own keepalive timing applies.
    /// </summary>
    private static void KeepProbing(Socket socket, TimeSpan deadAfter)
    {
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Tcp, (SocketOptionName)3, (int)(deadAfter.TotalSeconds / 4));
            socket.SetSocketOption(SocketOptionLevel.Tcp, (SocketOptionName)17, (int)(deadAfter.TotalSeconds / 8));
            socket.SetSocketOption(SocketOptionLevel.Tcp, (SocketOptionName)16, 6);
        }
        catch (SocketException)
        {
            // An older system: keepalive still runs, on its own (slower) timing.
        }
    }

    private sealed class Connection
    {
        public Connection(Socket socket, string client)
        {
            Socket = socket;
            Client = client;
        }

        public Socket Socket { get; }

        /// <summary>Who the client is, as <see cref="NbdClientIdentity"/> tells them apart.</summary>
        public string Client { get; }

        public Thread Thread { get; set; } = null!;

        public INbdExport? Export { get; set; }

        /// <summary>Set once the handshake is done: a connection still in its handshake is never idle (its own deadline ends it).</summary>
        public NbdClientWaits? Waits { get; set; }

        public TimeSpan Idle => Waits?.Idle ?? TimeSpan.Zero;

        public void Close()
        {
            try
            {
                Socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Already closed.
            }

            Socket.Dispose();
        }
    }
}
