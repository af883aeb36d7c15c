using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.Rules;
using Replication.Engine.State;
using Replication.Engine.Volumes;

namespace Replication.Engine.Export;

/// <summary>
/// Volumes served over NBD: starting a service in this process, reaching services of other processes through the
/// records they keep beside the volumes they serve, listing and stopping exports, and the rules other operations
/// follow while a volume is exported (it is in use: no promotion or removal; a mirrored replica is not synced or cloned).
/// </summary>
public sealed class ExportCatalog
{
    /// <summary>NBD's registered port (IANA), what qemu-nbd listens on by default.</summary>
    public const int DefaultPort = 10809;

    private static readonly TimeSpan AddTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(30);

    private readonly ReplicationEngine _engine;

    internal ExportCatalog(ReplicationEngine engine) => _engine = engine;

    private EngineContext Context => _engine.Context;

    /// <summary>The endpoint an export service listens on; InvalidAddress unless <paramref name="address"/> is an IP address and the port a TCP port (0: any free one).</summary>
    public static IPEndPoint Endpoint(string address, int port) =>
        IPAddress.TryParse(address, out var ip) && port is >= 0 and <= 65535
            ? new IPEndPoint(ip, port)
            : throw new ReplicationException(ErrorIds.InvalidAddress, ErrorKind.InvalidArgument,
                $"'{Rules.Names.Printable(address)}' port {port} is not an address to listen on: use an IP address (127.0.0.1, ::1, 0.0.0.0) and a port from 0 (any free one) to 65535.", address);

    /// <summary>Starts an export service in this process on <paramref name="endpoint"/> (port 0: a free port); it serves nothing until volumes are added.</summary>
    public ExportService Serve(IPEndPoint endpoint, ExportLimits? limits = null, string? token = null) =>
        new(_engine, endpoint, token ?? ControlServer.NewToken(), limits ?? ExportLimits.Default);

    /// <summary>A new token for a service started in another process, handed to it privately.</summary>
    public static string NewServiceToken() => ControlServer.NewToken();

    /// <summary>The running service of this host that serves NBD on <paramref name="endpoint"/>, found through the records of the volumes it serves; null when there is none.</summary>
    public ExportServiceHandle? FindService(IPEndPoint endpoint) =>
        LiveRecords().Where(r => r.Record.IsOnThisHost && r.Record.Port == endpoint.Port && IPAddress.Parse(r.Record.Address).Equals(endpoint.Address))
            .Select(r => new ExportServiceHandle(endpoint, r.Record.ControlPort, r.Record.Token, r.Record.ProcessId, r.Record.Limits))
            .FirstOrDefault();

    /// <summary>
    /// Asks a running service to serve a volume too. Limits are set when a service starts: when <paramref name="limits"/>
    /// are asked for and the service runs with others, nothing is added (ExportPortInUse).
    /// </summary>
    public VolumeExport Add(ExportServiceHandle service, string volumeName, ExportLimits? limits = null)
    {
        if (limits is not null && service.Limits is { } running && running != limits)
        {
            throw new ReplicationException(ErrorIds.ExportPortInUse, ErrorKind.ResourceBusy,
                $"The export service on {Describe(service.Endpoint)} runs with {running}, not {limits} as asked; limits are set when a service starts. Serve the volume on another -Port, or stop every export of that service first (Get-VolumeExport lists them).", service.Endpoint.Port);
        }

        service.Client.Send(new ControlRequest { Command = ControlCommands.Add, VolumeName = volumeName, Actor = Context.Actor }, AddTimeout);
        return List(new[] { volumeName }).SingleOrDefault() ?? throw new ReplicationException(ErrorIds.ExportNotFound, ErrorKind.ObjectNotFound,
            $"The export of '{Names.Printable(volumeName)}' ended as it was added: its volume is gone. Get-VolumeExport lists the exports.", volumeName);
    }

