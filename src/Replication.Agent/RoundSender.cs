using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Google.Protobuf;
using Grpc.Core;
using Replication.Agent.Protocol;
using Replication.Drivers;

namespace Replication.Agent;

/// <summary>
/// The primary side of native replication: reads the primary copy here, asks the replica's agent for the hashes of its
/// blocks and for those a cut attempt left staged there, and streams to it the blocks that differ (ranges that became
/// zeros as zero ranges; data compressed when that pays), within the partnership's bandwidth limit. The bytes go agent to
/// agent; the controller only hears how many, and may ask how far a round has come.
/// </summary>
public sealed class RoundSender
{
    private readonly AgentStorage _storage;
    private readonly PartnerChannels _partners;
    private readonly SendingRounds _rounds;

    public RoundSender(AgentStorage storage, PartnerChannels partners, SendingRounds rounds)
    {
        _storage = storage;
        _partners = partners;
        _rounds = rounds;
    }

    public async Task<ReplicateReply> Send(ReplicateRequest request, CancellationToken cancel)
    {
        try
        {
            return await SendTo(_partners.For(request.ReplicaAgent), request, cancel).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            throw PartnerFailure(ex, request.ReplicaAgent.Address);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            // The link broke under a stream being written: the partner is as unreachable as when a call fails.
            throw new StorageDriverException(DriverErrorIds.BackendUnreachable, $"The link to the partner agent at {request.ReplicaAgent.Address} broke mid-round: {ex.Message}");
        }
    }

    /// <summary>
    /// What the partner said, for the controller: its storage fault as such, or that it cannot be reached from here (so
    /// the controller does not take the partner's silence for this agent's).
    /// </summary>
    private static StorageDriverException PartnerFailure(RpcException error, string address) =>
        error.Trailers.GetValue(AgentFaults.KindKey) == AgentFaults.Driver
            ? new StorageDriverException(error.Trailers.GetValue(AgentFaults.ErrorIdKey) ?? DriverErrorIds.IoFault, $"The partner agent at {address}: {error.Status.Detail}")
            : new StorageDriverException(error.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled or StatusCode.Internal
                ? DriverErrorIds.BackendUnreachable
                : DriverErrorIds.IoFault, $"The partner agent at {address} cannot be reached from this agent, or failed: {error.Status.StatusCode} {error.Status.Detail}");

    private async Task<ReplicateReply> SendTo(StorageAgent.StorageAgentClient partner, ReplicateRequest request, CancellationToken cancel)
    {
        var backend = _storage.Backend(request.Primary);
        var pointInTime = DateTimeOffset.UtcNow;
        using var device = _storage.Driver.Open(backend, request.Primary.Location, DeviceAccess.Read);
        const int blockSize = AgentLimits.ReplicationBlockBytes;
        var theirs = await HashesOf(partner.BlockHashes(new BlockHashesRequest { Copy = request.Replica, BlockSize = blockSize }, cancellationToken: cancel), cancel).ConfigureAwait(false);
        var staged = await HashesOf(partner.StagedBlocks(request.Replica, cancellationToken: cancel), cancel).ConfigureAwait(false);
        var counters = _rounds.Start(request.Primary, request.Round, device.Length);
        try
        {
            using var stage = partner.Stage(cancellationToken: cancel);
            await stage.RequestStream.WriteAsync(new StageMessage
            {
                Header = new StageHeader { Replica = request.Replica, Round = request.Round, SizeBytes = device.Length, PointInTimeTicks = pointInTime.UtcTicks, Resume = true },
            }, cancel).ConfigureAwait(false);
            var bandwidth = TokenBucket.For(request.BandwidthBytesPerSecond);
            using var compression = new BlockCompression();
            var buffer = new byte[blockSize];
            for (long offset = 0; offset < device.Length; offset += blockSize)
            {
                var count = (int)Math.Min(blockSize, device.Length - offset);
                var allocated = device.AllocatedExtents(offset, count).Any();
                var hash = BlockHashing.Of(device, offset, buffer, count);
                Interlocked.Add(ref counters.Examined, count);
                // What the replica holds once the round is applied: a block staged by a cut attempt, else its block now.
                if (staged.TryGetValue(offset, out var kept) ? kept.AsSpan().SequenceEqual(hash) : theirs.TryGetValue(offset, out var their) && their.AsSpan().SequenceEqual(hash))
                {
                    counters.Resumed += staged.ContainsKey(offset) && allocated ? count : 0;
                    continue;
                }

                var (part, wire) = PartFor(offset, buffer.AsSpan(0, count), allocated, compression);
                if (bandwidth is not null)
                {
                    await bandwidth.Take(wire, cancel).ConfigureAwait(false);
                }

                await stage.RequestStream.WriteAsync(part, cancel).ConfigureAwait(false);
                Interlocked.Add(ref counters.Sent, allocated ? count : 0);
                Interlocked.Add(ref counters.OnWire, wire);
            }

            await stage.RequestStream.CompleteAsync().ConfigureAwait(false);
            await stage.ResponseAsync.ConfigureAwait(false);
            return new ReplicateReply { BytesSent = counters.Sent, BytesOnWire = counters.OnWire, BytesResumed = counters.Resumed, PointInTimeTicks = pointInTime.UtcTicks };
        }
        finally
        {
            _rounds.End(request.Primary, request.Round);
        }
    }

    /// <summary>A block as it goes on the link, and its payload's bytes: zstd when that pays, raw otherwise, a range of zeros for a hole.</summary>
    private static (StageMessage Part, int WireBytes) PartFor(long offset, ReadOnlySpan<byte> block, bool allocated, BlockCompression compression)
    {
        if (!allocated)
        {
            return (new StageMessage { Zero = new ZeroRequest { Offset = offset, Length = block.Length } }, 0);
        }

        return compression.Compress(block) is { } compressed
            ? (new StageMessage { Compressed = new CompressedBlock { Offset = offset, Length = block.Length, Zstd = ByteString.CopyFrom(compressed.Span) } }, compressed.Length)
            : (new StageMessage { Block = new WriteRequest { Offset = offset, Data = ByteString.CopyFrom(block) } }, block.Length);
    }

    private static async Task<Dictionary<long, byte[]>> HashesOf(AsyncServerStreamingCall<BlockHash> call, CancellationToken cancel)
    {
        using (call)
        {
            var hashes = new Dictionary<long, byte[]>();
            while (await call.ResponseStream.MoveNext(cancel).ConfigureAwait(false))
            {
                hashes[call.ResponseStream.Current.Offset] = call.ResponseStream.Current.Hash.ToByteArray();
            }

            return hashes;
        }
    }
}
