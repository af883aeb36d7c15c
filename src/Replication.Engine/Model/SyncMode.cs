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

    /// <summary>The volume's writes were tracked, by its export (its dirty bitmap) or by the storage (the driver's changed-block tracking): only the blocks written since the last round were read, compared and copied.</summary>
    TrackedWrites,

    /// <summary>An export mirrors every write to the replica as it happens: the replica is current without a round, and nothing was read.</summary>
    Mirrored,
}
