namespace Replication.Engine.Model;

/// <summary>Cinder's replication_status values. Stored in state with Cinder's spelling (see <see cref="ReplicationStatusText"/>).</summary>
public enum ReplicationStatus
{
    /// <summary>The volume is not replicated.</summary>
    Disabled,

    /// <summary>A replica exists but is not yet consistent.</summary>
    Copying,

    /// <summary>The replica is consistent and replication is running.</summary>
    Active,

    /// <summary>The replica is consistent and replication is paused.</summary>
    ActiveStopped,

    /// <summary>The replica was promoted (or stopped while inconsistent); nothing replicates until re-enabled.</summary>
    Inactive,

    /// <summary>The replica side reported a fault.</summary>
    Error,
}
