using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Google.Protobuf;
using Grpc.Core;
using Replication.Agent.Protocol;
using Replication.Drivers;

namespace Replication.Agent;

/// <summary>
/// The primary side of native replication: reads the primary copy here, asks the replica's agent for the hashes of its
/// blocks, and streams to it the blocks that differ (ranges that became zeros as zero ranges). The bytes go agent to
/// agent; the controller only hears how many.
/// </summary>
public sealed class RoundSender
{
    private readonly AgentStorage _storage;
    private readonly PartnerChannels _partners;

    public RoundSender(AgentStorage storage, PartnerChannels partners)
    {
        _storage = storage;
        _partners = partners;
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
        var theirs = await HashesOf(partner, request.Replica, blockSize, cancel).ConfigureAwait(false);
        using var stage = partner.Stage(cancellationToken: cancel);
        await stage.RequestStream.WriteAsync(new StageMessage
        {
            Header = new StageHeader { Replica = request.Replica, Round = request.Round, SizeBytes = device.Length, PointInTimeTicks = pointInTime.UtcTicks },
        }, cancel).ConfigureAwait(false);
        long sent = 0;
        var buffer = new byte[blockSize];
        for (long offset = 0; offset < device.Length; offset += blockSize)
        {
            var count = (int)Math.Min(blockSize, device.Length - offset);
            var allocated = device.AllocatedExtents(offset, count).Any();
            var hash = BlockHashing.Of(device, offset, buffer, count);
            if (theirs.TryGetValue(offset, out var their) && their.AsSpan().SequenceEqual(hash))
            {
                continue;
            }

            var part = allocated
                ? new StageMessage { Block = new WriteRequest { Offset = offset, Data = ByteString.CopyFrom(buffer, 0, count) } }
                : new StageMessage { Zero = new ZeroRequest { Offset = offset, Length = count } };
            await stage.RequestStream.WriteAsync(part, cancel).ConfigureAwait(false);
            sent += allocated ? count : 0;
        }

        await stage.RequestStream.CompleteAsync().ConfigureAwait(false);
        await stage.ResponseAsync.ConfigureAwait(false);
        return new ReplicateReply { BytesSent = sent, PointInTimeTicks = pointInTime.UtcTicks };
    }

    private static async Task<Dictionary<long, byte[]>> HashesOf(StorageAgent.StorageAgentClient partner, CopyRef replica, int blockSize, CancellationToken cancel)
    {
        var hashes = new Dictionary<long, byte[]>();
        using var call = partner.BlockHashes(new BlockHashesRequest { Copy = replica, BlockSize = blockSize }, cancellationToken: cancel);
        while (await call.ResponseStream.MoveNext(cancel).ConfigureAwait(false))
        {
            hashes[call.ResponseStream.Current.Offset] = call.ResponseStream.Current.Hash.ToByteArray();
        }

        return hashes;
    }
}
