using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace Replication.Engine.Tests.Export;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of a server, counting the bytes the server sends its clients: what a client
/// fetched over the network, whatever the client is.
/// </summary>
internal sealed class CountingProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _relays = new();
    private readonly Task _accepting;
    private long _fromServer;

    public CountingProxy(IPEndPoint server)
    {
        _server = server;
        _listener.Start();
        _accepting = Task.Run(Accept);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public long BytesFromServer => Interlocked.Read(ref _fromServer);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _accepting.Wait(TimeSpan.FromSeconds(30));
        lock (_relays)
        {
            Task.WaitAll(_relays.ToArray(), TimeSpan.FromSeconds(30));
        }
    }

    private async Task Accept()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_relays)
            {
                _relays.Add(Relay(client));
            }
        }
    }

    private async Task Relay(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            await server.ConnectAsync(_server.Address, _server.Port);
            var toServer = Pump(client.GetStream(), server.GetStream(), count: false);
            var toClient = Pump(server.GetStream(), client.GetStream(), count: true);
            await Task.WhenAny(toServer, toClient);
        }
    }

    /// <summary>Copies until either side ends (or the proxy stops); the direction from the server is counted.</summary>
    private async Task Pump(Stream from, Stream to, bool count)
    {
        var buffer = new byte[256 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                if (count)
                {
                    Interlocked.Add(ref _fromServer, read);
                }

                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // One side went away: the relay ends.
        }
    }
}
