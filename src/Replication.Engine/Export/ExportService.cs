using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using Replication.Engine.Catalog;
using Replication.Engine.Errors;
using Replication.Engine.Export.Nbd;
using Replication.Engine.Model;
using Replication.Engine.Placement;
using Replication.Engine.Replication;
using Replication.Engine.Rules;

namespace Replication.Engine.Export;

/// <summary>
/// An export service: volumes served over NBD on one address and port, with a command port on 127.0.0.1 through which
/// other processes add and remove volumes, freeze dirty bitmaps for their rounds and pause synchronous replication.
/// Every few seconds it looks at its volumes in state: one removed or no longer available stops being served, and a
/// synchronous one is kept mirroring (<see cref="SyncMirror.Tick"/>). It runs until its last volume is removed.
/// </summary>
public sealed class ExportService : IDisposable
{
    private static readonly TimeSpan TickEvery = TimeSpan.FromSeconds(2);

    private readonly ReplicationEngine _engine;
    private readonly ConcurrentDictionary<Guid, ExportedVolume> _exports = new();
    private readonly object _changes = new();
    private readonly NbdServer _nbd;
    private readonly ControlServer _control;
    private readonly ManualResetEventSlim _idle = new(false);
    private readonly Timer _ticker;
    private int _ticking;
    private int _disposed;

    internal ExportService(ReplicationEngine engine, IPEndPoint endpoint, string token, ExportLimits limits)
    {
        _engine = engine;
        Token = token;
        Limits = limits.Validated();
        try
        {
            _nbd = new NbdServer(endpoint, new Directory(this), Limits);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new ReplicationException(ErrorIds.ExportPortInUse, ErrorKind.ResourceBusy,
                $"Cannot serve NBD on {ExportCatalog.Describe(endpoint)}: {ex.Message}. Choose another -Port (0 picks a free one) or stop what uses it.", endpoint.Port, ex);
        }

        _control = new ControlServer(token, Handle);
        _ticker = new Timer(_ => Tick(), null, TickEvery, TickEvery);
    }

    public IPEndPoint Endpoint => _nbd.Endpoint;

    public int ControlPort => _control.Port;

    /// <summary>How long it waits on clients and how many it serves, for every volume it serves.</summary>
    public ExportLimits Limits { get; }

    internal string Token { get; }

    private EngineContext Context => _engine.Context;

    /// <summary>Starts serving a volume: its dirty bitmap is opened, its record written, and a synchronous one starts mirroring.</summary>
    public VolumeExport Add(string volumeName, IOperationObserver observer)
    {
        lock (_changes)
        {
            try
            {
                return AddLocked(volumeName, observer);
            }
            finally
            {
                // A service whose first volume could not be served has nothing to serve: it ends rather than idles.
                if (_exports.IsEmpty)
                {
                    _idle.Set();
                }
            }
        }
    }

