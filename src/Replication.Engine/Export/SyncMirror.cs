using System;
using System.Threading;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Export.Nbd;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.Rules;
using Replication.Engine.State;

namespace Replication.Engine.Export;

/// <summary>
/// Synchronous replication of one exported volume (its type's replication_type is sync). While the volume is
/// <c>active</c> every write goes to both copies before it is acknowledged. When the replica cannot be written the
/// volume is recorded <c>active-stopped</c> with an extended status saying it is degraded, before any write is
/// acknowledged on the primary alone; then, by the type's policy, the export goes on tracking written blocks
/// (continue) or refuses writes (stop). Once the replica can be written again the export copies the tracked blocks in
/// journaled rounds (the last one with writes held back), records <c>active</c> and mirrors again.
/// </summary>
internal sealed class SyncMirror
{
    /// <summary>Catch-up rounds run while writes go on until fewer blocks than this are dirty; the last round holds writes back.</summary>
    private const long FinalRoundBlocks = 256;

    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(5);

    private readonly ExportedVolume _export;
    private readonly SyncRound _rounds;
    private readonly VolumeLeases _leases;
    private readonly SyncFailurePolicy _policy;
    private readonly object _failureGate = new();
    private volatile ExportMode _mode = ExportMode.Tracking;
    private ReplicationException? _unrecordedFailure;
    private DateTimeOffset _lastRefresh;

    public SyncMirror(ExportedVolume export, SyncRound rounds, VolumeLeases leases, SyncFailurePolicy policy)
    {
        _export = export;
        _rounds = rounds;
        _leases = leases;
        _policy = policy;
    }

    public ExportMode Mode => _mode;

    private EngineContext Context => _export.Context;

    private string Where => $"{_export.Record.Address}:{_export.Record.Port}";

    /// <summary>Refuses a write while the policy (or a failure not yet recorded) forbids acknowledging one on the primary alone.</summary>
    public void RequireWritable()
    {
        if (_mode == ExportMode.WritesRefused)
        {
            throw new NbdCommandException(NbdProtocol.ErrIo, $"Writes to '{_export.Name}' are refused until its replica is back and resynced.");
        }
    }

    /// <summary>Applies a change to the replica while mirroring; a failure degrades the volume first, and refuses the write if it must.</summary>
    public void Replicate(ExportSession session, Action<IVolumeDevice> apply)
    {
        if (_mode != ExportMode.Mirroring)
        {
            return;
        }

        try
        {
            apply(session.Replica);
        }
        catch (ReplicationException failure)
        {
            session.DropReplica();
            Degrade(failure);
            RequireWritable();
        }
    }

    /// <summary>Starts mirroring if the volume is active: the replica is brought up to date first (see <see cref="TryResume"/>).</summary>
    public void Start(IOperationObserver observer)
    {
        if (CurrentVolume()?.ReplicationStatus == ReplicationStatus.Active)
        {
            TryResume("StartVolumeExport", observer, waitForLease: true);
        }
    }

    /// <summary>
    /// Called every few seconds by the service: refreshes a mirrored volume's data timestamp (its replica holds every
    /// acknowledged write, so its data is as of now), records a failure that could not be recorded when it happened,
    /// and resumes mirroring when the volume became active (Enable-Replication) or its failed replica can be written again.
    /// </summary>
    public void Tick(IOperationObserver observer)
    {
        if (_unrecordedFailure is { } failure)
        {
            lock (_failureGate)
            {
                if (TryRecordDegraded(failure))
                {
                    _unrecordedFailure = null;
                    _mode = _policy == SyncFailurePolicy.Stop ? ExportMode.WritesRefused : ExportMode.Degraded;
                }
            }

            return;
        }

        var volume = CurrentVolume();
        if (volume is null)
        {
            return;
        }

        if (_mode == ExportMode.Mirroring)
        {
            if (volume.ReplicationStatus != ReplicationStatus.Active)
            {
                // Changed behind the export's back (the commands that change it go through the export): stop claiming sync.
                _export.Exclusive(() => _mode = ExportMode.Tracking);
            }
            else if (Context.Now - _lastRefresh >= RefreshEvery)
            {
                RefreshDataTimestamp();
            }

            return;
        }

        var failedReplicaBack = _mode is ExportMode.Degraded or ExportMode.WritesRefused && volume.ReplicationStatus == ReplicationStatus.ActiveStopped && ReplicaWritable();
        if (volume.ReplicationStatus == ReplicationStatus.Active || failedReplicaBack)
        {
            TryResume("ResumeSynchronousReplication", observer, waitForLease: false);
        }
    }

