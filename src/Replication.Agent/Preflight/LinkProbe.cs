using System;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Google.Protobuf;
using Grpc.Core;
using Replication.Agent.Protocol;
using Replication.Drivers;

namespace Replication.Agent.Preflight;

/// <summary>
/// Measures the link to a partner agent for a pre-flight check: a few small calls (the shortest round trip, and the
/// partner's clock read in the middle of it), then a transfer of random bytes bounded in size and time, timed by the
/// partner from its first message to its last so that connecting and the sender's buffers do not count.
/// </summary>
public sealed class LinkProbe
{
    private const int Pings = 5;
    private const int ChunkBytes = 64 << 10;

    /// <summary>Bounds on what a caller may ask, whatever it asks: the probe is a check, not a load test.</summary>
    private const long MostBytes = 256L << 20;
    private static readonly TimeSpan LongestTransfer = TimeSpan.FromSeconds(10);

    private readonly PartnerChannels _partners;

    public LinkProbe(PartnerChannels partners) => _partners = partners;

    public async Task<LinkReply> Measure(MeasureLinkRequest request, CancellationToken cancel)
    {
        var partner = _partners.For(request.Partner);
        try
        {
            var (roundTrip, offset) = await Clock(partner, cancel).ConfigureAwait(false);
            var received = await Transfer(partner, Math.Clamp(request.MaxBytes, ChunkBytes, MostBytes), Bounded(request.MaxDurationMs), cancel).ConfigureAwait(false);
            return new LinkReply { RoundTripTicks = roundTrip.Ticks, ClockOffsetTicks = offset.Ticks, Bytes = received.Bytes, TransferTicks = received.ElapsedTicks };
        }
        catch (RpcException ex)
        {
            throw new StorageDriverException(DriverErrorIds.BackendUnreachable,
                $"The partner agent at {request.Partner.Address} cannot be reached from this agent: {ex.Status.StatusCode} {ex.Status.Detail}");
        }
    }

    /// <summary>The partner's side of the transfer: counts what arrives after the first message, and how long it took.</summary>
    public static async Task<LinkProbeReceived> Receive(IAsyncStreamReader<Bytes> input, CancellationToken cancel)
    {
        var clock = new Stopwatch();
        long bytes = 0;
        while (await input.MoveNext(cancel).ConfigureAwait(false))
        {
            if (clock.IsRunning)
            {
                bytes += input.Current.Value.Length;
            }
            else
            {
                clock.Start();
            }
        }

        return new LinkProbeReceived { Bytes = bytes, ElapsedTicks = clock.Elapsed.Ticks };
    }

    private static TimeSpan Bounded(long milliseconds) =>
        milliseconds <= 0 ? LongestTransfer : TimeSpan.FromMilliseconds(Math.Min(milliseconds, LongestTransfer.TotalMilliseconds));

    private static async Task<(TimeSpan RoundTrip, TimeSpan Offset)> Clock(StorageAgent.StorageAgentClient partner, CancellationToken cancel)
    {
        var best = TimeSpan.MaxValue;
        var offset = TimeSpan.Zero;
        for (var i = 0; i < Pings; i++)
        {
            var before = DateTime.UtcNow;
            var reading = await partner.PartnerClockAsync(new Nothing(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancel).ConfigureAwait(false);
            var after = DateTime.UtcNow;
            if (after - before < best)
            {
                best = after - before;
                offset = TimeSpan.FromTicks(reading.UtcTicks - (before.Ticks + ((after.Ticks - before.Ticks) / 2)));
            }
        }

        return (best, offset);
    }

    private static async Task<LinkProbeReceived> Transfer(StorageAgent.StorageAgentClient partner, long maxBytes, TimeSpan maxDuration, CancellationToken cancel)
    {
        // Random, so that nothing on the way could make it smaller than it is.
        var chunk = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(ChunkBytes));
        using var call = partner.ReceiveLinkProbe(deadline: DateTime.UtcNow + maxDuration + TimeSpan.FromSeconds(30), cancellationToken: cancel);
        var clock = Stopwatch.StartNew();
        for (long sent = 0; sent < maxBytes && clock.Elapsed < maxDuration; sent += ChunkBytes)
        {
            await call.RequestStream.WriteAsync(new Bytes { Value = chunk }, cancel).ConfigureAwait(false);
        }

        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        return await call.ResponseAsync.ConfigureAwait(false);
    }
}
