using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace Replication.Agent.Tests;

/// <summary>
/// The link between two agents on loopback: a TCP relay that counts the bytes each way (TLS records and all), and can be
/// cut (every connection closed, new ones refused) after a number of bytes towards the target, then restored.
/// </summary>
public sealed class LinkProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly List<TcpClient> _open = new();
    private long _forward;
    private long _back;
    private long _cutAfter = long.MaxValue;
    private volatile bool _cut;

    public LinkProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _ = AcceptAll();
    }

    public string Address => $"https://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";

    /// <summary>Bytes towards the target (the sender's blocks) since the last <see cref="Reset"/>.</summary>
    public long Forward => Interlocked.Read(ref _forward);

    public long Back => Interlocked.Read(ref _back);

    public void Reset()
    {
        Interlocked.Exchange(ref _forward, 0);
        Interlocked.Exchange(ref _back, 0);
    }

    /// <summary>Cuts the link once this many more bytes went towards the target.</summary>
    public void CutAfter(long bytes) => Interlocked.Exchange(ref _cutAfter, Forward + bytes);

    public void Restore()
    {
        Interlocked.Exchange(ref _cutAfter, long.MaxValue);
        _cut = false;
    }

    public void Dispose()
    {
        _listener.Stop();
        Cut();
    }

    private void Cut()
    {
        _cut = true;
        lock (_open)
        {
            foreach (var client in _open)
            {
                if (client.Client is { } socket)
                {
                    socket.LingerState = new LingerOption(true, 0);
                }

                client.Dispose();
            }

            _open.Clear();
        }
    }

    private async Task AcceptAll()
    {
        while (true)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
            {
                return;
            }

            if (_cut)
            {
                inbound.Dispose();
                continue;
            }

            var outbound = new TcpClient();
            await outbound.ConnectAsync(IPAddress.Loopback, _targetPort).ConfigureAwait(false);
            lock (_open)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }

            _ = Relay(inbound, outbound, forward: true);
            _ = Relay(outbound, inbound, forward: false);
        }
    }

    private async Task Relay(TcpClient from, TcpClient to, bool forward)
    {
        var buffer = new byte[64 << 10];
        try
        {
            var source = from.GetStream();
            var target = to.GetStream();
            int read;
            while ((read = await source.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                if (forward && Interlocked.Add(ref _forward, read) > Interlocked.Read(ref _cutAfter))
                {
                    Cut();
                    return;
                }

                if (!forward)
                {
                    Interlocked.Add(ref _back, read);
                }

                await target.WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is System.IO.IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // The other direction or a cut closed the connection.
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
