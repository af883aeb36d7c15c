using System;
using System.Threading.Tasks;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Replication.Agent.Metrics;

/// <summary>Counts the calls that failed, by method and gRPC status (outermost, so refusals and storage faults both count).</summary>
public sealed class FailedCalls : Interceptor
{
    private readonly AgentMetrics _metrics;

    public FailedCalls(AgentMetrics metrics) => _metrics = metrics;

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Count(context, ex);
            throw;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Count(context, ex);
            throw;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Count(context, ex);
            throw;
        }
    }

    private void Count(ServerCallContext context, Exception error) =>
        _metrics.Failed(context.Method.Substring(context.Method.LastIndexOf('/') + 1), error is RpcException rpc ? rpc.StatusCode.ToString() : StatusCode.Unknown.ToString());
}
