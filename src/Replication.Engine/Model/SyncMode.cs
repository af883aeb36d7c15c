namespace Replication.Engine.Model;

/// <summary>How a sync round brought the replica up to date.</summary>
public enum SyncMode
{
    /// <summary>Nothing changed on the primary since the last round; nothing was read.</summary>
    Unchanged,

    /// <summary>Changed blocks found against the block map of the last round, staged in a journal, then applied.</summary>
    Incremental,

    /// <summary>No usable block map: both sides were compared block by block and differing blocks written directly.</summary>
    FullCompare,
}
