using System;
using System.IO;
using System.Threading.Tasks;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Replication.Agent.Protocol;
using Replication.Drivers;

namespace Replication.Agent;

/// <summary>Turns what the storage work throws into a gRPC status whose trailers say which exception the caller raises.</summary>
public sealed class StorageErrors : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Fault(ex);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Fault(ex);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Fault(ex);
        }
    }

    public static RpcException Fault(Exception error)
    {
        var trailers = new Metadata();
        StatusCode code;
        switch (error)
        {
            case StorageDriverException driver:
                trailers.Add(AgentFaults.KindKey, AgentFaults.Driver);
                trailers.Add(AgentFaults.ErrorIdKey, driver.ErrorId);
                code = StatusCode.FailedPrecondition;
                break;
            case FileNotFoundException:
                trailers.Add(AgentFaults.KindKey, AgentFaults.FileNotFound);
                code = StatusCode.NotFound;
                break;
            case ArgumentOutOfRangeException:
                trailers.Add(AgentFaults.KindKey, AgentFaults.OutOfRange);
                code = StatusCode.OutOfRange;
                break;
            case ArgumentException:
                trailers.Add(AgentFaults.KindKey, AgentFaults.Argument);
                code = StatusCode.InvalidArgument;
                break;
            case IOException or UnauthorizedAccessException:
                trailers.Add(AgentFaults.KindKey, AgentFaults.Io);
                code = StatusCode.Aborted;
                break;
            default:
                code = StatusCode.Internal;
                break;
        }

        return new RpcException(new Status(code, Single(error.Message)), trailers);
    }

    // Status details travel in an HTTP/2 header: one line.
    private static string Single(string message) => message.Replace('\r', ' ').Replace('\n', ' ');
}