    /// <summary>
    /// Disable-Replication of a mirrored volume: mirroring stops between two writes and the pause is recorded then.
    /// False when the export was not mirroring (the caller pauses as for any volume).
    /// </summary>
    public bool Pause(string actor) => _export.Exclusive(() =>
    {
        if (_mode != ExportMode.Mirroring)
        {
            return false;
        }

        using var session = Context.Store.Begin(write: true);
        var current = session.FindVolume(_export.VolumeId) ?? throw new ReplicationException(ErrorIds.VolumeNotFound, ErrorKind.ObjectNotFound, $"Volume '{_export.Name}' no longer exists.", _export.Name);
        ReplicationRules.RequirePausable(current);
        RecordStopped(session, current, "DisableReplication",
            $"Paused at {Context.Now:u} by {actor}; the replica holds every write acknowledged until then. Synchronous replication resumes with Enable-Replication.");
        session.Commit();
        _mode = ExportMode.Tracking;
        return true;
    });

    /// <summary>
    /// As the export stops with no client left: a mirrored volume records one last round, so its block map holds what
    /// the mirror wrote (only dirty blocks are read; the replica already has them, so nothing is written).
    /// </summary>
    public void Finish(IOperationObserver observer)
    {
        if (_mode != ExportMode.Mirroring)
        {
            return;
        }

        _mode = ExportMode.Tracking;
        using var lease = _leases.Acquire(_export.Name, "StopVolumeExport", observer, CancellationToken.None);
        _rounds.Run(VolumeSnapshot.Load(Context.Store, _export.Name), ReplicationStatus.Active, forceRead: false, "StopVolumeExport", observer, CancellationToken.None);
    }

    /// <summary>
    /// Brings the replica up to date and starts mirroring: journaled rounds copy the tracked blocks while writes go on,
    /// until few are left; then writes are held back for the last round, after which the volume is recorded active and
    /// every write is mirrored. False when another operation holds the volume (the next tick tries again).
    /// </summary>
    private bool TryResume(string operation, IOperationObserver observer, bool waitForLease)
    {
        using var lease = waitForLease ? _leases.Acquire(_export.Name, operation, observer, CancellationToken.None) : _leases.TryAcquire(_export.Name, operation, observer);
        if (lease is null)
        {
            return false;
        }

        try
        {
            for (var round = 0; round < 3 && _export.Bitmap.DirtyBlockCount > FinalRoundBlocks; round++)
            {
                var snapshot = VolumeSnapshot.Load(Context.Store, _export.Name);
                _rounds.Run(snapshot, snapshot.Volume.ReplicationStatus, forceRead: false, operation, observer, CancellationToken.None);
            }

            return _export.Exclusive(() =>
            {
                _rounds.Run(VolumeSnapshot.Load(Context.Store, _export.Name), ReplicationStatus.Active, forceRead: false, operation, observer, CancellationToken.None);
                _export.Bitmap.MarkReplicaMirrored();
                RecordMirroring(operation);
                _mode = ExportMode.Mirroring;
                return true;
            });
        }
        catch (ReplicationException ex)
        {
            // The round recorded what failed; the export keeps serving as it was, and the next tick tries again.
            observer.Decision($"'{_export.Name}': synchronous replication could not start: {ex.Message}");
            return false;
        }
    }

    /// <summary>
    /// The replica failed while mirroring: mirroring stops, and the degraded state is recorded before any write is
    /// acknowledged on the primary alone. If it cannot be recorded (the state store is unreachable), writes are refused
    /// until it can (the service's tick retries).
    /// </summary>
    private void Degrade(ReplicationException failure)
    {
        lock (_failureGate)
        {
            if (_mode != ExportMode.Mirroring)
            {
                return;
            }

            if (TryRecordDegraded(failure))
            {
                _mode = _policy == SyncFailurePolicy.Stop ? ExportMode.WritesRefused : ExportMode.Degraded;
            }
            else
            {
                _unrecordedFailure = failure;
                _mode = ExportMode.WritesRefused;
            }
        }
    }

