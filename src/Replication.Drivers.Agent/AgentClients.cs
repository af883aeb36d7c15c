using System;
using System.Collections.Concurrent;
using System.IO;
using Grpc.Core;
using Grpc.Net.Client;
using Replication.Agent.Protocol;

namespace Replication.Drivers.Agent;

/// <summary>
/// The agent a backend names, reached over a channel kept for the process (one per address, pinned certificate and
/// client certificate): open copies and sidecars live on the agent as long as that connection does.
/// </summary>
internal static class AgentClients
{
    private const int MaxMessageBytes = 64 << 20;

    private static readonly ConcurrentDictionary<string, GrpcChannel> Channels = new(StringComparer.Ordinal);

    public static AgentClient For(BackendConfiguration backend)
    {
        var settings = AgentSettings.Of(backend.Settings);
        return new AgentClient(backend, settings.Address, ClientFor(backend, settings));
    }

    /// <summary>The agent of a backend of this driver at the address partner agents reach it.</summary>
    public static PartnerAgent PartnerOf(BackendConfiguration backend)
    {
        var settings = AgentSettings.Of(backend.Settings);
        return new PartnerAgent { Address = settings.ReplicationAddress.ToString(), ServerThumbprint = settings.ServerThumbprint };
    }

    private static StorageAgent.StorageAgentClient ClientFor(BackendConfiguration backend, AgentSettings settings)
    {
        var certificateStamp = File.Exists(settings.ClientCertificate) ? File.GetLastWriteTimeUtc(settings.ClientCertificate).Ticks : 0;
        var key = string.Join("|", settings.Address, settings.ServerThumbprint, settings.ClientCertificate, settings.ClientKey, certificateStamp);
        var channel = Channels.GetOrAdd(key, _ =>
        {
            var certificate = ClientCertificates.Load(settings, () => backend.ResolveSecret(AgentSettings.ClientCertificatePasswordKey));
            return PinnedChannel.Open(settings.Address, certificate, settings.ServerThumbprint, MaxMessageBytes);
        });
        return new StorageAgent.StorageAgentClient(channel);
    }
}

/// <summary>One backend's agent: calls with a deadline, failures turned into what the driver contract promises.</summary>
internal sealed class AgentClient
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(2);

    private readonly Uri _address;

    public AgentClient(BackendConfiguration backend, Uri address, StorageAgent.StorageAgentClient client)
    {
        _address = address;
        Client = client;
        Backend = new BackendRef { Name = backend.Name, StateStoreId = backend.StateStoreId };
    }

    public StorageAgent.StorageAgentClient Client { get; }

    public BackendRef Backend { get; }

    public CopyRef Copy(string location) => new() { Backend = Backend, Location = location };

    public T Call<T>(Func<StorageAgent.StorageAgentClient, CallOptions, T> call) => Call(call, CallTimeout);

    public T Call<T>(Func<StorageAgent.StorageAgentClient, CallOptions, T> call, TimeSpan timeout)
    {
        try
        {
            return call(Client, new CallOptions(deadline: DateTime.UtcNow + timeout));
        }
        catch (RpcException ex)
        {
            throw AgentFailure.From(ex, _address);
        }
    }

    public void Call(Action<StorageAgent.StorageAgentClient, CallOptions> call) => Call((client, options) =>
    {
        call(client, options);
        return true;
    });
}

/// <summary>What the agent's failure trailers name, raised as the exception the driver contract promises.</summary>
internal static class AgentFailure
{
    public static Exception From(RpcException error, Uri address)
    {
        var kind = error.Trailers.GetValue(AgentFaults.KindKey);
        var message = error.Status.Detail;
        return kind switch
        {
            AgentFaults.Driver => new StorageDriverException(error.Trailers.GetValue(AgentFaults.ErrorIdKey) ?? DriverErrorIds.IoFault, message, error),
            AgentFaults.FileNotFound => new FileNotFoundException(message, error),
            AgentFaults.Io => new IOException(message, error),
            AgentFaults.OutOfRange => new ArgumentOutOfRangeException(message, error),
            AgentFaults.Argument => new ArgumentException(message, error),
            _ when error.StatusCode == StatusCode.PermissionDenied => new StorageDriverException(DriverErrorIds.StorageRefused, $"The storage agent at {address} refused the call: {message}", error),
            _ when error.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled || IsConnectionFailure(error) =>
                new StorageDriverException(DriverErrorIds.BackendUnreachable, $"The storage agent at {address} cannot be reached: {Reason(error)}", error),
            _ => new StorageDriverException(DriverErrorIds.IoFault, $"The storage agent at {address} failed: {Reason(error)}", error),
        };
    }

    // A refused TLS handshake (the agent's certificate is not the pinned one) or a connection that could not be made.
    private static bool IsConnectionFailure(RpcException error)
    {
        for (var inner = error.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Net.Http.HttpRequestException or System.Security.Authentication.AuthenticationException or System.Net.Sockets.SocketException)
            {
                return true;
            }
        }

        return false;
    }

    // The innermost cause says what went wrong (refused connection, certificate not accepted, ...).
    private static string Reason(RpcException error)
    {
        var inner = error.Status.DebugException ?? (Exception)error;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return string.IsNullOrEmpty(error.Status.Detail) || ReferenceEquals(inner, error) ? error.Status.Detail : $"{error.Status.Detail} ({inner.Message})";
    }
}
