using System;
using System.Collections.Generic;
using System.Linq;
using Replication.Drivers;
using Replication.Engine.Diagnostics;
using Replication.Engine.Errors;

namespace Replication.Engine.Rounds;

/// <summary>
/// A journaled round whose journal is sealed but not committed: it waits in a batch, which commits, applies and flushes
/// many rounds together (<see cref="FinishAll"/>). Until then the replica is untouched; dropped, the journal stays
/// uncommitted and the next command discards it.
/// </summary>
internal sealed class PendingRound : IDisposable
{
    private readonly string _replicaBackend;
    private readonly IBlockDevice _replica;
    private readonly string _replicaName;
    private readonly long? _undoRound;
    private readonly Func<string> _stampAfterApply;

    /// <param name="stampAfterApply">The round's driver data, with the replica's change stamp as the apply left it.</param>
    public PendingRound(SyncJournal.Sealed journal, string replicaBackend, IBlockDevice replica, string replicaName, long? undoRound, Func<string> stampAfterApply)
    {
        Journal = journal;
        _replicaBackend = replicaBackend;
        _replica = replica;
        _replicaName = replicaName;
        _undoRound = undoRound;
        _stampAfterApply = stampAfterApply;
    }

    public SyncJournal.Sealed Journal { get; }

    /// <summary>True once its journal is committed: from then on the next command finishes it, whatever failed after.</summary>
    public bool Committed { get; private set; }

    /// <summary>The round's driver data once it is applied.</summary>
    public string? DriverData { get; private set; }

    /// <summary>The bytes of the undo log captured before it was applied; null when none was.</summary>
    public long? UndoBytes { get; private set; }

    /// <summary>
    /// Commits every round's journal (made durable together), applies each to its replica, flushes the replicas together,
    /// then takes each replica's new change stamp: one round's crash guarantees, with the syncs of many shared. Returns
    /// each round's failure, null where it is applied; a round that failed before its commit left its replica untouched.
    /// </summary>
    public static Exception?[] FinishAll(IReadOnlyList<PendingRound> rounds)
    {
        var failures = SyncJournal.CommitAll(rounds.Select(round => round.Journal).ToList(), i => rounds[i]._replicaBackend);
        var committed = Enumerable.Range(0, rounds.Count).Where(i => failures[i] is null).ToList();
        foreach (var i in committed)
        {
            rounds[i].Committed = true;
            failures[i] = Failures.Of(rounds[i].Apply);
        }

        var applied = committed.Where(i => failures[i] is null).ToList();
        Exception?[] flushes;
        using (RoundClock.In(RoundPhase.Fsync))
        {
            flushes = Files.ConcurrentSyncs.Each(applied, i => Drivers.DriverFaults.Run(rounds[i]._replica.Flush, ErrorIds.ReplicaUnwritable, "Writing the replica", rounds[i]._replicaName));
        }

        for (var n = 0; n < applied.Count; n++)
        {
            var i = applied[n];
            failures[i] = flushes[n] ?? Failures.Of(() => rounds[i].DriverData = rounds[i]._stampAfterApply());
            if (failures[i] is null)
            {
                CrashPoints.Hit("sync.after-apply");
            }
        }

        return failures;
    }

    public void Dispose()
    {
        Journal.Dispose();
        _replica.Dispose();
    }

    private void Apply() => UndoBytes = ReplicaRounds.ApplyCommitted(Journal.Store, Journal.VolumeId, Journal.Where, _replica, _replicaName, _undoRound, flush: false);

}
