using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Newtonsoft.Json;
using Replication.Engine.Errors;

namespace Replication.Engine.Export;

/// <summary>
/// An export service's command port: 127.0.0.1 only, one JSON request line and one reply line per connection, and
/// only for a caller that knows the service's token (kept in export records readable by their owner only). A request
/// without the token is dropped unanswered.
/// </summary>
internal sealed class ControlServer : IDisposable
{
    private const int MaxRequestLength = 64 * 1024;

    private readonly TcpListener _listener;
    private readonly byte[] _token;
    private readonly Func<ControlRequest, ControlReply> _handle;
    private readonly Thread _acceptor;

    public ControlServer(string token, Func<ControlRequest, ControlReply> handle)
    {
        _token = Encoding.UTF8.GetBytes(token);
        _handle = handle;
        _listener = new TcpListener(IPAddress.Loopback, 0) { ExclusiveAddressUse = true };
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptor = new Thread(Accept) { IsBackground = true, Name = "export-control" };
        _acceptor.Start();
    }

    public int Port { get; }

    public void Dispose()
    {
        _listener.Stop();
        _acceptor.Join();
    }

    private void Accept() => SocketAcceptor.Run(_listener, socket => new Thread(() => Serve(socket)) { IsBackground = true, Name = "export-control-request" }.Start());

    private void Serve(Socket socket)
    {
        using (socket)
        {
            try
            {
                socket.ReceiveTimeout = 10_000;
                using var stream = new NetworkStream(socket, ownsSocket: false);
                var request = JsonConvert.DeserializeObject<ControlRequest>(ReadLine(stream));
                if (request is null || !CryptographicEquals(Encoding.UTF8.GetBytes(request.Token ?? ""), _token))
                {
                    return;
                }

                ControlReply reply;
                try
                {
                    reply = _handle(request);
                }
                catch (ReplicationException ex)
                {
                    reply = new ControlReply { ErrorId = ex.ErrorId, ErrorKind = ex.Kind, Message = ex.Message };
                }

                var bytes = Encoding.UTF8.GetBytes(JsonConvert.SerializeObject(reply) + "\n");
                stream.Write(bytes, 0, bytes.Length);
            }
            catch (Exception)
            {
                // A broken or hostile request ends its own connection; the service goes on.
            }
        }
    }

    private static string ReadLine(Stream stream)
    {
        var buffer = new MemoryStream();
        while (true)
        {
            var b = stream.ReadByte();
            if (b < 0 || b == '\n')
            {
                return Encoding.UTF8.GetString(buffer.ToArray());
            }

            if (buffer.Length >= MaxRequestLength)
            {
                throw new InvalidDataException("The request line is too long.");
            }

            buffer.WriteByte((byte)b);
        }
    }

    /// <summary>Compares in time independent of where the first difference is, so the token cannot be guessed byte by byte.</summary>
    private static bool CryptographicEquals(byte[] a, byte[] b)
    {
        var difference = a.Length ^ b.Length;
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            difference |= a[i] ^ b[i];
        }

        return difference == 0;
    }

    /// <summary>A new random token for a service: 32 bytes, hex.</summary>
    public static string NewToken()
    {
        var bytes = new byte[32];
        using (var random = RandomNumberGenerator.Create())
        {
            random.GetBytes(bytes);
        }

        return BitConverter.ToString(bytes).Replace("-", "").ToLowerInvariant();
    }
}
