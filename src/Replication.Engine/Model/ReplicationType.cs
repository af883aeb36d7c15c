namespace Replication.Engine.Model;

/// <summary>How a replicated volume's writes reach the replica (the volume type's <c>replication_type</c> extra spec, as in Cinder).</summary>
public enum ReplicationType
{
    /// <summary>Sync rounds copy what changed since the last round; the replica lags by the time since then.</summary>
    Async,

    /// <summary>While the volume is exported, a write is acknowledged only once both copies have it.</summary>
    Sync,
}
