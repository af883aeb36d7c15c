using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Replication.Engine.Model;

namespace Replication.Engine.Replication;

/// <summary>
/// Group commit for a run of sync rounds (a pipeline into Sync-VolumeReplica). A round whose only work left is its
/// record keeps its volume's lease and waits here; up to <see cref="Limit"/> of them, or what gathered in
/// <see cref="LongestWait"/>, are recorded in one transaction: one flush of the store instead of one per volume.
/// A changed round's journal waits too, written but not committed (at most <see cref="PendingLimit"/> of them): the flush
/// makes them durable together, commits them, applies each to its replica and flushes the replicas together, sharing the
/// syncs that cost a round most. A crash before the record loses no data: an unchanged round's record only moves the
/// replica's data age; a journal not yet committed is discarded by the next command (the replica untouched); and a
/// committed journal stays on the replica until after the record, so the next command finishes and records it, as after
/// any crash between a round's apply and its record; a round a driver staged itself (native
/// replication) is applied only after the commit, and discarded by the next command if the commit never happened.
/// </summary>
public sealed class SyncBatch : IDisposable
{
    public const int Limit = 256;

    /// <summary>Rounds whose journals wait to be committed, each holding its journal (with its write buffer) and replica open, at most.</summary>
    public const int PendingLimit = 32;

    public static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(1);

    private readonly SyncRound _rounds;
    private readonly List<DeferredRound> _waiting = new();
    private readonly List<IDisposable> _leases = new();
    private readonly List<RoundFailure> _failures = new();
    private int _pending;
    private readonly Stopwatch _oldest = new();

    internal SyncBatch(SyncRound rounds) => _rounds = rounds;

    /// <summary>Rounds waiting for their record.</summary>
    public int Waiting => _waiting.Count;

    internal bool Due => _waiting.Count >= Limit || _pending >= PendingLimit || (_waiting.Count > 0 && _oldest.Elapsed >= LongestWait);

    internal void Add(DeferredRound round)
    {
        if (_waiting.Count == 0)
        {
            _oldest.Restart();
        }

        _waiting.Add(round);
        _pending += round.Round.Outcome.Pending is null ? 0 : 1;
    }

    /// <summary>Keeps the lease of the round just deferred until its record is committed.</summary>
    internal void Hold(IDisposable lease) => _leases.Add(lease);

    /// <summary>
    /// Finishes and records every waiting round (records in one transaction) and gives their leases back; returns their
    /// results in the order they ran. A round that failed as it was finished is kept for <see cref="TakeFailures"/>.
    /// </summary>
    public IReadOnlyList<SyncResult> Flush()
    {
        if (_waiting.Count == 0)
        {
            return Array.Empty<SyncResult>();
        }

        try
        {
            var (results, failures) = _rounds.RecordDeferred(_waiting.ToList());
            _failures.AddRange(failures);
            return results;
        }
        finally
        {
            _waiting.Clear();
            _pending = 0;
            ReleaseLeases();
        }
    }

    /// <summary>The rounds that failed as flushes finished them, since the last call.</summary>
    public IReadOnlyList<RoundFailure> TakeFailures()
    {
        var failures = _failures.ToList();
        _failures.Clear();
        return failures;
    }

    /// <summary>
    /// Gives the leases back without recording what still waits (a stopped pipeline): as after a crash, those volumes
    /// keep their previous record and the next command finishes any journal left on a replica.
    /// </summary>
    public void Dispose()
    {
        // A round left pending was never committed: its replica is untouched, and the next command discards its journal.
        foreach (var round in _waiting)
        {
            round.Round.Outcome.Pending?.Dispose();
        }

        _waiting.Clear();
        _pending = 0;
        ReleaseLeases();
    }

    // Every lease is given back even if one cannot be (the store failed): the rest must not wait for this process to exit.
    private void ReleaseLeases()
    {
        var leases = _leases.ToList();
        _leases.Clear();
        Exception? first = null;
        foreach (var lease in leases)
        {
            try
            {
                lease.Dispose();
            }
            catch (Exception ex)
            {
                first ??= ex;
            }
        }

        if (first is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }
    }
}
