using System;
using System.Net.Sockets;

namespace Replication.Engine.Export;

/// <summary>The accept loop of the export service's two listeners (NBD clients, commands).</summary>
internal static class SocketAcceptor
{
    /// <summary>Accepts connections until the listener is stopped, handing each to <paramref name="accepted"/>.</summary>
    public static void Run(TcpListener listener, Action<Socket> accepted)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = listener.AcceptSocket();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return; // Stopped.
            }

            accepted(socket);
        }
    }
}
