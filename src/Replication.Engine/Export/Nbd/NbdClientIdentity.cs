using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Replication.Engine.Export.Nbd;

/// <summary>
/// Who is at the other end of a connection, for the per-client limit. On Linux a client on this host is the user who
/// owns its socket: the kernel lists the client's end of the connection, with its owner's uid, in this network
/// namespace's /proc/net/tcp (or tcp6), as identd reads it; a uid cannot be forged there, and every local user connects
/// from the same loopback address. Any other client (remote, or where the OS offers no such table) is its IP address.
/// </summary>
internal static class NbdClientIdentity
{
    private const string TimeWait = "06";

    public static string Of(Socket socket)
    {
        var server = (IPEndPoint)socket.LocalEndPoint!;
        var client = (IPEndPoint)socket.RemoteEndPoint!;
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && LocalOwner(server, client) is { } uid)
        {
            return $"local user {uid}";
        }

        return $"address {Unmapped(client.Address)}";
    }

    /// <summary>The uid owning the client's socket when that socket is on this host, else null.</summary>
    private static string? LocalOwner(IPEndPoint server, IPEndPoint client)
    {
        foreach (var (table, clientEnd, serverEnd) in Spellings(server, client))
        {
            try
            {
                foreach (var line in File.ReadLines(table))
                {
                    // "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ..."
                    var fields = line.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                    // A socket in TIME_WAIT (or one already released, inode 0) has no owner left: uid 0 there means nobody.
                    if (fields.Length >= 10 && fields[1] == clientEnd && fields[2] == serverEnd && fields[3] != TimeWait && fields[9] != "0")
                    {
                        return fields[7];
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // No table to read (procfs not mounted): the client is known by its address.
            }
        }

        return null;
    }

    /// <summary>
    /// How the kernel prints the client's end (local, remote) in each table: an IPv4 socket in tcp, an IPv6 one in tcp6;
    /// a client reaching a dual-stack server over IPv4 appears IPv4-mapped on the server's side but may be either.
    /// </summary>
    private static IEnumerable<(string Table, string ClientEnd, string ServerEnd)> Spellings(IPEndPoint server, IPEndPoint client)
    {
        var serverAddress = Unmapped(server.Address);
        var clientAddress = Unmapped(client.Address);
        if (clientAddress.AddressFamily == AddressFamily.InterNetwork && serverAddress.AddressFamily == AddressFamily.InterNetwork)
        {
            yield return ("/proc/net/tcp", Spell(clientAddress, client.Port), Spell(serverAddress, server.Port));
        }

        yield return ("/proc/net/tcp6", Spell(Mapped(client.Address), client.Port), Spell(Mapped(server.Address), server.Port));
    }

    /// <summary>The kernel prints each 32-bit word of the address as the host reads it (%08X), then the port (%04X).</summary>
    private static string Spell(IPAddress address, int port)
    {
        var bytes = address.GetAddressBytes();
        var text = new System.Text.StringBuilder(bytes.Length * 2 + 5);
        for (var word = 0; word < bytes.Length; word += 4)
        {
            text.Append(BitConverter.ToUInt32(bytes, word).ToString("X8", CultureInfo.InvariantCulture));
        }

        return text.Append(':').Append(port.ToString("X4", CultureInfo.InvariantCulture)).ToString();
    }

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static IPAddress Mapped(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork ? address.MapToIPv6() : address;
}
