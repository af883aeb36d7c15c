namespace Replication.Engine.Model;

/// <summary>How an export handles a write.</summary>
public enum ExportMode
{
    /// <summary>
    /// Written to the primary and tracked in the dirty bitmap; sync rounds copy only the tracked blocks. Asynchronous
    /// volumes, and synchronous ones whose replication is paused or not active.
    /// </summary>
    Tracking,

    /// <summary>Synchronous replication: written to both copies (and tracked) before it is acknowledged.</summary>
    Mirroring,

    /// <summary>Synchronous replication failed on the replica side: written to the primary and tracked; the export resyncs and mirrors again once the replica can be written.</summary>
    Degraded,

    /// <summary>Synchronous replication has failed and the type's policy is 'stop': writes are refused, reads are served.</summary>
    WritesRefused,

    /// <summary>The service that served the export has ended without stopping it (killed, or its host restarted).</summary>
    Dead,
}
