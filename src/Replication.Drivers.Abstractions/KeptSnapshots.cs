using System;
using System.Collections.Generic;

namespace Replication.Drivers;

/// <summary>
/// A driver that keeps point-in-time snapshots of a copy for the admin (New-VolumeSnapshot): durable once returned,
/// read-only, listed per copy so the engine can remove one a crash left unrecorded, and measured so the admin sees what
/// each costs. Apart from <see cref="INativeSnapshots"/>, which a clone uses to read its source at one moment: a driver
/// whose snapshots copy the data would otherwise make every clone read the source twice.
/// </summary>
public interface IKeptSnapshots
{
    /// <summary>
    /// Takes a crash-consistent snapshot of the copy at <paramref name="location"/>, named by <paramref name="snapshotId"/>
    /// (the same id gives the same snapshot location). It is durable and complete when this returns; a failure or a
    /// crash part way leaves nothing that <see cref="ListKeptSnapshots"/> does not report.
    /// </summary>
    KeptSnapshot CreateKeptSnapshot(BackendConfiguration backend, string location, Guid snapshotId);

    /// <summary>Opens a snapshot for reading; it never opens for writing. A missing one throws <see cref="DriverErrorIds.CopyMissing"/>.</summary>
    IBlockDevice OpenKeptSnapshot(BackendConfiguration backend, string snapshotLocation);

    /// <summary>Every snapshot (finished or left part way) of the copy at <paramref name="location"/>, by snapshot location.</summary>
    IReadOnlyList<string> ListKeptSnapshots(BackendConfiguration backend, string location);

    /// <summary>Removes a snapshot, finished or left part way; a missing one is not an error.</summary>
    void DeleteKeptSnapshot(BackendConfiguration backend, string snapshotLocation);
}

/// <summary>A snapshot a driver took: where it is, what it costs on disk, and how it was made.</summary>
public sealed class KeptSnapshot
{
    public KeptSnapshot(string location, long bytesHeld, string method)
    {
        Location = location;
        BytesHeld = bytesHeld;
        Method = method;
    }

    public string Location { get; }

    /// <summary>The space the snapshot takes that the copy does not share with it (all of its data for a plain copy).</summary>
    public long BytesHeld { get; }

    /// <summary>The driver's word for how it was made: Copy (its allocated data copied), Reflink (blocks shared), or the storage's own.</summary>
    public string Method { get; }
}
