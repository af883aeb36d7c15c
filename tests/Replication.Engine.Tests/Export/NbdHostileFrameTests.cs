using System;
using System.IO;
using System.Linq;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Export.RawNbdClient;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Export;

/// <summary>
/// Frames no well-behaved client sends, on raw sockets: each gets the protocol's error reply (and the connection goes
/// on) or a clean disconnect; nothing is written outside the volume, and the server goes on serving other clients.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class NbdHostileFrameTests : IDisposable
{
    private const long Size = 4 * MiB;

    /// <summary>NBD_OPT_STARTTLS: this server offers no TLS.</summary>
    private const uint OptStartTls = 5;

    private readonly ExportedSite _site = new();
    private readonly string _url;

    public NbdHostileFrameTests() => _url = _site.CreateExported("db01", Size);

    public void Dispose() => _site.Dispose();

    [UnixTheory]
    [InlineData(CmdRead, Size, 4096u)]
    [InlineData(CmdRead, Size - 4096, 8192u)]
    [InlineData(CmdRead, ulong.MaxValue - 100, 4096u)]
    [InlineData(CmdTrim, Size - 512, 4096u)]
    public void ARangeBeyondTheEnd_IsEinval_AndTheConnectionGoesOn(ushort command, ulong offset, uint length)
    {
        using var client = Attached(_site.Endpoint, "db01", out _);

        client.Send(Request(command, 1, offset, length));

        Assert.Equal(EInvalid, client.ReadReply(1));
        AssertStillServes(client);
    }

    [UnixFact]
    public void AWriteBeyondTheEnd_IsEnospc_WritesNothing_AndTheFileKeepsItsSize()
    {
        using var client = Attached(_site.Endpoint, "db01", out _);
        var before = _site.Site.SnapshotFolders();

        client.Send(Request(CmdWrite, 2, Size - 4096, 8192));
        client.Send(Enumerable.Repeat((byte)0xee, 8192).ToArray());

        Assert.Equal(ENoSpace, client.ReadReply(2));
        Assert.Equal(Size, new FileInfo(_site.Site.PrimaryFile("db01")).Length);
        AssertStillServes(client);
        Assert.Equal(before, _site.Site.SnapshotFolders());
    }

    [UnixFact]
    public void RequestsSentBeforeTheirRepliesAreRead_AreAnsweredInOrder()
    {
        using var client = Attached(_site.Endpoint, "db01", out _);
        var payload = Enumerable.Repeat((byte)0x3c, 8192).ToArray();

        client.Send(Request(CmdWrite, 11, 8192, 8192).Concat(payload).Concat(Request(CmdRead, 12, 8192, 8192)).Concat(Request(CmdFlush, 13, 0, 0)).ToArray());

        Assert.Equal(0u, client.ReadReply(11));
        Assert.Equal(0u, client.ReadReply(12, 8192, out var data));
        Assert.Equal(payload, data);
        Assert.Equal(0u, client.ReadReply(13));
    }

    [UnixFact]
    public void AReadLongerThanTheMaximumBlockSize_IsEinval()
    {
        using var client = Attached(_site.Endpoint, "db01", out _);

        client.Send(Request(CmdRead, 3, 0, 64u * 1024 * 1024));

        Assert.Equal(EInvalid, client.ReadReply(3));
        AssertStillServes(client);
    }

    [UnixFact]
    public void AWriteWhosePayloadIsLongerThanTheMaximum_EndsTheConnection_AndWritesNothing()
    {
        using var client = Attached(_site.Endpoint, "db01", out _);
        var before = _site.Site.SnapshotFolders();

        client.Send(Request(CmdWrite, 4, 0, uint.MaxValue));
        client.Send(new byte[4096]);

        client.AssertClosedByServer();
        Assert.Equal(before, _site.Site.SnapshotFolders());
        AssertServerServes();
    }

    [UnixTheory]
    [InlineData((ushort)5)]
    [InlineData((ushort)99)]
    [InlineData(ushort.MaxValue)]
    public void AnUnknownCommand_IsEinval_AndTheConnectionGoesOn(ushort command)
    {
        using var client = Attached(_site.Endpoint, "db01", out _);

        client.Send(Request(command, 5, 0, 4096));

        Assert.Equal(EInvalid, client.ReadReply(5));
        AssertStillServes(client);
    }

    [UnixFact]
    public void AnUnknownFlag_IsEinval()
    {
        using var client = Attached(_site.Endpoint, "db01", out _);

        client.Send(Request(CmdRead, 6, 0, 4096, flags: 0x80));

        Assert.Equal(EInvalid, client.ReadReply(6));
        AssertStillServes(client);
    }

    [UnixFact]
    public void FuaOnAReadOrAFlush_IsAccepted_AsTheProtocolAsksOnceFuaIsAdvertised()
    {
        using var client = Attached(_site.Endpoint, "db01", out _);

        client.Send(Request(CmdRead, 12, 0, 512, flags: 1));
        Assert.Equal(0u, client.ReadReply(12, 512, out _));
        client.Send(Request(CmdFlush, 13, 0, 0, flags: 1));
        Assert.Equal(0u, client.ReadReply(13));
    }

    [UnixFact]
    public void AWriteCutShortInItsPayload_WritesNothing_AndTheServerServesTheNextClient()
    {
        var before = _site.Site.SnapshotFolders();
        using (var client = Attached(_site.Endpoint, "db01", out _))
        {
            client.Send(Request(CmdWrite, 7, 0, 65536));
            client.Send(Enumerable.Repeat((byte)0xee, 1000).ToArray());
            client.CloseSending();
            client.AssertClosedByServer();
        }

        Assert.Equal(before, _site.Site.SnapshotFolders());
        AssertServerServes();
    }

    [UnixFact]
    public void AHeaderCutShort_EndsTheConnection_AndTheServerServesTheNextClient()
    {
        using (var client = Attached(_site.Endpoint, "db01", out _))
        {
            client.Send(Request(CmdRead, 8, 0, 4096).AsSpan(0, 13).ToArray());
            client.CloseSending();
            client.AssertClosedByServer();
        }

        AssertServerServes();
    }

    [UnixFact]
    public void ABadRequestMagic_EndsTheConnection()
    {
        using var client = Attached(_site.Endpoint, "db01", out _);

        client.Send(Request(CmdRead, 9, 0, 4096, magic: 0xdeadbeef));

        client.AssertClosedByServer();
        AssertServerServes();
    }

    [UnixFact]
    public void Disconnect_EndsTheConnectionCleanly()
    {
        using var client = Attached(_site.Endpoint, "db01", out _);

        client.Send(Request(CmdDisconnect, 10, 0, 0));

        client.AssertClosedByServer();
    }

    [UnixFact]
    public void AClientWithoutFixedNewstyle_IsDisconnected()
    {
        using var client = Greeted(_site.Endpoint);

        client.SendClientFlags(0);

        client.AssertClosedByServer();
        AssertServerServes();
    }

    [UnixFact]
    public void UnsupportedOptions_AndUnknownNames_GetErrorReplies_AndTheHandshakeGoesOn()
    {
        using var client = Greeted(_site.Endpoint);
        client.SendClientFlags(1);

        client.SendOption(OptStartTls, Array.Empty<byte>());
        Assert.Equal(RepErrUnsupported, client.ReadOptionReply(OptStartTls).Type);
        client.SendOption(OptGo, GoData("nosuch"));
        Assert.Equal(RepErrUnknown, client.ReadOptionReply(OptGo).Type);
        client.SendOption(OptGo, GoData("db01"));
        uint type;
        while ((type = client.ReadOptionReply(OptGo).Type) == RepInfo)
        {
        }

        Assert.Equal(RepAck, type);
        AssertStillServes(client);
    }

    [UnixFact]
    public void AnOptionLongerThanTheServerTakes_EndsTheHandshake()
    {
        using var client = Greeted(_site.Endpoint);
        client.SendClientFlags(1);

        client.SendOption(OptGo, new byte[16], declaredLength: 1u << 30);

        client.AssertClosedByServer();
        AssertServerServes();
    }

    [UnixFact]
    public void AClientThatLeavesMidHandshake_DoesNotStopTheServer()
    {
        using (var client = Greeted(_site.Endpoint))
        {
            client.Send(new byte[] { 0, 0 });
        }

        AssertServerServes();
    }

    /// <summary>The connection still answers a valid request after the refusal.</summary>
    private static void AssertStillServes(RawNbdClient client)
    {
        client.Send(Request(CmdRead, 100, 0, 512));
        Assert.Equal(0u, client.ReadReply(100, 512, out _));
    }

    /// <summary>A new client (QEMU's own) still gets served.</summary>
    private void AssertServerServes() => QemuIo.Run(_url, "write -P 0x42 64k 4k", "read -P 0x42 64k 4k");
}