    private bool TryRecordDegraded(ReplicationException failure)
    {
        try
        {
            using var session = Context.Store.Begin(write: true);
            var current = session.FindVolume(_export.VolumeId);
            if (current is null || current.ReplicationStatus != ReplicationStatus.Active)
            {
                return true;
            }

            RecordStopped(session, current, "SynchronousReplicationDegraded",
                $"SynchronousReplication failed at {Context.Now:u} ({failure.ErrorId}): {failure.Message} Degraded: the replica holds every write acknowledged until then; " +
                (_policy == SyncFailurePolicy.Stop
                    ? "writes are refused (replication:sync_failure = stop) until the replica can be written and is resynced."
                    : $"the export on {Where} goes on from '{_export.Snapshot.PrimaryBackend.Name}' alone, tracking written blocks, and resyncs them and mirrors again once the replica can be written."));
            session.Commit();
            return true;
        }
        catch (ReplicationException)
        {
            return false;
        }
    }

    /// <summary>Records the volume active-stopped now, in the caller's transaction: its replica holds every write acknowledged until now.</summary>
    private void RecordStopped(IStateSession session, VolumeRecord current, string operation, string extendedStatus)
    {
        var stopped = current with
        {
            ReplicationStatus = ReplicationStatus.ActiveStopped,
            LastSyncStartedAt = Context.Now,
            LastSyncCompletedAt = Context.Now,
            ReplicationExtendedStatus = extendedStatus,
        };
        ReplicationStateMachine.Update(session, current, stopped);
        session.AppendEvent(Context.Event(operation, "Volume", current.Name, extendedStatus, current.Id, current.ReplicationStatus, stopped.ReplicationStatus));
    }

    private void RecordMirroring(string operation)
    {
        using var session = Context.Store.Begin(write: true);
        var current = session.FindVolume(_export.VolumeId) ?? throw new ReplicationException(ErrorIds.VolumeNotFound, ErrorKind.ObjectNotFound, $"Volume '{_export.Name}' no longer exists.", _export.Name);
        var mirrored = current with
        {
            LastSyncStartedAt = Context.Now,
            LastSyncCompletedAt = Context.Now,
            ReplicationExtendedStatus = $"Synchronous since {Context.Now:u}: the export on {Where} acknowledges a write only once both copies have it.",
        };
        ReplicationStateMachine.Update(session, current, mirrored);
        session.AppendEvent(Context.Event(operation, "Volume", current.Name, mirrored.ReplicationExtendedStatus, current.Id, current.ReplicationStatus, current.ReplicationStatus));
        session.Commit();
        _lastRefresh = Context.Now;
    }

    private void RefreshDataTimestamp()
    {
        try
        {
            using var session = Context.Store.Begin(write: true);
            if (session.FindVolume(_export.VolumeId) is { ReplicationStatus: ReplicationStatus.Active } current)
            {
                ReplicationStateMachine.Update(session, current, current with { LastSyncStartedAt = Context.Now, LastSyncCompletedAt = Context.Now });
                session.Commit();
            }

            _lastRefresh = Context.Now;
        }
        catch (ReplicationException)
        {
            // A busy or unreachable state store: the next tick tries again; the replica's data is newer than recorded, never older.
        }
    }

    private VolumeRecord? CurrentVolume()
    {
        try
        {
            using var session = Context.Store.Begin(write: false);
            return session.FindVolume(_export.VolumeId);
        }
        catch (ReplicationException)
        {
            return null;
        }
    }

    /// <summary>The replica's file is there and its backend takes new data (a probe file is written): worth a resync.</summary>
    private bool ReplicaWritable()
    {
        try
        {
            _export.Driver.CheckCopy(_export.Snapshot.Replica, _export.Size);
            return _export.Driver.ProbeBackend(_export.Snapshot.ReplicaBackend!).Writable;
        }
        catch (ReplicationException)
        {
            return false;
        }
    }
}
