using Replication.Agent.Protocol;

namespace Replication.Drivers.Agent;

/// <summary>The fence epoch, kept by each site's agent (docs/agents.md, "The fence epoch").</summary>
public sealed partial class AgentDriver : IFenceEpochs
{
    public void AssertEpoch(FenceEpochAssertion assertion)
    {
        var agent = AgentClients.For(assertion.Backend);
        var request = new EpochAssertion { Copy = agent.Copy(assertion.Location), Epoch = assertion.Epoch, Primary = assertion.Primary };
        // The agent asks its partner only when the other copy is on an agent too.
        if (AgentSettings.AreAgents(assertion.Partner.Settings))
        {
            request.PartnerAgent = AgentClients.PartnerOf(assertion.Partner);
            request.PartnerLocation = assertion.PartnerLocation;
        }

        agent.Call((client, options) => client.AssertEpoch(request, options));
    }

    public string? CleanFenceStamp(BackendConfiguration backend, string location)
    {
        var agent = AgentClients.For(backend);
        var state = agent.Call((client, options) => client.EpochOf(agent.Copy(location), options));
        return state.Fenced && state.HasCleanFenceStamp ? state.CleanFenceStamp : null;
    }
}
