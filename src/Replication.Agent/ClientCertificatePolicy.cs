using System;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Replication.Agent.Protocol;

namespace Replication.Agent;

/// <summary>
/// Who the agent serves: a client certificate that chains to the configured CA (and only to it: the system's roots do
/// not count), is valid now, is meant for client authentication, and whose SHA-256 thumbprint is pinned for this
/// partnership (a controller's or a partner agent's). Anything else fails the TLS handshake, so nothing is served to it;
/// what a partner agent may call is <see cref="PartnerCalls"/>'s to say.
/// </summary>
public sealed class ClientCertificatePolicy
{
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    private readonly AgentOptions _options;

    public ClientCertificatePolicy(AgentOptions options) => _options = options;

    public bool Accepts(X509Certificate2? certificate, X509Chain? _, SslPolicyErrors __)
    {
        if (certificate is null || !(_options.PinnedClients.Contains(PinnedChannel.ThumbprintOf(certificate)) || _options.PinnedPartners.Contains(PinnedChannel.ThumbprintOf(certificate))))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_options.TrustedCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(ClientAuthentication));
        chain.ChainPolicy.VerificationTime = DateTime.Now;
        return chain.Build(certificate);
    }
}
