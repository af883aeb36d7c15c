using System;
using System.Collections.Generic;
using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Replication;

namespace Replication.Engine.Export;

/// <summary>
/// What other operations need to know about a volume's export, read from the record beside it: an exported volume is
/// in use (no promotion or removal, as Cinder refuses an attached volume), and a replica a synchronous export mirrors
/// to changes with every write (no round or clone of it; Disable-Replication pauses the mirror through the export).
/// </summary>
internal sealed class ExportGuards
{
    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(30);

    private readonly EngineContext _context;

    public ExportGuards(EngineContext context) => _context = context;

    internal static Drivers.SidecarFile RecordPath(EngineContext context, VolumeSnapshot snapshot) =>
        context.Drivers.Get(snapshot.PrimaryBackend.Driver).Sidecar(snapshot.Primary, "export");

    /// <summary>The live export of the volume (served by a process that runs, here or on another host), if any.</summary>
    internal ExportRecord? LiveRecord(VolumeSnapshot snapshot) => ExportRecord.Read(RecordPath(_context, snapshot)) is { IsDead: false } record ? record : null;

    /// <summary>Refuses <paramref name="operation"/> while the volume is exported: clients write its primary, so it is in use (as Cinder refuses an attached volume).</summary>
    internal void RequireNotExported(VolumeSnapshot snapshot, string operation)
    {
        if (LiveRecord(snapshot) is { } record)
        {
            throw new ReplicationException(ErrorIds.VolumeExported, ErrorKind.InvalidOperation,
                $"Rule: {operation} is refused while the volume is exported; clients write it at {ExportCatalog.UrlOf(record)}. Stop-VolumeExport -Name '{snapshot.Volume.Name}' first.", snapshot.Volume.Name);
        }
    }

    /// <summary>True when an export mirrors the volume's writes to its replica now (every acknowledged write is on both copies).</summary>
    internal bool IsMirroring(VolumeSnapshot snapshot) => Mode(snapshot) == ExportMode.Mirroring;

    /// <summary>Refuses <paramref name="operation"/> on the replica while an export mirrors writes to it: the replica changes with every write then.</summary>
    internal void RequireNotMirroring(VolumeSnapshot snapshot, string operation)
    {
        if (IsMirroring(snapshot))
        {
            throw new ReplicationException(ErrorIds.VolumeExported, ErrorKind.InvalidOperation,
                $"Rule: {operation} is refused while the export mirrors every write to the replica of '{snapshot.Volume.Name}', which changes with each one. Disable-Replication pauses the mirror (the replica then holds every write acknowledged until the pause); Enable-Replication resumes it, copying only the blocks written meanwhile.", snapshot.Volume.Name);
        }
    }

    /// <summary>Pauses a mirroring export's synchronous replication and records the pause (done by the export, between two writes). False when no export mirrors the volume.</summary>
    internal bool PauseMirroring(VolumeSnapshot snapshot)
    {
        if (LiveRecord(snapshot) is not { IsOnThisHost: true } record)
        {
            return false;
        }

        return ControlClient.For(record).Send(new ControlRequest { Command = ControlCommands.Pause, VolumeId = snapshot.Volume.Id, VolumeName = snapshot.Volume.Name, Actor = _context.Actor }, StatusTimeout).Paused;
    }

    /// <summary>
    /// Bytes written on each exported volume among <paramref name="snapshots"/> since its last round (its dirty bitmap's
    /// count, asked of the services that serve them), by volume id; volumes not exported, or whose service cannot be
    /// asked, are left out.
    /// </summary>
    internal Dictionary<Guid, long> PendingBytes(IEnumerable<VolumeSnapshot> snapshots) =>
        ExportCatalog.LiveStates(snapshots.Select(LiveRecord).OfType<ExportRecord>()).ToDictionary(s => s.Key, s => s.Value.DirtyBytes);

    /// <summary>The NBD URL the volume is served at now, if it is exported.</summary>
    internal string? UrlFor(VolumeSnapshot snapshot) => LiveRecord(snapshot) is { } record ? ExportCatalog.UrlOf(record) : null;

    /// <summary>
    /// How the volume's export handles writes now; null when it is not exported. A synchronous export that cannot be
    /// asked (on another host, or not answering) counts as mirroring: nothing then writes a replica it may be writing.
    /// </summary>
    private ExportMode? Mode(VolumeSnapshot snapshot)
    {
        if (ExportedVolume.InThisProcess(snapshot.Volume.Id) is { } local)
        {
            return local.Mode;
        }

        if (LiveRecord(snapshot) is not { } record)
        {
            return null;
        }

        var unknown = record.Synchronous ? ExportMode.Mirroring : ExportMode.Tracking;
        if (!record.IsOnThisHost)
        {
            return unknown;
        }

        try
        {
            return ControlClient.For(record).Send(new ControlRequest { Command = ControlCommands.Status }, StatusTimeout).Exports.FirstOrDefault(e => e.VolumeId == snapshot.Volume.Id)?.Mode ?? unknown;
        }
        catch (ReplicationException)
        {
            return unknown;
        }
    }
}
