namespace Replication.Agent;

/// <summary>Sizes the agent and its callers agree on.</summary>
public static class AgentLimits
{
    /// <summary>The largest message either side sends or takes (a block of data and its envelope).</summary>
    public const int MaxMessageBytes = 64 << 20;

    /// <summary>
    /// The block native replication compares and sends: small enough that a scattered write costs the link little more
    /// than itself, large enough that the hashes of a 1 TiB copy (16 M of them) stay a fraction of a percent of it.
    /// </summary>
    public const int ReplicationBlockBytes = 64 << 10;
}