    private VolumeExport AddLocked(string volumeName, IOperationObserver observer)
    {
        var snapshot = VolumeSnapshot.Load(Context.Store, volumeName);
        var volume = snapshot.Volume;
        ReplicationRules.RequireAvailable(volume, "an export");
        var driver = Context.Drivers.Get(snapshot.PrimaryBackend.Driver);
        var recordPath = driver.Sidecar(snapshot.Primary, "export");
        var other = ExportRecord.Read(recordPath);
        if (_exports.ContainsKey(volume.Id) || other is { IsDead: false })
        {
            throw new ReplicationException(ErrorIds.VolumeAlreadyExported, ErrorKind.ResourceExists,
                $"Volume '{volume.Name}' is already exported" + (other is null ? "." : $" on {other.Address}:{other.Port} by process {other.ProcessId} on {other.Host}.") + " Get-VolumeExport shows it.", volume.Name);
        }

        driver.CheckCopy(snapshot.Primary, volume.SizeBytes);
        VolumeTypeSpecs specs;
        using (var read = Context.Store.Begin(write: false))
        {
            specs = new VolumeTypeSpecs(VolumeTypeCatalog.Find(read, volume.VolumeType).ExtraSpecs);
        }

        var synchronous = specs.ReplicationType == ReplicationType.Sync && volume.ReplicaBackend is not null;
        var bitmap = OpenBitmap(snapshot, driver.Sidecar(snapshot.Primary, "dirty"), driver.CopyStamp(snapshot.Primary));
        var record = new ExportRecord
        {
            VolumeId = volume.Id,
            VolumeName = volume.Name,
            Address = Endpoint.Address.ToString(),
            Port = Endpoint.Port,
            ControlPort = ControlPort,
            Token = Token,
            Host = EngineContext.Host,
            ProcessId = EngineContext.ProcessId,
            ProcessStartedAt = EngineContext.ProcessStartedAt,
            StartedAt = Context.Now,
            Synchronous = synchronous,
            Limits = Limits,
        };
        var export = new ExportedVolume(Context, snapshot, bitmap, record, e => synchronous ? new SyncMirror(e, _engine.Replication.Rounds, _engine.Leases, specs.SyncFailure) : null);
        try
        {
            export.Register();
            record.Write(recordPath);
            export.Mirror?.Start(observer);
            using (var session = Context.Store.Begin(write: true))
            {
                session.AppendEvent(Context.Event("StartVolumeExport", "Volume", volume.Name,
                    $"Exported over NBD at {ExportCatalog.UrlOf(record)} by process {record.ProcessId} on {record.Host}; writes are tracked" + (export.Mode == ExportMode.Mirroring ? " and mirrored synchronously." : "."), volume.Id));
                session.Commit();
            }
        }
        catch
        {
            export.Close(observer);
            throw;
        }

        _exports[volume.Id] = export;
        _idle.Reset();
        observer.Decision($"'{volume.Name}' is served at {ExportCatalog.UrlOf(record)}" + (synchronous ? $" with synchronous replication ({export.Mode})." : "; writes are tracked for sync rounds."));
        return ExportCatalog.ToModel(record, export.State(0));
    }

    /// <summary>Stops serving a volume: its clients are disconnected once their request in flight is done, then the export closes.</summary>
    public void Remove(Guid volumeId, IOperationObserver observer)
    {
        lock (_changes)
        {
            if (!_exports.TryRemove(volumeId, out var export))
            {
                throw new ReplicationException(ErrorIds.ExportNotFound, ErrorKind.ObjectNotFound, $"This service does not export the volume with id {volumeId}.", volumeId);
            }

            export.BeginClose();
            _nbd.Disconnect(export.Name);
            try
            {
                export.Close(observer);
            }
            finally
            {
                using var session = Context.Store.Begin(write: true);
                session.AppendEvent(Context.Event("StopVolumeExport", "Volume", export.Name, $"No longer exported at {ExportCatalog.UrlOf(export.Record)}.", export.VolumeId));
                session.Commit();
                if (_exports.IsEmpty)
                {
                    _idle.Set();
                }
            }
        }
    }

    public IReadOnlyList<VolumeExport> List() =>
        _exports.Values.OrderBy(e => e.Name, StringComparer.OrdinalIgnoreCase).Select(e => ExportCatalog.ToModel(e.Record, e.State(_nbd.ClientsOf(e.Name)))).ToList();

    /// <summary>
    /// Blocks until the service has no volume left: the last one was removed, or none was added within
    /// <paramref name="firstVolumeWithin"/> of the start. Cancelling throws OperationCanceledException.
    /// </summary>
    public void WaitUntilIdle(TimeSpan firstVolumeWithin, CancellationToken cancellation)
    {
        if (!_idle.Wait(firstVolumeWithin, cancellation) && !_exports.IsEmpty)
        {
            _idle.Wait(cancellation);
        }
    }

    /// <summary>Removes every volume (each closes as Remove does), then stops listening.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _ticker.Dispose();
        foreach (var id in _exports.Keys.ToList())
        {
            try
            {
                Remove(id, SilentObserver.Instance);
            }
            catch (ReplicationException)
            {
                // The export is closed anyway; what failed (a last round) is recorded by the round itself.
            }
        }

