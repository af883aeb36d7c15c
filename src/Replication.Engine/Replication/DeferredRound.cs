using System;
using Replication.Engine.Drivers;

namespace Replication.Engine.Replication;

/// <summary>A round that ran and waits in a <see cref="SyncBatch"/> for its record; the replica already holds it.</summary>
/// <param name="Snapshot">The volume as the round saw it (the record rereads it inside its transaction), with its backends.</param>
/// <param name="Driver">The driver that finishes the round once it is recorded (<see cref="EngineDriver.RoundsRecorded"/>).</param>
internal sealed record DeferredRound(VolumeSnapshot Snapshot, string Operation, DateTimeOffset FinishedAt, EngineDriver Driver, RecordedRound Round);
