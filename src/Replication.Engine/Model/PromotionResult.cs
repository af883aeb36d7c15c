using System;

namespace Replication.Engine.Model;

/// <summary>The outcome of promoting a replica: where the volume is served from now and what data was lost, if any.</summary>
public sealed class PromotionResult
{
    public string VolumeName { get; init; } = "";

    /// <summary>The backend the volume is served from after the promotion.</summary>
    public string PrimaryBackend { get; init; } = "";

    /// <summary>The former primary's backend; its copy is fenced until Enable-Replication reverses replication.</summary>
    public string FencedBackend { get; init; } = "";

    public bool Planned { get; init; }

    /// <summary>The point in time the promoted data represents: it holds every write made before it (see <see cref="CrashConsistent"/>).</summary>
    public DateTimeOffset DataTimestamp { get; init; }

    /// <summary>
    /// Writes to the old primary in this window before the promotion are not in the promoted copy (zero for a planned
    /// promotion). It is not the whole loss when <see cref="DamagedBlocks"/> is not zero.
    /// </summary>
    public TimeSpan DataLossWindow { get; init; }

    /// <summary>
    /// False when the primary was written during the round the promoted copy holds: it then holds some writes made after
    /// <see cref="DataTimestamp"/> but maybe not others made before them, which applications may see as a torn state.
    /// </summary>
    public bool CrashConsistent { get; init; } = true;

    /// <summary>
    /// True when the promoted copy's real blocks were checked (not its file times): against its recorded round before an
    /// unplanned promotion, or compared with the primary by a planned promotion's final sync.
    /// </summary>
    public bool ReplicaVerified { get; init; }

    /// <summary>
    /// Blocks of the promoted copy that do not hold its round's data (damaged on disk), served as found because the
    /// unplanned promotion was told to (-AllowDamagedReplica): their data is lost as well as the writes in <see cref="DataLossWindow"/>.
    /// </summary>
    public long DamagedBlocks { get; init; }

    /// <summary>The bytes of <see cref="DamagedBlocks"/>.</summary>
    public long DamagedBytes { get; init; }

    /// <summary>Blocks of the replica found damaged by a planned promotion's final sync and rewritten from the primary before it was served.</summary>
    public long RepairedBlocks { get; init; }

    /// <summary>False when the old primary's folder could not be reached to fence its file; the fence is then only recorded in state.</summary>
    public bool FencedOnDisk { get; init; }

    /// <summary>The replication status after the promotion, in Cinder's spelling (inactive).</summary>
    public string Status { get; init; } = "";

    /// <summary>Bytes the final sync of a planned promotion wrote to the replica (zero for an unplanned one).</summary>
    public long FinalSyncBytesWritten { get; init; }

    public override string ToString() => VolumeName;
}
