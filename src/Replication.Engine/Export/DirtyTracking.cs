using System;
using System.IO;
using System.Threading;
using Replication.Engine.Errors;
using Replication.Engine.Replication;

namespace Replication.Engine.Export;

/// <summary>
/// Gives a sync round the blocks written through a volume's export since the last round, wherever the dirty bitmap is
/// held: by an export in this process, by an export service on this host (asked on its command port), or by nobody
/// (then the round opens the file alone for a moment). A volume that was never exported has no bitmap, and an export
/// on another host cannot be asked: the round then reads as without tracking, which is always correct.
/// </summary>
internal sealed class DirtyTracking
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly EngineContext _context;

    public DirtyTracking(EngineContext context) => _context = context;

    /// <summary>Freezes the volume's dirty blocks for a round; null when the volume has no bitmap this process can use.</summary>
    public FrozenDirtyBlocks? Freeze(VolumeSnapshot snapshot, IOperationObserver observer)
    {
        var volume = snapshot.Volume;
        if (ExportedVolume.InThisProcess(volume.Id) is { } local)
        {
            var (blocks, complete, mirrored) = local.FreezeForRound();
            return new FrozenDirtyBlocks(complete ? blocks : null, mirrored, local.ReleaseRound);
        }

        var driver = _context.Drivers.Get(snapshot.PrimaryBackend.Driver);
        var bitmapPath = driver.Sidecar(snapshot.Primary, "dirty");
        for (var attempt = 0; attempt < 20; attempt++)
        {
            if (ExportRecord.Read(driver.Sidecar(snapshot.Primary, "export")) is { IsDead: false } record)
            {
                if (!record.IsOnThisHost)
                {
                    observer.Decision($"'{volume.Name}' is exported by a service on {record.Host}; its dirty bitmap cannot be asked from here, so the round reads the volume.");
                    return null;
                }

                var reply = ControlClient.For(record).Send(new ControlRequest { Command = ControlCommands.Freeze, VolumeId = volume.Id, VolumeName = volume.Name }, CommandTimeout);
                var blocks = reply.Complete ? DirtyBitmap.ReadFrozen(bitmapPath, volume.Id, volume.SizeBytes) : null;
                return new FrozenDirtyBlocks(blocks, reply.ReplicaMirrored, copied => Release(snapshot, copied));
            }

            if (!bitmapPath.Exists())
            {
                return null;
            }

            using (var bitmap = DirtyBitmap.TryOpenExclusive(bitmapPath, volume.Id, volume.SizeBytes, driver.CopyStamp(snapshot.Primary)))
            {
                if (bitmap is not null)
                {
                    var complete = bitmap.Complete;
                    var blocks = bitmap.Freeze();
                    return new FrozenDirtyBlocks(complete ? blocks : null, bitmap.ReplicaMirrored, copied => Release(snapshot, copied));
                }
            }

            // An export is opening the bitmap right now: its record follows at once.
            Thread.Sleep(50);
        }

        throw new ReplicationException(ErrorIds.VolumeBusy, ErrorKind.ResourceBusy,
            $"The dirty bitmap of '{volume.Name}' is held by a process that is not its export; try again.", volume.Name);
    }

    /// <summary>
    /// Closes the bitmap an export left open when its process died, with the volume file's stamp now: its bits (every
    /// write of that export, in flight included) stay, and a write to the file from here on, made without an export,
    /// shows as a changed stamp to the next holder, which then reads the volume whole. Held by another for longer than a
    /// moment, it is left as it is (still trusted, as the dead export left it).
    /// </summary>
    public void CloseAfterDeadExport(VolumeSnapshot snapshot)
    {
        var volume = snapshot.Volume;
        var driver = _context.Drivers.Get(snapshot.PrimaryBackend.Driver);
        var path = driver.Sidecar(snapshot.Primary, "dirty");
        for (var attempt = 0; attempt < 20 && path.Exists(); attempt++)
        {
            var stamp = driver.CopyStamp(snapshot.Primary);
            if (DirtyBitmap.TryOpenExclusive(path, volume.Id, volume.SizeBytes, stamp) is { } bitmap)
            {
                bitmap.CloseByExport(stamp);
                return;
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>
    /// Ends the round's hold wherever the bitmap is held now (its holder may have changed since the freeze). Failing to
    /// reach it is not an error: the frozen blocks then stay frozen, and the next freeze merges the newer ones into them.
    /// </summary>
    private void Release(VolumeSnapshot snapshot, bool copied)
    {
        var volume = snapshot.Volume;
        var driver = _context.Drivers.Get(snapshot.PrimaryBackend.Driver);
        try
        {
            for (var attempt = 0; attempt < 20; attempt++)
            {
                if (ExportedVolume.InThisProcess(volume.Id) is { } local)
                {
                    local.ReleaseRound(copied);
                    return;
                }

                if (ExportRecord.Read(driver.Sidecar(snapshot.Primary, "export")) is { IsDead: false } record)
                {
                    if (record.IsOnThisHost)
                    {
                        ControlClient.For(record).Send(new ControlRequest { Command = ControlCommands.Release, VolumeId = volume.Id, VolumeName = volume.Name, Copied = copied }, CommandTimeout);
                    }

                    return;
                }

                using var bitmap = DirtyBitmap.TryOpenExclusive(driver.Sidecar(snapshot.Primary, "dirty"), volume.Id, volume.SizeBytes, driver.CopyStamp(snapshot.Primary));
                if (bitmap is not null)
                {
                    bitmap.Release(copied);
                    return;
                }

                Thread.Sleep(50);
            }
        }
        catch (Exception ex) when (ex is ReplicationException or IOException or UnauthorizedAccessException)
        {
            // Left frozen: the next round's freeze merges into it, so no written block is forgotten.
        }
    }
}
