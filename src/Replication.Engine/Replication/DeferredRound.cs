using System;
using Replication.Engine.Drivers;
using Replication.Engine.State;

namespace Replication.Engine.Replication;

/// <summary>A round that ran and waits in a <see cref="SyncBatch"/> for its record; the replica already holds it.</summary>
/// <param name="Volume">The volume as the round saw it (the record rereads it inside its transaction).</param>
/// <param name="DropJournal">Removes the journal the round applied, once the record is committed; null when it wrote none.</param>
internal sealed record DeferredRound(VolumeRecord Volume, ReplicaSyncOutcome Outcome, string Operation, DateTimeOffset FinishedAt, Action? DropJournal);
