using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Newtonsoft.Json;
using Replication.Engine.Errors;

namespace Replication.Engine.Export;

/// <summary>Sends commands to a running export service on this host (its command port and token come from an export record or its start).</summary>
internal sealed class ControlClient
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    public ControlClient(int port, string token)
    {
        Port = port;
        Token = token;
    }

    public int Port { get; }

    public string Token { get; }

    public static ControlClient For(ExportRecord record) => new(record.ControlPort, record.Token);

    /// <summary>
    /// Sends one command and waits up to <paramref name="timeout"/> for its reply. An engine error the service reports
    /// is thrown as it was raised there; a service that cannot be reached or does not answer is ExportUnreachable.
    /// </summary>
    public ControlReply Send(ControlRequest request, TimeSpan timeout)
    {
        request.Token = Token;
        string line;
        try
        {
            using var client = new TcpClient();
            var connecting = client.ConnectAsync(IPAddress.Loopback, Port);
            if (!connecting.Wait(ConnectTimeout))
            {
                throw new IOException($"No answer from 127.0.0.1:{Port} within {ConnectTimeout.TotalSeconds:N0} s.");
            }

            client.ReceiveTimeout = (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds);
            using var stream = client.GetStream();
            var bytes = Encoding.UTF8.GetBytes(JsonConvert.SerializeObject(request) + "\n");
            stream.Write(bytes, 0, bytes.Length);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            line = reader.ReadLine() ?? throw new IOException("The service closed the connection without an answer.");
        }
        catch (Exception ex) when (ex is IOException or SocketException or AggregateException or ObjectDisposedException)
        {
            throw new ReplicationException(ErrorIds.ExportUnreachable, ErrorKind.ConnectionError,
                $"The export service with command port {Port} did not answer '{request.Command}': {(ex as AggregateException)?.InnerException?.Message ?? ex.Message}", request.VolumeName ?? request.VolumeId.ToString(), ex);
        }

        var reply = JsonConvert.DeserializeObject<ControlReply>(line) ?? throw new ReplicationException(ErrorIds.ExportUnreachable, ErrorKind.ConnectionError,
            $"The export service with command port {Port} answered '{request.Command}' with nothing readable.", request.VolumeName);
        if (reply.ErrorId is not null)
        {
            throw new ReplicationException(reply.ErrorId, reply.ErrorKind, reply.Message ?? reply.ErrorId, request.VolumeName);
        }

        return reply;
    }
}
