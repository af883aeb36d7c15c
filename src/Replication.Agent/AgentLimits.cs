namespace Replication.Agent;

/// <summary>Sizes the agent and its callers agree on.</summary>
public static class AgentLimits
{
    /// <summary>The largest message either side sends or takes (a block of data and its envelope).</summary>
    public const int MaxMessageBytes = 64 << 20;

    /// <summary>The block native replication compares and sends.</summary>
    public const int ReplicationBlockBytes = 1 << 20;
}