    /// <summary>
    /// The exports of the named volumes (all volumes when none are named; a name no volume has is left out), as their services report them; an export
    /// whose process died shows as <see cref="ExportMode.Dead"/> until it is stopped or started again.
    /// </summary>
    public IReadOnlyList<VolumeExport> List(IReadOnlyCollection<string>? volumeNames = null)
    {
        var records = LiveRecords(volumeNames, includeDead: true);
        var states = LiveStates(records.Select(r => r.Record));
        return records.Select(r => ToModel(r.Record, states.TryGetValue(r.Record.VolumeId, out var state) ? state : null, r.Record.IsDead))
            .OrderBy(e => e.VolumeName, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>
    /// Stops a volume's export: its service disconnects the clients once their requests in flight are done, a
    /// mirrored volume records a last round, and the service ends with its last volume. The record of an export whose
    /// process died is just removed. Returns the export that was stopped (without live figures).
    /// </summary>
    public VolumeExport Stop(string volumeName, IOperationObserver observer)
    {
        var snapshot = VolumeSnapshot.Load(Context.Store, volumeName);
        var path = RecordPath(snapshot);
        var record = ExportRecord.Read(path) ?? throw new ReplicationException(ErrorIds.ExportNotFound, ErrorKind.ObjectNotFound,
            $"Volume '{snapshot.Volume.Name}' is not exported. Get-VolumeExport lists the exports.", snapshot.Volume.Name);
        if (record.IsDead)
        {
            new DirtyTracking(Context).CloseAfterDeadExport(snapshot);
            path.Delete();
            observer.Decision($"The export of '{snapshot.Volume.Name}' had ended with its process {record.ProcessId}; its record was removed, and its dirty bitmap closed with the volume file as it is now.");
            return ToModel(record, null, dead: true);
        }

        if (!record.IsOnThisHost)
        {
            throw new ReplicationException(ErrorIds.ExportUnreachable, ErrorKind.InvalidOperation,
                $"Volume '{snapshot.Volume.Name}' is exported by process {record.ProcessId} on {record.Host}; stop it there.", snapshot.Volume.Name);
        }

        ControlClient.For(record).Send(new ControlRequest { Command = ControlCommands.Remove, VolumeId = snapshot.Volume.Id, VolumeName = snapshot.Volume.Name, Actor = Context.Actor }, StopTimeout);
        observer.Decision($"'{snapshot.Volume.Name}' is no longer served at {UrlOf(record)}.");
        return ToModel(record, null);
    }

    /// <summary>
    /// The live figures of the exports behind <paramref name="records"/>, by volume id: one status request to each service of
    /// this host. A service that is dead, on another host or not answering gives none.
    /// </summary>
    internal static Dictionary<Guid, ExportState> LiveStates(IEnumerable<ExportRecord> records)
    {
        var states = new Dictionary<Guid, ExportState>();
        foreach (var service in records.Where(r => !r.IsDead && r.IsOnThisHost).GroupBy(r => (r.ControlPort, r.ProcessId)))
        {
            try
            {
                foreach (var state in ControlClient.For(service.First()).Send(new ControlRequest { Command = ControlCommands.Status }, StatusTimeout).Exports)
                {
                    states[state.VolumeId] = state;
                }
            }
            catch (ReplicationException)
            {
                // A service that does not answer is listed from its records, without live figures.
            }
        }

        return states;
    }

    internal static string UrlOf(ExportRecord record) => $"nbd://{Describe(new IPEndPoint(IPAddress.Parse(record.Address), record.Port))}/{record.VolumeName}";

    /// <summary>An endpoint as URLs write it: an IPv6 address in brackets.</summary>
    public static string Describe(IPEndPoint endpoint) =>
        endpoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]:{endpoint.Port}" : $"{endpoint.Address}:{endpoint.Port}";

    internal static VolumeExport ToModel(ExportRecord record, ExportState? state, bool dead = false) => new()
    {
        VolumeId = record.VolumeId,
        VolumeName = record.VolumeName,
        ExportName = record.VolumeName,
        Url = UrlOf(record),
        Address = record.Address,
        Port = record.Port,
        ProcessId = record.ProcessId,
        Host = record.Host,
        StartedAt = record.StartedAt,
        Mode = (dead ? ExportMode.Dead : state?.Mode)?.ToString(),
        Clients = state?.Clients,
        DirtyBytes = state?.DirtyBytes,
    };

    private Drivers.SidecarFile RecordPath(VolumeSnapshot snapshot) => ExportGuards.RecordPath(Context, snapshot);

    private List<(VolumeRecord Volume, ExportRecord Record)> LiveRecords(IReadOnlyCollection<string>? volumeNames = null, bool includeDead = false)
    {
        List<VolumeSnapshot> snapshots;
        using (var read = Context.Store.Begin(write: false))
        {
            var volumes = read.ListVolumes(new VolumeQuery { Names = volumeNames });
            var backends = read.ListBackends();
            snapshots = volumes.Where(v => v.Status == VolumeStatus.Available).Select(v => VolumeSnapshot.Load(v, backends)).ToList();
        }

        return snapshots
            .Select(s => (s.Volume, Record: ExportRecord.Read(RecordPath(s))))
            .Where(r => r.Record is not null && (includeDead || !r.Record.IsDead))
            .Select(r => (r.Volume, r.Record!))
            .ToList();
    }
}
