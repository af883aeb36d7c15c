using System;

namespace Replication.Engine.Model;

/// <summary>What one sync round did.</summary>
public sealed class SyncResult
{
    public string VolumeName { get; init; } = "";

    public string PrimaryBackend { get; init; } = "";

    public string ReplicaBackend { get; init; } = "";

    /// <summary>How the round found what to copy (<see cref="SyncMode"/>, as a word).</summary>
    public string Mode { get; init; } = "";

    /// <summary>The replication status after the round, in Cinder's spelling.</summary>
    public string Status { get; init; } = "";

    public long BytesRead { get; init; }

    public long BytesWritten { get; init; }

    /// <summary>Blocks whose content was written to the replica.</summary>
    public long BlocksWritten { get; init; }

    /// <summary>Blocks that became holes on the primary and were deallocated on the replica.</summary>
    public long BlocksDeallocated { get; init; }

    /// <summary>
    /// The replica holds every write made to the primary before this time; when <see cref="CrashConsistent"/>, it holds
    /// exactly the primary as it was then.
    /// </summary>
    public DateTimeOffset DataTimestamp { get; init; }

    /// <summary>
    /// False when the primary was written while the round read it: the replica then holds some writes made after
    /// <see cref="DataTimestamp"/> but maybe not others made before them, so it is no point in time a crash would leave.
    /// </summary>
    public bool CrashConsistent { get; init; } = true;

    /// <summary>
    /// Blocks of the replica that differed from what its last round wrote (changed or damaged on disk outside the module)
    /// and that this round rewrote from the primary. Only rounds that compare the replica's real blocks find them
    /// (Sync-VolumeReplica -Full, a planned promotion's final sync, a re-enable); others leave them to a check.
    /// </summary>
    public long ReplicaBlocksRepaired { get; init; }

    public TimeSpan Duration { get; init; }

    /// <summary>Where the round's time went, phase by phase (null for a round not run by this command, such as a group's).</summary>
    public RoundPhases? Phases { get; init; }

    public long SyncGeneration { get; init; }

    public override string ToString() => VolumeName;
}
