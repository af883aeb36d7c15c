using System;
using System.IO;
using System.Linq;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Replication.Engine.Tests.Export;

/// <summary>
/// A bare NBD client on a socket, for frames no real client sends: it does the fixed-newstyle handshake (or lets the
/// test send its own bytes), then writes request frames as given and reads simple replies.
/// </summary>
internal sealed class RawNbdClient : IDisposable
{
    public const uint RequestMagic = 0x25609513;
    public const uint SimpleReplyMagic = 0x67446698;
    public const ulong OptionMagic = 0x49484156454F5054;
    public const ulong OptionReplyMagic = 0x0003e889045565a9;
    public const uint OptGo = 7;
    public const uint OptStructuredReply = 8;
    public const uint RepAck = 1;
    public const uint RepInfo = 3;
    public const uint RepErrUnsupported = (1u << 31) + 1;
    public const uint RepErrUnknown = (1u << 31) + 6;
    public const ushort CmdRead = 0;
    public const ushort CmdWrite = 1;
    public const ushort CmdDisconnect = 2;
    public const ushort CmdFlush = 3;
    public const ushort CmdTrim = 4;
    public const uint EInvalid = 22;
    public const uint ENoSpace = 28;

    /// <summary>How long a read waits for the server: a reply or a close that takes longer fails the test.</summary>
    public static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(30);

    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private RawNbdClient(IPEndPoint endpoint)
    {
        _client = new TcpClient();
        _client.Connect(endpoint);
        _client.ReceiveTimeout = (int)ReceiveTimeout.TotalMilliseconds;
        _stream = _client.GetStream();
    }

    /// <summary>Connected, the greeting read, nothing sent yet.</summary>
    public static RawNbdClient Greeted(IPEndPoint endpoint)
    {
        var client = new RawNbdClient(endpoint);
        var greeting = client.ReadExactly(18);
        Assert.Equal(0x4e42444d41474943UL, BinaryPrimitives.ReadUInt64BigEndian(greeting));
        Assert.Equal(OptionMagic, BinaryPrimitives.ReadUInt64BigEndian(greeting.AsSpan(8)));
        return client;
    }

    /// <summary>Through the handshake with NBD_OPT_GO: in the transmission phase of <paramref name="exportName"/>, whose size is returned in <paramref name="size"/>.</summary>
    public static RawNbdClient Attached(IPEndPoint endpoint, string exportName, out ulong size)
    {
        var client = Greeted(endpoint);
        client.SendClientFlags(3);
        client.SendOption(OptGo, GoData(exportName));
        size = 0;
        while (true)
        {
            var (type, payload) = client.ReadOptionReply(OptGo);
            if (type == RepAck)
            {
                return client;
            }

            Assert.Equal(RepInfo, type);
            if (BinaryPrimitives.ReadUInt16BigEndian(payload) == 0)
            {
                size = BinaryPrimitives.ReadUInt64BigEndian(payload.AsSpan(2));
            }
        }
    }

    public static byte[] GoData(string exportName)
    {
        var name = Encoding.UTF8.GetBytes(exportName);
        var data = new byte[4 + name.Length + 2];
        BinaryPrimitives.WriteUInt32BigEndian(data, (uint)name.Length);
        name.CopyTo(data, 4);
        return data;
    }

    public void SendClientFlags(uint flags)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, flags);
        Send(bytes);
    }

    public void SendOption(uint option, byte[] data, uint? declaredLength = null)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(header, OptionMagic);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), option);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(12), declaredLength ?? (uint)data.Length);
        Send(header);
        Send(data);
    }

    public (uint Type, byte[] Payload) ReadOptionReply(uint option)
    {
        var header = ReadExactly(20);
        Assert.Equal(OptionReplyMagic, BinaryPrimitives.ReadUInt64BigEndian(header));
        Assert.Equal(option, BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(8)));
        var type = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(12));
        return (type, ReadExactly((int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(16))));
    }

    /// <summary>A request header: magic, flags, command, cookie, offset, length (28 bytes).</summary>
    public static byte[] Request(ushort command, ulong cookie, ulong offset, uint length, ushort flags = 0, uint magic = RequestMagic)
    {
        var frame = new byte[28];
        BinaryPrimitives.WriteUInt32BigEndian(frame, magic);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(4), flags);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(6), command);
        BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(8), cookie);
        BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(16), offset);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(24), length);
        return frame;
    }

    public void Send(byte[] bytes) => _stream.Write(bytes);

    /// <summary>Reads a simple reply for <paramref name="cookie"/> and returns its error (0: done), then <paramref name="dataLength"/> bytes of data if it succeeded.</summary>
    public uint ReadReply(ulong cookie, int dataLength, out byte[] data)
    {
        var reply = ReadExactly(16);
        Assert.Equal(SimpleReplyMagic, BinaryPrimitives.ReadUInt32BigEndian(reply));
        Assert.Equal(cookie, BinaryPrimitives.ReadUInt64BigEndian(reply.AsSpan(8)));
        var error = BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(4));
        data = error == 0 ? ReadExactly(dataLength) : Array.Empty<byte>();
        return error;
    }

    public uint ReadReply(ulong cookie) => ReadReply(cookie, 0, out _);

    /// <summary>
    /// Fails unless the server ends the connection: a read finds its end, or the server reset it. A server that answers
    /// instead fails, and so does one that neither answers nor closes within the receive timeout (a hang is no close).
    /// </summary>
    public void AssertClosedByServer()
    {
        int read;
        try
        {
            read = _stream.Read(new byte[1]);
        }
        catch (IOException e) when (e.InnerException is SocketException socket)
        {
            // A reset is the server closing with data unread; a timeout is a server that hangs.
            Assert.True(socket.SocketErrorCode == SocketError.ConnectionReset, socket.SocketErrorCode == SocketError.TimedOut
                ? $"The server neither closed the connection nor answered within {ReceiveTimeout.TotalSeconds:0} s."
                : $"Reading found {socket.SocketErrorCode}, not the connection closed by the server.");
            return;
        }

        Assert.True(read == 0, "The server answered instead of closing the connection.");
    }

    public void CloseSending() => _client.Client.Shutdown(SocketShutdown.Send);

    public byte[] ReadExactly(int count)
    {
        var buffer = new byte[count];
        _stream.ReadExactly(buffer);
        return buffer;
    }

    public void Dispose() => _client.Dispose();
}
