using System;
using System.Security.Authentication;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace Replication.Agent;

/// <summary>Kestrel as the agent needs it: one HTTP/2 endpoint, TLS 1.2 or later, a pinned client certificate required.</summary>
internal static class AgentListener
{
    public static void Configure(KestrelServerOptions kestrel, AgentOptions options)
    {
        var policy = new ClientCertificatePolicy(options);
        // An idle controller keeps its connection (and its open handles); a dead one is found by pings.
        kestrel.Limits.KeepAliveTimeout = TimeSpan.FromDays(1);
        kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(20);
        kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(40);
        kestrel.Limits.MaxRequestBodySize = null;
        kestrel.Listen(options.Listen, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            // Handles live as long as the connection that opened them.
            listen.Use(next => async connection =>
            {
                try
                {
                    await next(connection).ConfigureAwait(false);
                }
                finally
                {
                    listen.ApplicationServices.GetRequiredService<OpenHandles>().CloseConnection(connection.ConnectionId);
                }
            });
            listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = options.Certificate,
                SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                ClientCertificateValidation = policy.Accepts,
                CheckCertificateRevocation = false,
            });
        });
    }
}
