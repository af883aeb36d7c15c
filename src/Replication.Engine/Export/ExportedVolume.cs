using System;
using System.Collections.Concurrent;
using System.Threading;
using Replication.Engine.Diagnostics;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Export.Nbd;
using Replication.Engine.Model;
using Replication.Engine.Replication;

namespace Replication.Engine.Export;

/// <summary>
/// One volume served by an export service. Every write marks the dirty bitmap first, then goes to the primary, and
/// for a synchronous volume to the replica too (<see cref="SyncMirror"/>) before it is acknowledged. Writes share a
/// gate that a round's freeze (and the mirror's start and pause) takes alone, so no write is half-way across them.
/// </summary>
internal sealed class ExportedVolume : INbdExport
{
    private static readonly ConcurrentDictionary<Guid, ExportedVolume> Local = new();

    /// <summary>How long after its last write the export waits before it takes the closing stamp (the volume file's time granularity, as for sync rounds' quick check).</summary>
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(2);

    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.SupportsRecursion);
    private long _lastWriteTicks;
    private volatile bool _closing;

    public ExportedVolume(EngineContext context, VolumeSnapshot snapshot, DirtyBitmap bitmap, ExportRecord record, Func<ExportedVolume, SyncMirror?> mirror)
    {
        Context = context;
        Snapshot = snapshot;
        Bitmap = bitmap;
        Record = record;
        Driver = context.Drivers.Get(snapshot.PrimaryBackend.Driver);
        Mirror = mirror(this);
    }

    public EngineContext Context { get; }

    /// <summary>The volume as it was when the export started; its copies cannot move while it is exported (promotion is refused).</summary>
    public VolumeSnapshot Snapshot { get; }

    public EngineDriver Driver { get; }

    public DirtyBitmap Bitmap { get; }

    public ExportRecord Record { get; }

    /// <summary>Null for a volume whose type replicates asynchronously (or not at all).</summary>
    public SyncMirror? Mirror { get; }

    public string Name => Snapshot.Volume.Name;

    public long Size => Snapshot.Volume.SizeBytes;

    public Guid VolumeId => Snapshot.Volume.Id;

    public ExportMode Mode => Mirror?.Mode ?? ExportMode.Tracking;

    /// <summary>The export of the volume served by this process, if any (a round here freezes its bitmap directly).</summary>
    public static ExportedVolume? InThisProcess(Guid volumeId) => Local.TryGetValue(volumeId, out var export) ? export : null;

    public void Register() => Local[VolumeId] = this;

    public INbdSession Connect() => _closing
        ? throw new NbdCommandException(NbdProtocol.ErrShutdown, $"The export of '{Name}' is stopping.")
        : new ExportSession(this);

    /// <summary>Runs <paramref name="work"/> with no write in flight and none starting until it returns.</summary>
    public T Exclusive<T>(Func<T> work)
    {
        _gate.EnterWriteLock();
        try
        {
            return work();
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    /// <summary>Freezes the dirty blocks for a round, between writes.</summary>
    public (DirtyBlockSet Blocks, bool Complete, bool ReplicaMirrored) FreezeForRound() =>
        Exclusive(() => (Bitmap.Freeze(), Bitmap.Complete, Bitmap.ReplicaMirrored));

    public void ReleaseRound(bool copied) => Bitmap.Release(copied);

    public void Write(ExportSession session, long offset, byte[] buffer, int count, bool forceUnitAccess) => Change(session, offset, count, device =>
    {
        device.Write(offset, buffer, count);
        if (forceUnitAccess)
        {
            device.Flush();
        }
    });

    public void Discard(ExportSession session, long offset, int length, bool keepAllocated, bool forceUnitAccess) => Change(session, offset, length, device =>
    {
        device.Zero(offset, length, deallocate: !keepAllocated);
        if (forceUnitAccess)
        {
            device.Flush();
        }
    });

    public void Flush(ExportSession session)
    {
        _gate.EnterReadLock();
        try
        {
            session.Primary.Flush();
            Mirror?.Replicate(session, replica => replica.Flush());
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    /// <summary>Refuses new clients; the service then disconnects the current ones before <see cref="Close"/>.</summary>
    public void BeginClose() => _closing = true;

    /// <summary>
    /// Ends the export once no client is connected: a mirroring volume records a last round (so its block map holds
    /// what the mirror wrote), then the bitmap is closed with the volume file's stamp, and the record removed.
    /// </summary>
    public void Close(IOperationObserver observer)
    {
        try
        {
            Mirror?.Finish(observer);
        }
        finally
        {
            var sinceLastWrite = TimeSpan.FromTicks(DateTime.UtcNow.Ticks - Interlocked.Read(ref _lastWriteTicks));
            if (sinceLastWrite < QuietPeriod)
            {
                Thread.Sleep(QuietPeriod - sinceLastWrite);
            }

            Bitmap.CloseByExport(Driver.CopyStamp(Snapshot.Primary));
            Local.TryRemove(VolumeId, out _);
            Record.Delete(Driver.Sidecar(Snapshot.Primary, "export"));
        }
    }

    public ExportState State(int clients) => new()
    {
        VolumeId = VolumeId,
        VolumeName = Name,
        Clients = clients,
        DirtyBytes = Math.Min(Size, Bitmap.DirtyBlockCount * BlockMap.DefaultBlockSize),
        Mode = Mode,
    };

    /// <summary>
    /// A write-like change: the bitmap marks its blocks durably first, then the primary changes, then (mirroring) the
    /// replica; only then is it acknowledged. A kill between the copies leaves an unacknowledged write whose blocks are
    /// dirty, so the next round reconciles them.
    /// </summary>
    private void Change(ExportSession session, long offset, long length, Action<IVolumeDevice> apply)
    {
        _gate.EnterReadLock();
        try
        {
            if (_closing)
            {
                throw new NbdCommandException(NbdProtocol.ErrShutdown, $"The export of '{Name}' is stopping.");
            }

            Mirror?.RequireWritable();
            Bitmap.Mark(offset, length);
            CrashPoints.Hit("export.after-mark");
            Interlocked.Exchange(ref _lastWriteTicks, DateTime.UtcNow.Ticks);
            apply(session.Primary);
            if (Mirror is { Mode: ExportMode.Mirroring } mirror)
            {
                CrashPoints.Hit("export.between-copies");
                mirror.Replicate(session, apply);
            }
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }
}
