using System;
using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;
using Replication.Agent.Protocol;

namespace Replication.Drivers.Agent;

/// <summary>
/// What Test-ReplicationPartnership measures of agent backends: the certificates (this host's client certificate, the
/// agent's, the CA the agent trusts) and the link between the two agents, measured by the primary's agent.
/// </summary>
public sealed partial class AgentDriver : IPartnershipDiagnostics
{
    public BackendCertificates Certificates(BackendConfiguration backend)
    {
        var found = new List<CertificateValidity>();
        var settings = AgentSettings.Of(backend.Settings);
        try
        {
            using var clientCertificate = ClientCertificates.Load(settings, () => backend.ResolveSecret(AgentSettings.ClientCertificatePasswordKey));
            found.Add(Validity("this host's client certificate", clientCertificate));
            var agent = AgentClients.For(backend);
            var diagnosis = agent.Call((client, options) => client.Diagnose(new Nothing(), options));
            using var own = X509CertificateLoader.LoadCertificate(diagnosis.Certificate.Span);
            using var ca = X509CertificateLoader.LoadCertificate(diagnosis.TrustedCa.Span);
            found.Add(Validity($"the certificate of the agent at {settings.Address}", own));
            found.Add(Validity("the CA the agent trusts", ca));
            return new BackendCertificates(found, null);
        }
        catch (StorageDriverException ex)
        {
            return new BackendCertificates(found, ex.Message);
        }
    }

    public LinkMeasurement MeasureLink(BackendConfiguration primary, BackendConfiguration replica, long maxBytes, TimeSpan maxDuration)
    {
        var from = AgentSettings.Of(primary.Settings).Address.ToString();
        var partner = AgentClients.PartnerOf(replica);
        try
        {
            var agent = AgentClients.For(primary);
            var request = new MeasureLinkRequest { Partner = partner, MaxBytes = maxBytes, MaxDurationMs = (long)maxDuration.TotalMilliseconds };
            var reply = agent.Call((client, options) => client.MeasurePartnerLink(request, options), maxDuration + TimeSpan.FromMinutes(1));
            return new LinkMeasurement(from, partner.Address, TimeSpan.FromTicks(reply.RoundTripTicks), reply.Bytes, TimeSpan.FromTicks(reply.TransferTicks), TimeSpan.FromTicks(reply.ClockOffsetTicks));
        }
        catch (StorageDriverException ex)
        {
            return LinkMeasurement.Failed(from, partner.Address, ex.Message);
        }
    }

    private static CertificateValidity Validity(string role, X509Certificate2 certificate) =>
        new(role, certificate.Subject, PinnedChannel.ThumbprintOf(certificate), new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero), new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero));
}
