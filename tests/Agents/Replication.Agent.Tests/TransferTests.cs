using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Replication.Drivers;

namespace Replication.Agent.Tests;

/// <summary>
/// The transfer between two agents, measured on the link between them (a counting relay on loopback that the round
/// crosses, TLS and all): compression when it pays, the partnership's bandwidth limit, and a cut round that resumes.
/// </summary>
public sealed class TransferTests : IClassFixture<AgentLab>, IDisposable
{
    private const int Size = 16 << 20;

    private readonly AgentLab _lab;
    private readonly LinkProxy _link;
    private readonly BackendConfiguration _a;

    public TransferTests(AgentLab lab)
    {
        _lab = lab;
        _link = new LinkProxy(lab.B.Port);
        _a = lab.Backend("site-a", lab.A);
        lab.Driver.PrepareBackend(_a);
    }

    [Fact]
    public void CompressibleBlocksCrossTheLinkSmallerThanTheyAre()
    {
        var b = BehindTheLink();
        var location = CopyAtA(Enumerable.Range(0, Size).Select(i => (byte)((i / 512) % 7)).ToArray());

        var round = _lab.Driver.Replicate(new NativeRoundRequest(_a, location, b, location, 1, full: true));

        Assert.Equal(Size, round.BytesSent);
        Assert.True(_link.Forward < Size / 10, $"{_link.Forward} bytes crossed the link for {Size} compressible bytes.");
        _lab.Driver.ApplyStaged(b, location, 1);
        Assert.Equal(ReadAll(_a, location), ReadAll(b, location));
    }

    [Fact]
    public void IncompressibleBlocksCrossTheLinkAtMostAFewPercentLarger()
    {
        var b = BehindTheLink();
        var location = CopyAtA(RandomBytes(Size, 1));

        _lab.Driver.Replicate(new NativeRoundRequest(_a, location, b, location, 1, full: true));

        Assert.True(_link.Forward > Size && _link.Forward <= Size * 1.05, $"{_link.Forward} bytes crossed the link for {Size} random bytes.");
        _lab.Driver.ApplyStaged(b, location, 1);
        Assert.Equal(ReadAll(_a, location), ReadAll(b, location));
    }

    [Fact]
    public void TheBandwidthLimitHoldsTheRateOnTheLink()
    {
        const double mbps = 40;
        var b = BehindTheLink(mbps);
        var location = CopyAtA(RandomBytes(Size, 2));

        var clock = Stopwatch.StartNew();
        _lab.Driver.Replicate(new NativeRoundRequest(_a, location, b, location, 1, full: true));
        clock.Stop();

        var measuredMbps = _link.Forward * 8 / clock.Elapsed.TotalSeconds / 1_000_000;
        Assert.True(measuredMbps <= mbps * 1.1 && measuredMbps >= mbps * 0.25, $"{measuredMbps:F1} Mbit/s on the link under a {mbps} Mbit/s limit.");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("fast")]
    [InlineData("NaN")]
    public void ABandwidthLimitThatIsNotAPositiveNumberIsRefused(string limit)
    {
        var settings = AgentLab.SettingsFor(_lab.B, _lab.Controller);
        settings["ReplicationBandwidthMbps"] = limit;

        var error = Assert.Throws<StorageDriverException>(() => _lab.Driver.ValidateSettings(settings));
        Assert.Equal(DriverErrorIds.InvalidSetting, error.ErrorId);
        settings["ReplicationBandwidthMbps"] = "12.5";
        Assert.Equal("12.5", _lab.Driver.ValidateSettings(settings)["ReplicationBandwidthMbps"]);
    }

    [Fact]
    public void TheCallerHearsHowFarALongRoundHasComeOnItsOwnThread()
    {
        var b = BehindTheLink(bandwidthMbps: 20);
        var location = CopyAtA(RandomBytes(Size / 2, 6));
        var heard = new List<(long Done, long Total, int Thread)>();

        _lab.Driver.Replicate(new NativeRoundRequest(_a, location, b, location, 1, full: true)
        {
            Progress = (done, total) => heard.Add((done, total, Environment.CurrentManagedThreadId)),
        });

        Assert.NotEmpty(heard);
        Assert.All(heard, h => Assert.Equal((Size / 2, Environment.CurrentManagedThreadId), (h.Total, h.Thread)));
        Assert.Contains(heard, h => h.Done > 0 && h.Done < h.Total);
        Assert.Equal(heard.Select(h => h.Done).OrderBy(d => d), heard.Select(h => h.Done));
    }

