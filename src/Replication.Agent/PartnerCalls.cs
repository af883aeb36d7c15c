using System;
using System.Threading.Tasks;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Replication.Agent.Protocol;

namespace Replication.Agent;

/// <summary>
/// A partner agent is served only what sending a round takes (the replica's block hashes, the blocks a cut attempt
/// staged, staging the round), the fence epoch it holds for a copy, and its clock and a link probe (pre-flight); every other
/// call is the controllers' alone, so a partner site that is taken over cannot delete or rewrite this site's copies.
/// </summary>
public sealed class PartnerCalls : Interceptor
{
    private static readonly string[] PartnerMethods =
    {
        "/" + StorageAgent.Descriptor.FullName + "/" + nameof(StorageAgent.StorageAgentBase.BlockHashes),
        "/" + StorageAgent.Descriptor.FullName + "/" + nameof(StorageAgent.StorageAgentBase.Stage),
        "/" + StorageAgent.Descriptor.FullName + "/" + nameof(StorageAgent.StorageAgentBase.PartnerClock),
        "/" + StorageAgent.Descriptor.FullName + "/" + nameof(StorageAgent.StorageAgentBase.ReceiveLinkProbe),
        "/" + StorageAgent.Descriptor.FullName + "/" + nameof(StorageAgent.StorageAgentBase.EpochOf),
        "/" + StorageAgent.Descriptor.FullName + "/" + nameof(StorageAgent.StorageAgentBase.StagedBlocks),
    };

    private readonly AgentOptions _options;

    public PartnerCalls(AgentOptions options) => _options = options;

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Require(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Require(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Require(context);
        return continuation(request, responseStream, context);
    }

    private void Require(ServerCallContext context)
    {
        var certificate = context.GetHttpContext().Connection.ClientCertificate;
        var thumbprint = certificate is null ? "" : PinnedChannel.ThumbprintOf(certificate);
        if (_options.PinnedClients.Contains(thumbprint) || (_options.PinnedPartners.Contains(thumbprint) && Array.IndexOf(PartnerMethods, context.Method) >= 0))
        {
            return;
        }

        throw new RpcException(new Status(StatusCode.PermissionDenied, $"{context.Method} is served to this agent's controllers only; the certificate {thumbprint} is pinned as a partner agent's."));
    }
}
