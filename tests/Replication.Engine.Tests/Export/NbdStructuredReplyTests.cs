using System;
using System.Linq;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Export.RawNbdClient;
using static Replication.Engine.Tests.Export.StructuredNbd;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Export;

/// <summary>
/// Structured replies, meta contexts and block status on raw sockets, with the frames no real client sends: each gets an
/// error reply and the handshake or connection goes on. A client that does not ask for structured replies keeps simple ones.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class NbdStructuredReplyTests : IDisposable
{
    private const long Size = 4 * MiB;

    private readonly ExportedSite _site = new();

    public NbdStructuredReplyTests()
    {
        _site.Site.CreateVolume("db01", Size);
        WriteAt(_site.Site.PrimaryFile("db01"), MiB, Enumerable.Repeat((byte)0x5a, 64 * (int)KiB).ToArray());
        _site.Export("db01");
    }

    public void Dispose() => _site.Dispose();

    [UnixFact]
    public void BlockStatus_DescribesDataAndHoles_AndReqOneGivesOneExtent()
    {
        using var client = WithAllocation(_site.Endpoint, "db01", out var context);

        client.Send(Request(CmdBlockStatus, 1, 0, (uint)Size));
        var extents = ReadBlockStatus(client, 1, context);
        client.Send(Request(CmdBlockStatus, 2, 0, (uint)Size, flags: CmdFlagReqOne));
        var one = ReadBlockStatus(client, 2, context);
        client.Send(Request(CmdBlockStatus, 3, (ulong)MiB + 4096, 8192));
        var inside = ReadBlockStatus(client, 3, context);

        Assert.Equal(new[] { ((uint)MiB, StateHole | StateZero), (64 * (uint)KiB, 0u), ((uint)(Size - MiB - (64 * KiB)), StateHole | StateZero) }, extents);
        Assert.Equal(new[] { ((uint)MiB, StateHole | StateZero) }, one);
        Assert.Equal(new[] { (8192u, 0u) }, inside);
    }

    [UnixFact]
    public void Reads_AreOneDataChunk_AndTheirErrorsAnErrorChunk()
    {
        using var client = WithAllocation(_site.Endpoint, "db01", out _);

        client.Send(Request(CmdRead, 1, (ulong)MiB, 4096));
        Assert.All(ReadData(client, 1, (ulong)MiB), b => Assert.Equal(0x5a, b));
        client.Send(Request(CmdRead, 2, Size - 512, 4096));
        Assert.Equal(EInvalid, ReadErrorChunk(client, 2));
        AssertStillServes(client);
    }

    [UnixTheory]
    [InlineData(0UL, 0u, (ushort)0)]
    [InlineData((ulong)Size, 4096u, (ushort)0)]
    [InlineData((ulong)Size - 512, 4096u, (ushort)0)]
    [InlineData(ulong.MaxValue - 100, 4096u, (ushort)0)]
    [InlineData(0UL, uint.MaxValue, (ushort)0)]
    [InlineData(0UL, 4096u, (ushort)(1 << 2))]
    [InlineData(0UL, 4096u, (ushort)0x80)]
    public void ABlockStatusOutsideTheExport_OfNoLength_OrWithAFlagItDoesNotTake_IsEinval(ulong offset, uint length, ushort flags)
    {
        using var client = WithAllocation(_site.Endpoint, "db01", out _);

        client.Send(Request(CmdBlockStatus, 4, offset, length, flags));

        Assert.Equal(EInvalid, ReadErrorChunk(client, 4));
        AssertStillServes(client);
    }

    [UnixFact]
    public void BlockStatus_WithoutTheContextSelected_IsEinval()
    {
        using var client = Structured(_site.Endpoint);
        Go(client, "db01");

        client.Send(Request(CmdBlockStatus, 5, 0, 4096));

        Assert.Equal(EInvalid, ReadErrorChunk(client, 5));
        AssertStillServes(client);
    }

    [UnixFact]
    public void BlockStatus_WithTheContextSelectedForAnotherExport_IsEinval()
    {
        _site.CreateExported("db02", Size);
        using var client = Structured(_site.Endpoint);
        SelectAllocation(client, "db02");
        Go(client, "db01");

        client.Send(Request(CmdBlockStatus, 6, 0, 4096));

        Assert.Equal(EInvalid, ReadErrorChunk(client, 6));
    }

    [UnixFact]
    public void MetaContexts_BeforeStructuredReplies_AreInvalid_AndTheClientIsServedWithSimpleReplies()
    {
        using var client = Greeted(_site.Endpoint);
        client.SendClientFlags(3);

        client.SendOption(OptSetMetaContext, MetaContextData("db01", Allocation));
        Assert.Equal(RepErrInvalid, client.ReadOptionReply(OptSetMetaContext).Type);
        client.SendOption(OptListMetaContext, MetaContextData("db01"));
        Assert.Equal(RepErrInvalid, client.ReadOptionReply(OptListMetaContext).Type);
        client.SendOption(OptStructuredReply, new byte[] { 1 });
        Assert.Equal(RepErrInvalid, client.ReadOptionReply(OptStructuredReply).Type);

        Go(client, "db01");
        client.Send(Request(CmdBlockStatus, 8, 0, 4096));
        Assert.Equal(EInvalid, client.ReadReply(8));
        client.Send(Request(CmdRead, 9, (ulong)MiB, 512));
        Assert.Equal(0u, client.ReadReply(9, 512, out var data));
        Assert.All(data, b => Assert.Equal(0x5a, b));
    }

    [UnixFact]
    public void ListMetaContext_ListsBaseAllocation_ForNoQuery_ForBase_AndForItsName_ButNotForOtherNamespaces()
    {
        using var client = Structured(_site.Endpoint);

        Assert.Equal(new[] { Allocation }, List(client));
        Assert.Equal(new[] { Allocation }, List(client, "base:"));
        Assert.Equal(new[] { Allocation }, List(client, Allocation, "qemu:dirty-bitmap:x"));
        Assert.Empty(List(client, "x-other:thing", "base:nothing"));
    }

    [UnixFact]
    public void SetMetaContext_WithBaseAlone_OrAnotherNamespace_SelectsNothing()
    {
        using var client = Structured(_site.Endpoint);

        client.SendOption(OptSetMetaContext, MetaContextData("db01", "base:", "x-other:allocation"));

        Assert.Equal(RepAck, client.ReadOptionReply(OptSetMetaContext).Type);
        Go(client, "db01");
        client.Send(Request(CmdBlockStatus, 10, 0, 4096));
        Assert.Equal(EInvalid, ReadErrorChunk(client, 10));
    }

    [UnixFact]
    public void ASetMetaContextThatFails_DropsTheEarlierSelection()
    {
        using var client = Structured(_site.Endpoint);
        SelectAllocation(client, "db01");

        client.SendOption(OptSetMetaContext, MetaContextData("nosuch", Allocation));
        Assert.Equal(RepErrUnknown, client.ReadOptionReply(OptSetMetaContext).Type);
        Go(client, "db01");

        client.Send(Request(CmdBlockStatus, 11, 0, 4096));
        Assert.Equal(EInvalid, ReadErrorChunk(client, 11));
    }

    public static TheoryData<string, byte[]> MalformedQueries => new()
    {
        { "no data", Array.Empty<byte>() },
        { "a name longer than the data", U32(100).Concat(new byte[] { 1, 2, 3 }).ToArray() },
        { "no query count", MetaContextData("db01").Take(8).ToArray() },
        { "more queries than the data holds", MetaContextData("db01").Take(8).Concat(U32(uint.MaxValue)).ToArray() },
        { "a query longer than the data", MetaContextData("db01").Take(8).Concat(U32(1)).Concat(U32(50)).Concat("base:"u8.ToArray()).ToArray() },
        { "a query longer than any string", MetaContextData("db01").Take(8).Concat(U32(1)).Concat(U32(5000)).Concat(new byte[5000]).ToArray() },
        { "bytes after the last query", MetaContextData("db01", Allocation).Concat(new byte[] { 0 }).ToArray() },
        { "a query without a namespace", MetaContextData("db01", "allocation") },
        { "a query that starts with its colon", MetaContextData("db01", ":allocation") },
    };

    [UnixTheory]
    [MemberData(nameof(MalformedQueries))]
    public void MalformedMetaContextOptions_AreInvalid_AndTheHandshakeGoesOn(string what, byte[] data)
    {
        using var client = Structured(_site.Endpoint);

        foreach (var option in new[] { OptListMetaContext, OptSetMetaContext })
        {
            client.SendOption(option, data);
            Assert.True(RepErrInvalid == client.ReadOptionReply(option).Type, what);
        }

        Go(client, "db01");
        AssertStillServes(client);
    }

    [UnixFact]
    public void AMetaContextOptionForAnUnknownExport_IsUnknown()
    {
        using var client = Structured(_site.Endpoint);

        client.SendOption(OptListMetaContext, MetaContextData("nosuch"));

        Assert.Equal(RepErrUnknown, client.ReadOptionReply(OptListMetaContext).Type);
    }

    private static string[] List(RawNbdClient client, params string[] queries)
    {
        client.SendOption(OptListMetaContext, MetaContextData("db01", queries));
        var names = new System.Collections.Generic.List<string>();
        while (true)
        {
            var (type, payload) = client.ReadOptionReply(OptListMetaContext);
            if (type == RepAck)
            {
                return names.ToArray();
            }

            Assert.Equal(RepMetaContext, type);
            names.Add(System.Text.Encoding.UTF8.GetString(payload, 4, payload.Length - 4));
        }
    }

    /// <summary>The connection still answers a valid request after the refusal (a structured read where they were negotiated).</summary>
    private static void AssertStillServes(RawNbdClient client)
    {
        client.Send(Request(CmdRead, 100, (ulong)MiB, 512));
        Assert.All(ReadData(client, 100, (ulong)MiB), b => Assert.Equal(0x5a, b));
    }
}
