using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Threading;
using Replication.Engine.Export;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Export.RawNbdClient;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Export;

/// <summary>
/// No client holds a slot of the NBD server for nothing: idle connections, stalled handshakes and frames, and clients
/// that do not take their replies are closed by the server after their (here shortened) timeouts, and one local user
/// (here an unprivileged one, through setpriv) cannot take every slot from another. "Closed by the server" is what the
/// client reads: the end of the stream, within the client's own 30 s receive timeout (running out of it fails the test).
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class NbdClientLimitTests : IDisposable
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(1);

    private ExportedSite? _site;
    private string _url = "";

    public void Dispose() => _site?.Dispose();

    [UnixFact]
    public void AConnectionKeepsItsSlotWhileItSendsRequests_AndIsClosedByTheServerOnceIdlePastTheIdleTimeout()
    {
        Serve(new ExportLimits { IdleTimeout = TimeSpan.FromSeconds(2) });
        using var client = Attached(_site!.Endpoint, "db01", out _);
        var watch = Stopwatch.StartNew();

        // Requests 100 ms apart for twice the idle timeout (a loop bounded in count too): each is answered.
        for (ulong cookie = 1; watch.Elapsed < TimeSpan.FromSeconds(4) && cookie <= 100; cookie++)
        {
            client.Send(Request(CmdRead, cookie, 0, 512));
            Assert.Equal(0u, client.ReadReply(cookie, 512, out _));
            Thread.Sleep(100);
        }

        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(4), "The loop ended before the idle timeout had passed twice.");
        AssertClosedByServer(client);
        QemuIo.Run(_url, "read 0 4k");
    }

    [UnixFact]
    public void AClientTricklingItsHandshake_IsClosedAfterTheHandshakeTimeout_ThoughEachByteCameInTime()
    {
        Serve(new ExportLimits { HandshakeTimeout = Short });
        using var client = Greeted(_site!.Endpoint);
        client.SendClientFlags(3);
        var option = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(option, OptionMagic);

        // One byte every 200 ms: the option header alone would take 3.2 s, more than three times the timeout.
        var sent = 0;
        try
        {
            for (; sent < option.Length; sent++)
            {
                client.Send(new[] { option[sent] });
                Thread.Sleep(200);
            }
        }
        catch (IOException)
        {
            // The server has closed the connection: writing to it fails.
        }

        Assert.True(sent < option.Length, "The whole option header was taken.");
        AssertClosedByServer(client);
    }

    [UnixTheory]
    [InlineData(13, 0)]
    [InlineData(28, 1000)]
    public void AFrameThatStallsHalfWay_IsClosedAfterTheStallTimeout(int headerBytes, int payloadBytes)
    {
        Serve(new ExportLimits { StallTimeout = Short });
        using var client = Attached(_site!.Endpoint, "db01", out _);
        var before = _site.Site.SnapshotFolders();

        client.Send(Request(CmdWrite, 2, 0, 65536).AsSpan(0, headerBytes).ToArray());
        client.Send(new byte[payloadBytes]);

        AssertClosedByServer(client);
        Assert.Equal(before, _site.Site.SnapshotFolders());
    }

    [UnixFact]
    public void AClientThatDoesNotTakeItsReplies_IsClosedAfterTheStallTimeout()
    {
        Serve(new ExportLimits { StallTimeout = Short }, 64 * MiB);
        using var client = Attached(_site!.Endpoint, "db01", out _);
        WaitUntil(() => Clients() == 1, "The server did not count the attached client.");
        const int Reads = 16;

        // 512 MiB of replies asked for, far more than the sockets' buffers hold; none read.
        client.Send(Enumerable.Range(1, Reads).SelectMany(i => Request(CmdRead, (ulong)i, 0, 32 * (uint)MiB)).ToArray());

        WaitUntil(() => Clients() == 0, "The server kept the connection of a client that took no reply.");
        long received = 0;
        try
        {
            while (received < Reads * 32 * MiB)
            {
                client.ReadExactly((int)MiB);
                received += MiB;
            }
        }
        catch (EndOfStreamException)
        {
            // The end of the stream: the server closed the connection before sending every reply.
        }

        Assert.True(received < Reads * 32 * MiB, $"{received} bytes arrived: every reply was sent.");
    }

    [UnixFact]
    public void AnUnprivilegedUserHoldingEverySlotItCan_LeavesRoomForAnotherUser()
    {
        Serve(new ExportLimits());
        using var intruder = HeldConnections(new[] { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups" }, _site!.Endpoint, ExportLimits.MaxConnections);
        WaitUntil(() => Clients() == ExportLimits.DefaultConnectionsPerClient, "The unprivileged user's connections were not served up to its share.");

        QemuIo.Run(_url, "write -P 0x42 0 4k", "read -P 0x42 0 4k");
    }

    [UnixFact]
    public void AClientAtItsShare_TakesTheSlotOfItsOwnConnectionIdleLongest_OnceIdlePastTheReclaimTime()
    {
        Serve(new ExportLimits { ConnectionsPerClient = 2, ReclaimIdleAfter = TimeSpan.FromSeconds(2) });
        using var oldest = Attached(_site!.Endpoint, "db01", out _);
        Thread.Sleep(100);
        using var newer = Attached(_site.Endpoint, "db01", out _);

        // Neither is idle long yet: a third connection of the same client is refused at once.
        Assert.ThrowsAny<Exception>(() => Attached(_site.Endpoint, "db01", out _).Dispose());

        Thread.Sleep(TimeSpan.FromSeconds(2.5));
        QemuIo.Run(_url, "write -P 0x17 0 4k", "read -P 0x17 0 4k");

        AssertClosedByServer(oldest);
        newer.Send(Request(CmdRead, 1, 0, 512));
        Assert.Equal(0u, newer.ReadReply(1, 512, out _));
    }

    [UnixFact]
    public void WhenEverySlotIsHeldByIdleUsers_ANewClientTakesTheSlotOfTheConnectionIdleLongest()
    {
        Serve(new ExportLimits { ReclaimIdleAfter = TimeSpan.FromSeconds(1) });
        var share = ExportLimits.DefaultConnectionsPerClient;
        var holders = Enumerable.Range(0, ExportLimits.MaxConnections / share)
            .Select(i => HeldConnections(new[] { "setpriv", $"--reuid={65534 - i}", $"--regid={65534 - i}", "--clear-groups" }, _site!.Endpoint, share))
            .ToList();
        try
        {
            WaitUntil(() => Clients() == ExportLimits.MaxConnections, "The four users' connections did not fill the server.");
            Thread.Sleep(TimeSpan.FromSeconds(1.5));

            QemuIo.Run(_url, "write -P 0x42 0 4k", "read -P 0x42 0 4k");
            Assert.Equal(ExportLimits.MaxConnections - 1, Clients());
        }
        finally
        {
            holders.ForEach(h => h.Dispose());
        }
    }

    [UnixFact]
    public void AClientWhoseHostVanishes_IsDroppedByKeepaliveProbes_ThoughNoIdleTimeoutIsSet()
    {
        using var network = new NetworkNamespace();
        Serve(new ExportLimits { DeadClientTimeout = TimeSpan.FromSeconds(8) }, address: network.HostAddress);
        using var client = HeldConnections(new[] { "ip", "netns", "exec", network.Name }, _site!.Endpoint, 1);
        WaitUntil(() => Clients() == 1, "The client in the namespace was not served.");

        network.CutLink();

        WaitUntil(() => Clients() == 0, "The server kept the connection of a client whose host is gone.");
    }

    private void Serve(ExportLimits limits, long size = 4 * MiB, System.Net.IPAddress? address = null)
    {
        _site = new ExportedSite(limits, address);
        _url = _site.CreateExported("db01", size);
    }

    private int Clients() => _site!.Service.List().Single().Clients ?? 0;

    /// <summary>Checks a condition every 50 ms for at most 30 s; failing the test if it never holds.</summary>
    private static void WaitUntil(Func<bool> condition, string failure)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), failure);
            Thread.Sleep(50);
        }
    }

    /// <summary>
    /// The client reads the end of the stream (or a reset): the server closed the connection. Data instead fails the test,
    /// and so does the client's 30 s receive timeout running out (the read then throws a timeout, not a close).
    /// </summary>
    private static void AssertClosedByServer(RawNbdClient client)
    {
        try
        {
            var data = client.ReadExactly(1);
            Assert.Fail($"The server sent {data[0]:x2} instead of closing the connection.");
        }
        catch (EndOfStreamException)
        {
            // The end of the stream.
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            // Reset by the server: closed too.
        }
    }

    /// <summary>
    /// <paramref name="count"/> connections to the server, each through the handshake (NBD_OPT_EXPORT_NAME db01) and then
    /// idle, held by bash's /dev/tcp in a process started through <paramref name="launcher"/> (setpriv to run as another
    /// user, ip netns exec to run in a namespace). They close when the returned process is disposed (its standard input
    /// closes; it is killed if it has not ended by then).
    /// </summary>
    private static HeldProcess HeldConnections(string[] launcher, System.Net.IPEndPoint server, int count)
    {
        const string Script = """
            trap '' PIPE
            for i in $(seq 1 "$3"); do
              exec {fd}<>"/dev/tcp/$1/$2" || exit 2
              printf '\x00\x00\x00\x03IHAVEOPT\x00\x00\x00\x01\x00\x00\x00\x04db01' >&"$fd" 2>/dev/null
            done
            echo open
            read -r _
            """;
        var start = new ProcessStartInfo(launcher[0]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in launcher.Skip(1).Concat(new[] { "bash", "-c", Script, "held", server.Address.ToString(), server.Port.ToString(), count.ToString() }))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var line = process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(30)) || line.Result != "open")
        {
            process.Kill();
            Assert.Fail($"The client process did not open its connections: {process.StandardError.ReadToEnd()}");
        }

        return new HeldProcess(process);
    }

    private sealed class HeldProcess : IDisposable
    {
        private readonly Process _process;

        public HeldProcess(Process process) => _process = process;

        public void Dispose()
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                _process.Kill();
            }

            _process.Dispose();
        }
    }
}
