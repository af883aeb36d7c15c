namespace Replication.Engine.Health;

/// <summary>
/// How well a replica protects its volume, worst last so that the worst of many is their maximum. A monitoring runbook
/// alerts on anything but <see cref="Normal"/>.
/// </summary>
public enum ReplicaHealth
{
    /// <summary>Protected as intended, or not replicated at all (nothing to watch).</summary>
    Normal,

    /// <summary>Protected, but drifting: paused, still copying, the last sync failed, or data older than half the RPO target.</summary>
    Warning,

    /// <summary>Not protected (replication error or inactive), or the replica's data is older than the RPO target.</summary>
    Critical,
}
