namespace Replication.Engine.Model;

/// <summary>What a synchronously replicated export does when the replica cannot be written (<c>replication:sync_failure</c>).</summary>
public enum SyncFailurePolicy
{
    /// <summary>Goes on serving from the primary, tracking written blocks, and resyncs them when the replica is back.</summary>
    Continue,

    /// <summary>Refuses writes (reads go on) until the replica is back and resynced: no write is ever acknowledged on one copy only.</summary>
    Stop,
}
