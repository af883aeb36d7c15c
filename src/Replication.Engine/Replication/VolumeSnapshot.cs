using System.Collections.Generic;
using System.Linq;
using Replication.Engine.Catalog;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Rules;
using Replication.Engine.State;

namespace Replication.Engine.Replication;

/// <summary>A volume row with the backends of both copies, read in one transaction.</summary>
internal sealed class VolumeSnapshot
{
    private VolumeSnapshot(VolumeRecord volume, BackendRecord primaryBackend, BackendRecord? replicaBackend)
    {
        Volume = volume;
        PrimaryBackend = primaryBackend;
        ReplicaBackend = replicaBackend;
    }

    public VolumeRecord Volume { get; }

    public BackendRecord PrimaryBackend { get; }

    public BackendRecord? ReplicaBackend { get; }

    public VolumeCopy Primary => new(PrimaryBackend, Volume.Location);

    public VolumeCopy Replica => ReplicaBackend is null || Volume.ReplicaLocation is null
        ? throw new ReplicationException(ErrorIds.SyncNotAllowed, ErrorKind.InvalidOperation, $"Volume '{Volume.Name}' has no replica.", Volume.Name)
        : new VolumeCopy(ReplicaBackend, Volume.ReplicaLocation);

    /// <summary>Refuses a change when either copy's backend is frozen, or (unless allowed) the replica's backend is failed over.</summary>
    public void RequireChangeable(string operation, bool replicaMayBeFailedOver = false)
    {
        BackendRules.RequireNotFrozen(PrimaryBackend, operation);
        BackendRules.RequireNotFrozen(ReplicaBackend, operation);
        if (!replicaMayBeFailedOver)
        {
            BackendRules.RequireNotFailedOver(ReplicaBackend, operation);
        }
    }

    public static VolumeSnapshot Load(IStateStore store, string name)
    {
        using var session = store.Begin(write: false);
        return Load(session, FindVolume(session, name));
    }

    public static VolumeSnapshot Load(IStateSession session, VolumeRecord volume) => Load(volume, session.ListBackends());

    /// <summary>The volume with its backends, found in <paramref name="backends"/> (read once for many volumes).</summary>
    public static VolumeSnapshot Load(VolumeRecord volume, IReadOnlyList<BackendRecord> backends) =>
        new VolumeSnapshot(
            volume,
            BackendCatalog.Find(backends, volume.Backend),
            volume.ReplicaBackend is { } replica ? BackendCatalog.Find(backends, replica) : null);

    public static VolumeRecord FindVolume(IStateSession session, string name) =>
        session.FindVolume(name) ?? throw new ReplicationException(ErrorIds.VolumeNotFound, ErrorKind.ObjectNotFound,
            $"There is no volume named '{Names.Printable(name)}'. Get-Volume lists them.", name);

    /// <summary>
    /// Re-reads the volume inside a write transaction and refuses when another process changed its copies or sync
    /// round since <paramref name="seen"/> was read: what this process did is then not recorded over theirs.
    /// </summary>
    public static VolumeRecord Reread(IStateSession session, VolumeRecord seen)
    {
        var current = session.FindVolume(seen.Id);
        if (current is null || current.Backend != seen.Backend || current.ReplicaBackend != seen.ReplicaBackend
            || current.SyncGeneration != seen.SyncGeneration || current.ReplicationStatus != seen.ReplicationStatus || current.Status != seen.Status)
        {
            throw new ReplicationException(ErrorIds.ConcurrentChange, ErrorKind.ResourceBusy,
                $"Volume '{seen.Name}' was changed by another command while this one worked on it; nothing was recorded. Check Get-VolumeReplica and run the command again if still needed.", seen.Name);
        }

        return current;
    }
}
