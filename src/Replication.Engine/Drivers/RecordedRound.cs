using System;
using Replication.Engine.Replication;

namespace Replication.Engine.Drivers;

/// <summary>A round the engine has recorded, for the driver to finish: apply what it staged, or forget the applied journal.</summary>
/// <param name="Journaled">The round's changes went through a journal beside the replica (not written to it directly).</param>
public sealed record RecordedRound(VolumeCopy Replica, Guid VolumeId, bool Journaled, ReplicaSyncOutcome Outcome);