    [Fact]
    public void ARoundCutMidwaySendsOnlyWhatWasMissingWhenTriedAgain()
    {
        var b = BehindTheLink();
        var location = CopyAtA(RandomBytes(Size, 3));
        _link.CutAfter(Size / 2);

        var cut = Assert.Throws<StorageDriverException>(() => _lab.Driver.Replicate(new NativeRoundRequest(_a, location, b, location, 1, full: true)));
        Assert.Equal(DriverErrorIds.BackendUnreachable, cut.ErrorId);
        Assert.Null(_lab.Driver.ReplicaState(b, location).StagedRound);
        var firstAttempt = _link.Forward;

        _link.Restore();
        _link.Reset();
        var again = _lab.Driver.Replicate(new NativeRoundRequest(_a, location, b, location, 1, full: true));

        // What the first attempt put on the link and the replica wrote down is not sent again; what was in flight is.
        Assert.True(_link.Forward < Size - firstAttempt + (3 << 20), $"the first attempt sent {firstAttempt} bytes, the second {_link.Forward}, of {Size}.");
        Assert.True(again.BytesSent < Size * 3 / 4, $"{again.BytesSent} bytes sent again.");
        _lab.Driver.ApplyStaged(b, location, 1);
        Assert.Equal(ReadAll(_a, location), ReadAll(b, location));
    }

    [Fact]
    public void ABlockChangedSinceTheCutIsSentAgainAndTheStaleOneIsNotApplied()
    {
        var b = BehindTheLink();
        var data = RandomBytes(Size, 4);
        var location = CopyAtA(data);
        _link.CutAfter(Size / 2);
        Assert.Throws<StorageDriverException>(() => _lab.Driver.Replicate(new NativeRoundRequest(_a, location, b, location, 1, full: true)));
        _link.Restore();

        // The first block surely arrived before the cut; it changes, and the retry must carry the new content.
        Write(_a, location, 0, RandomBytes(4096, 5));
        _lab.Driver.Replicate(new NativeRoundRequest(_a, location, b, location, 2, full: true));
        _lab.Driver.ApplyStaged(b, location, 2);
        Assert.Equal(ReadAll(_a, location), ReadAll(b, location));
    }

    public void Dispose() => _link.Dispose();

    /// <summary>Site B as its partner reaches it: through the counted link, with the partnership's limit when given.</summary>
    private BackendConfiguration BehindTheLink(double? bandwidthMbps = null)
    {
        var settings = AgentLab.SettingsFor(_lab.B, _lab.Controller);
        settings["ReplicationAddress"] = _link.Address;
        if (bandwidthMbps is { } mbps)
        {
            settings["ReplicationBandwidthMbps"] = mbps.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var backend = new BackendConfiguration("site-b", _lab.Driver.ValidateSettings(settings), _lab.StoreId);
        _lab.Driver.PrepareBackend(backend);
        return backend;
    }

    private string CopyAtA(byte[] data)
    {
        var location = _lab.Driver.LocationFor(Guid.NewGuid());
        _lab.Driver.CreateCopy(_a, location, data.Length);
        Write(_a, location, 0, data);
        return location;
    }

    private void Write(BackendConfiguration backend, string location, long offset, byte[] data)
    {
        using var device = _lab.Driver.Open(backend, location, DeviceAccess.ReadWrite);
        for (var at = 0; at < data.Length; at += 4 << 20)
        {
            device.Write(offset + at, data, at, Math.Min(4 << 20, data.Length - at));
        }

        device.Flush();
    }

    private byte[] ReadAll(BackendConfiguration backend, string location)
    {
        using var device = _lab.Driver.Open(backend, location, DeviceAccess.Read);
        var bytes = new byte[device.Length];
        for (var at = 0; at < bytes.Length; at += 4 << 20)
        {
            device.Read(at, bytes, at, Math.Min(4 << 20, bytes.Length - at));
        }

        return bytes;
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
