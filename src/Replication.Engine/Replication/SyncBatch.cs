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
/// A crash before that commit loses no data: an unchanged round's record only moves the replica's data age, and a
/// changed round's committed journal stays on the replica until after the commit, so the next command finishes and
/// records it, as after any crash between a round's apply and its record; a round a driver staged itself (native
/// replication) is applied only after the commit, and discarded by the next command if the commit never happened.
/// </summary>
public sealed class SyncBatch : IDisposable
{
    public const int Limit = 256;

    public static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(1);

    private readonly SyncRound _rounds;
    private readonly List<DeferredRound> _waiting = new();
    private readonly List<IDisposable> _leases = new();
    private readonly Stopwatch _oldest = new();

    internal SyncBatch(SyncRound rounds) => _rounds = rounds;

    /// <summary>Rounds waiting for their record.</summary>
    public int Waiting => _waiting.Count;

    internal bool Due => _waiting.Count >= Limit || (_waiting.Count > 0 && _oldest.Elapsed >= LongestWait);

    internal void Add(DeferredRound round)
    {
        if (_waiting.Count == 0)
        {
            _oldest.Restart();
        }

        _waiting.Add(round);
    }

    /// <summary>Keeps the lease of the round just deferred until its record is committed.</summary>
    internal void Hold(IDisposable lease) => _leases.Add(lease);

    /// <summary>Records every waiting round in one transaction and gives their leases back; returns their results in the order they ran.</summary>
    public IReadOnlyList<SyncResult> Flush()
    {
        if (_waiting.Count == 0)
        {
            return Array.Empty<SyncResult>();
        }

        try
        {
            return _rounds.RecordDeferred(_waiting.ToList());
        }
        finally
        {
            _waiting.Clear();
            ReleaseLeases();
        }
    }

    /// <summary>
    /// Gives the leases back without recording what still waits (a stopped pipeline): as after a crash, those volumes
    /// keep their previous record and the next command finishes any journal left on a replica.
    /// </summary>
    public void Dispose()
    {
        _waiting.Clear();
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
