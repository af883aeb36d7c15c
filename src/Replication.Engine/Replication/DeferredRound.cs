using System;
using Replication.Engine.Drivers;
using Replication.Engine.State;

namespace Replication.Engine.Replication;

/// <summary>A round that ran and waits in a <see cref="SyncBatch"/> for its record; the replica already holds it.</summary>
/// <param name="Volume">The volume as the round saw it (the record rereads it inside its transaction).</param>
/// <param name="AfterRecord">What follows the committed record: the applied journal dropped, or the round the driver staged applied.</param>
internal sealed record DeferredRound(VolumeRecord Volume, ReplicaSyncOutcome Outcome, string Operation, DateTimeOffset FinishedAt, Action AfterRecord);
