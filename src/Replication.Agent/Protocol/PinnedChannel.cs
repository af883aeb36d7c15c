using System;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;

namespace Replication.Agent.Protocol;

/// <summary>
/// A gRPC channel to an agent over HTTP/2 and TLS that presents a client certificate and accepts only the server
/// certificate whose SHA-256 thumbprint is pinned (a CA alone is not enough: the pin names this partnership's agent).
/// Shared by the Agent driver and by agents sending rounds to their partner (linked into both).
/// </summary>
public static class PinnedChannel
{
    public static GrpcChannel Open(Uri address, X509Certificate2 clientCertificate, string pinnedServerThumbprint, int maxMessageBytes)
    {
        var pinned = NormalizeThumbprint(pinnedServerThumbprint);
        var handler = new SocketsHttpHandler
        {
            // The connection carries the handles the agent holds for this process: keep it while the process lives,
            // and find a dead peer by pings rather than by waiting on a call.
            PooledConnectionIdleTimeout = System.Threading.Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(20),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(40),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            EnableMultipleHttp2Connections = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = new X509CertificateCollection { clientCertificate },
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && string.Equals(ThumbprintOf(certificate), pinned, StringComparison.Ordinal),
            },
        };
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = maxMessageBytes,
            MaxSendMessageSize = maxMessageBytes,
        });
    }

    /// <summary>SHA-256 thumbprints as upper-case hex without separators (openssl's colons are accepted).</summary>
    public static string NormalizeThumbprint(string thumbprint)
    {
        var chars = new System.Text.StringBuilder(thumbprint.Length);
        foreach (var c in thumbprint)
        {
            if (c is not (':' or ' '))
            {
                chars.Append(char.ToUpperInvariant(c));
            }
        }

        return chars.ToString();
    }

    public static string ThumbprintOf(X509Certificate certificate) => Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData()));
}
