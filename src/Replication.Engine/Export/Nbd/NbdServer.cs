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
/// leaves. A misbehaving client only ever loses its own connection. Clients that stall in the handshake are dropped
/// after <see cref="HandshakeTimeout"/>; at most <see cref="MaxConnections"/> are served at once.
/// </summary>
internal sealed class NbdServer : IDisposable
{
    public const int MaxConnections = 64;

    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(30);

    private readonly TcpListener _listener;
    private readonly INbdExportDirectory _exports;
    private readonly object _gate = new();
    private readonly List<Connection> _connections = new();
    private readonly Thread _acceptor;
    private bool _stopped;

    /// <param name="endpoint">Port 0 picks a free port; <see cref="Endpoint"/> then says which.</param>
    public NbdServer(IPEndPoint endpoint, INbdExportDirectory exports)
    {
        _exports = exports;
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
        lock (_gate)
        {
            if (_stopped || _connections.Count >= MaxConnections)
            {
                socket.Dispose();
                return;
            }

            var connection = new Connection(socket);
            connection.Thread = new Thread(() => Serve(connection)) { IsBackground = true, Name = $"nbd-client-{Endpoint.Port}" };
            _connections.Add(connection);
            connection.Thread.Start();
        }
    });

    private void Serve(Connection connection)
    {
        try
        {
            connection.Socket.NoDelay = true;
            connection.Socket.ReceiveTimeout = (int)HandshakeTimeout.TotalMilliseconds;
            // Reads and writes buffered apart: a client may send its next requests before it reads a reply
            // (qemu keeps several in flight), and one BufferedStream cannot write while it holds unread input.
            using var network = new NetworkStream(connection.Socket, ownsSocket: false);
            using var input = new BufferedStream(network, 64 * 1024);
            using var output = new BufferedStream(network, 64 * 1024);
            var export = new NbdNegotiation(input, output, _exports).Run();
            if (export is null)
            {
                return;
            }

            connection.Socket.ReceiveTimeout = 0;
            lock (_gate)
            {
                connection.Export = export;
            }

            using var session = export.Connect();
            new NbdTransmission(input, output, export, session).Run();
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

    private sealed class Connection
    {
        public Connection(Socket socket) => Socket = socket;

        public Socket Socket { get; }

        public Thread Thread { get; set; } = null!;

        public INbdExport? Export { get; set; }

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
