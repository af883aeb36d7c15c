using System;
using System.Threading.Tasks;
using Grpc.Core;
using Replication.Agent.Protocol;

namespace Replication.Drivers.Agent;

/// <summary>
/// Native replication between two agent backends: the primary's agent sends the round to the replica's agent, which
/// stages it; the engine records the round and then asks the replica's agent to apply it. Volume bytes never cross
/// this host: it sends and receives only the calls.
/// </summary>
public sealed partial class AgentDriver : INativeReplication
{
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromHours(6);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    /// <summary>Both backends are agent backends, on two agents.</summary>
    public bool CanReplicate(BackendConfiguration primary, BackendConfiguration replica) =>
        AgentSettings.AreAgents(primary.Settings) && AgentSettings.AreAgents(replica.Settings) &&
        AgentSettings.Of(primary.Settings).Address != AgentSettings.Of(replica.Settings).Address;

    public NativeRoundResult Replicate(NativeRoundRequest request)
    {
        var primary = AgentClients.For(request.Primary);
        var replica = AgentClients.For(request.Replica);
        var ask = new ReplicateRequest
        {
            Primary = primary.Copy(request.PrimaryLocation),
            ReplicaAgent = AgentClients.PartnerOf(request.Replica),
            Replica = replica.Copy(request.ReplicaLocation),
            Round = request.Round,
            Full = request.Full,
            BandwidthBytesPerSecond = AgentSettings.BandwidthBytesPerSecond(AgentSettings.Of(request.Primary.Settings), AgentSettings.Of(request.Replica.Settings)),
        };
        var reply = primary.Call((client, options) => request.Progress is { } progress ? Watched(client, options, ask, progress) : client.Replicate(ask, options), RoundTimeout);
        return new NativeRoundResult(reply.BytesSent, new DateTimeOffset(reply.PointInTimeTicks, TimeSpan.Zero));
    }

    /// <summary>
    /// The round, asking the sending agent how far it has come while it runs (on this thread, so the engine's progress
    /// reaches the cmdlet). An agent that cannot say is simply not asked again.
    /// </summary>
    private static ReplicateReply Watched(StorageAgent.StorageAgentClient client, CallOptions options, ReplicateRequest ask, Action<long, long> progress)
    {
        using var call = client.ReplicateAsync(ask, options);
        var round = new RoundRef { Copy = ask.Primary, Round = ask.Round };
        var asking = true;
        while (asking && Task.WaitAny(new Task[] { call.ResponseAsync }, ProgressInterval) < 0)
        {
            try
            {
                var now = client.RoundProgress(round, new CallOptions(deadline: DateTime.UtcNow + ProgressInterval));
                if (now.Sending)
                {
                    progress(now.BytesExamined, now.BytesTotal);
                }
            }
            catch (RpcException)
            {
                asking = false;
            }
        }

        return call.ResponseAsync.GetAwaiter().GetResult();
    }

    public void ApplyStaged(BackendConfiguration replica, string replicaLocation, long round)
    {
        var agent = AgentClients.For(replica);
        agent.Call((client, options) => client.ApplyStaged(new RoundRef { Copy = agent.Copy(replicaLocation), Round = round }, options), RoundTimeout);
    }

    public void DiscardStaged(BackendConfiguration replica, string replicaLocation, long round)
    {
        var agent = AgentClients.For(replica);
        agent.Call((client, options) => client.DiscardStaged(new RoundRef { Copy = agent.Copy(replicaLocation), Round = round }, options));
    }

    public NativeReplicaState ReplicaState(BackendConfiguration replica, string replicaLocation)
    {
        var agent = AgentClients.For(replica);
        var reply = agent.Call((client, options) => client.ReplicaState(agent.Copy(replicaLocation), options));
        return new NativeReplicaState(reply.HasAppliedRound ? reply.AppliedRound : null, reply.HasStagedRound ? reply.StagedRound : null);
    }
}
