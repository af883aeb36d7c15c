namespace Replication.Engine.Diagnostics;

/// <summary>The phases a sync round's time is split into (see <see cref="Model.RoundPhases"/>).</summary>
internal enum RoundPhase
{
    Other,
    ExtentWalk,
    Read,
    Hash,
    Journal,
    ReplicaWrites,
    Fsync,
    State,
}
