using System;
using System.Collections.Concurrent;
using Grpc.Net.Client;
using Replication.Agent.Protocol;
using Replication.Drivers;

namespace Replication.Agent;

/// <summary>
/// Channels to partner agents, one per address and pinned thumbprint, kept while the agent runs. The agent sends a round
/// only to an agent of its partnership: one whose thumbprint it pins as a partner.
/// </summary>
public sealed class PartnerChannels
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly AgentOptions _options;

    public PartnerChannels(AgentOptions options) => _options = options;

    public StorageAgent.StorageAgentClient For(PartnerAgent partner)
    {
        var thumbprint = PinnedChannel.NormalizeThumbprint(partner.ServerThumbprint);
        if (!_options.PinnedPartners.Contains(thumbprint))
        {
            throw new StorageDriverException(DriverErrorIds.StorageRefused,
                $"The agent at '{partner.Address}' (certificate {thumbprint}) is not pinned by this agent: it sends rounds only to the partner agent of its partnership.");
        }

        if (!Uri.TryCreate(partner.Address, UriKind.Absolute, out var address) || address.Scheme != Uri.UriSchemeHttps)
        {
            throw new StorageDriverException(DriverErrorIds.InvalidSetting, $"'{partner.Address}' is not an https:// address of an agent.");
        }

        var channel = _channels.GetOrAdd(address + "|" + thumbprint, _ => PinnedChannel.Open(address, _options.Certificate, thumbprint, AgentLimits.MaxMessageBytes));
        return new StorageAgent.StorageAgentClient(channel);
    }
}