        _control.Dispose();
        _nbd.Dispose();
    }

    private DirtyBitmap OpenBitmap(VolumeSnapshot snapshot, Drivers.SidecarFile path, string? stamp)
    {
        // A round elsewhere may hold the bitmap alone for a moment (its freeze or release).
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (DirtyBitmap.TryOpenForExport(path, snapshot.Volume.Id, snapshot.Volume.SizeBytes, stamp) is { } bitmap)
            {
                return bitmap;
            }

            Thread.Sleep(50);
        }

        throw new ReplicationException(ErrorIds.VolumeBusy, ErrorKind.ResourceBusy, $"The dirty bitmap of '{snapshot.Volume.Name}' stayed held by another process for 10 s.", snapshot.Volume.Name);
    }

    private ControlReply Handle(ControlRequest request)
    {
        var reply = new ControlReply();
        switch (request.Command)
        {
            case ControlCommands.Add:
                var added = Add(request.VolumeName ?? "", SilentObserver.Instance);
                reply.Exports.Add(Served(added.VolumeId).State(0));
                break;
            case ControlCommands.Remove:
                Remove(request.VolumeId, SilentObserver.Instance);
                break;
            case ControlCommands.Status:
                reply.Exports.AddRange(_exports.Values.Select(e => e.State(_nbd.ClientsOf(e.Name))));
                break;
            case ControlCommands.Freeze:
                var (_, complete, mirrored) = Served(request.VolumeId).FreezeForRound();
                reply.Complete = complete;
                reply.ReplicaMirrored = mirrored;
                break;
            case ControlCommands.Release:
                Served(request.VolumeId).ReleaseRound(request.Copied);
                break;
            case ControlCommands.Pause:
                reply.Paused = Served(request.VolumeId).Mirror?.Pause(request.Actor ?? Context.Actor) ?? false;
                break;
            default:
                throw new ReplicationException(ErrorIds.ExportUnreachable, ErrorKind.InvalidArgument, $"The export service does not know the command '{Names.Printable(request.Command)}'.", request.Command);
        }

        return reply;
    }

    /// <summary>An export of this process, also one still starting (a round elsewhere may freeze its bitmap while it brings a synchronous replica up to date).</summary>
    private static ExportedVolume Served(Guid volumeId) => ExportedVolume.InThisProcess(volumeId)
        ?? throw new ReplicationException(ErrorIds.ExportNotFound, ErrorKind.ObjectNotFound, $"This service does not export the volume with id {volumeId}.", volumeId);

    private void Tick()
    {
        if (Interlocked.Exchange(ref _ticking, 1) == 1)
        {
            return; // The last tick is still running (a resync takes a while).
        }

        try
        {
            foreach (var export in _exports.Values.ToList())
            {
                try
                {
                    if (!StillServable(export))
                    {
                        Remove(export.VolumeId, SilentObserver.Instance);
                        continue;
                    }

                    export.Mirror?.Tick(SilentObserver.Instance);
                }
                catch (Exception)
                {
                    // One volume's trouble (recorded by the round or the state change that met it) never stops the others.
                }
            }
        }
        finally
        {
            Interlocked.Exchange(ref _ticking, 0);
        }
    }

    /// <summary>A volume removed, no longer available, or whose primary file is gone is not served any longer.</summary>
    private bool StillServable(ExportedVolume export)
    {
        try
        {
            using var session = Context.Store.Begin(write: false);
            if (session.FindVolume(export.VolumeId) is not { Status: VolumeStatus.Available })
            {
                return false;
            }
        }
        catch (ReplicationException)
        {
            return true; // The state store is unreachable for now: keep serving.
        }

        try
        {
            export.Driver.CheckCopy(export.Snapshot.Primary, export.Size);
            return true;
        }
        catch (ReplicationException)
        {
            return false;
        }
    }

    /// <summary>The names clients may ask for: the volumes this service serves.</summary>
    private sealed class Directory : INbdExportDirectory
    {
        private readonly ExportService _service;

        public Directory(ExportService service) => _service = service;

        public IReadOnlyList<string> Names => _service._exports.Values.Select(e => e.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();

        public INbdExport? Find(string name) => _service._exports.Values.FirstOrDefault(e => e.Name == name);
    }
}
