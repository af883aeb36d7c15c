using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.State;
using Replication.Engine.Volumes;

namespace Replication.Engine.Repair;

/// <summary>
/// Finds what crashes, faults and changes outside the module left behind, and finishes or rolls it back: creations and
/// deletions whose process died, sync rounds that committed their journal but were not recorded, copies whose file is
/// gone, lapsed leases, and files no volume owns. Volumes another live operation holds are left alone.
/// </summary>
public sealed class StateRepair
{
    private readonly EngineContext _context;
    private readonly VolumeLeases _leases;
    private readonly VolumeService _volumes;
    private readonly SyncRound _sync;
    private readonly Snapshots.SnapshotService _snapshots;

    private const string LeftAlone = "Left alone: another operation holds the volume now.";

    internal StateRepair(EngineContext context, VolumeLeases leases, VolumeService volumes, SyncRound sync, Snapshots.SnapshotService snapshots)
    {
        _context = context;
        _snapshots = snapshots;
        _leases = leases;
        _volumes = volumes;
        _sync = sync;
    }

    /// <param name="removeOrphanFiles">Delete volume files and journals no volume owns. Off by default: a folder shared
    /// with another state file would hold that state's volumes, which this one cannot tell from leftovers.</param>
    /// <param name="approve">Asked before each change (the cmdlet's ShouldProcess); a declined finding is only reported.</param>
    public IReadOnlyList<RepairFinding> Run(bool removeOrphanFiles, Func<RepairFinding, bool> approve, IOperationObserver observer)
    {
        var findings = new List<RepairFinding>();
        IReadOnlyList<VolumeRecord> volumes;
        IReadOnlyList<BackendRecord> backends;
        using (var read = _context.Store.Begin(write: false))
        {
            volumes = read.ListVolumes(VolumeQuery.All);
            backends = read.ListBackends();
        }

        // Before anything else touches a folder (and so marks it): a folder with no mark yet may be shared with another state.
        var markedNow = new HashSet<string>(backends.Where(ClaimedNow).Select(b => b.Name), StringComparer.OrdinalIgnoreCase);
        foreach (var volume in volumes)
        {
            findings.AddRange(RepairVolume(volume, backends, approve, observer));
            findings.AddRange(RemoveSnapshotLeftovers(volume, approve, observer));
        }

        findings.AddRange(RepairGroups(approve));
        findings.AddRange(RemoveLapsedLeases(volumes, approve));
        findings.AddRange(FindOrphans(backends, markedNow, removeOrphanFiles, approve, observer));
        return findings;
    }

    private IEnumerable<RepairFinding> RepairVolume(VolumeRecord volume, IReadOnlyList<BackendRecord> backends, Func<RepairFinding, bool> approve, IOperationObserver observer)
    {
        var (finding, fault) = Diagnose(volume, backends);
        if (finding is null)
        {
            return Array.Empty<RepairFinding>();
        }

        if (!approve(finding))
        {
            return new[] { finding };
        }

        if (finding.Kind == "AbandonedCreation")
        {
            return new[] { Finding(finding.Kind, volume.Name, _volumes.RollBackAbandonedCreation(volume, observer) ? finding.Action : LeftAlone, applied: true) };
        }

        using var lease = _leases.TryAcquire(volume.Name, "RepairVolume", observer);
        if (lease is null)
        {
            return new[] { Finding(finding.Kind, volume.Name, LeftAlone, applied: false) };
        }

        var snapshot = VolumeSnapshot.Load(_context.Store, volume.Name);
        switch (finding.Kind)
        {
            case "UnfinishedDeletion":
                _volumes.Erase(snapshot, "DeleteVolume", "An interrupted removal was finished.", observer);
                break;
            case "FencedPrimary":
                _context.Drivers.Get(snapshot.PrimaryBackend.Driver).Unfence(snapshot.Primary);
                break;
            case "InterruptedMigration":
                new VolumeMigration(_context, new Catalog.BackendCatalog(_context)).FinishInterrupted(snapshot, observer);
                break;
            case "InterruptedResize":
                new VolumeResize(_context).FinishInterrupted(snapshot, observer);
                break;
            case "InterruptedSync":
                _sync.FinishInterrupted(snapshot, observer);
                break;
            case "MissingPrimary":
                _sync.RecordFailure(volume, new ReplicationException(ErrorIds.PrimaryUnreadable, ErrorKind.ReadError, fault!), "CheckVolumeFiles");
                break;
            case "MissingReplica":
                _sync.RecordFailure(volume, new ReplicationException(ErrorIds.VolumeFileFault, ErrorKind.ResourceUnavailable, fault!), "CheckVolumeFiles");
                break;
        }

        return new[] { Finding(finding.Kind, volume.Name, finding.Action, applied: true) };
    }

    /// <summary>
    /// Snapshot files of the volume that state does not record (a New-VolumeSnapshot killed after its copy was whole,
    /// before its record; a Remove-VolumeSnapshot killed after the record went): removed under the volume's lease.
    /// </summary>
    private IEnumerable<RepairFinding> RemoveSnapshotLeftovers(VolumeRecord volume, Func<RepairFinding, bool> approve, IOperationObserver observer)
    {
        if (volume.Status is not VolumeStatus.Available)
        {
            return Array.Empty<RepairFinding>();
        }

        // Looked for without the volume's lease (taking one writes state, which -WhatIf must not, and costs a write per
        // volume); removed under it, where the leftovers are listed again.
        var leftovers = _snapshots.Leftovers(VolumeSnapshot.Load(_context.Store, volume.Name));
        if (leftovers.Count == 0)
        {
            return Array.Empty<RepairFinding>();
        }

        var finding = Finding("SnapshotLeftover", volume.Name, $"Remove {leftovers.Count} snapshot file(s) of the volume that state does not record: {string.Join(", ", leftovers.Select(l => $"'{l.Location}' on '{l.Copy.Backend.Name}'"))}.");
        if (!approve(finding))
        {
            return new[] { finding };
        }

        using var lease = _leases.TryAcquire(volume.Name, "RepairVolume", observer);
        if (lease is null)
        {
            return new[] { Finding(finding.Kind, volume.Name, LeftAlone, applied: false) };
        }

        _snapshots.SweepLeftovers(VolumeSnapshot.Load(_context.Store, volume.Name), observer);
        return new[] { Finding(finding.Kind, volume.Name, finding.Action, applied: true) };
    }

    /// <summary>What is wrong with one volume, if anything, and the fault seen; checks only its own files, cheaply (no reads of data).</summary>
    private (RepairFinding? Finding, string? Fault) Diagnose(VolumeRecord volume, IReadOnlyList<BackendRecord> backends)
    {
        if (volume.Status == VolumeStatus.Creating && !IsHeld(volume))
        {
            return (Finding("AbandonedCreation", volume.Name, "Roll back the interrupted creation: remove its files and its row."), null);
        }

        if (volume.Status == VolumeStatus.Deleting && !IsHeld(volume))
        {
            return (Finding("UnfinishedDeletion", volume.Name, "Finish the interrupted removal: remove its files and its row."), null);
        }

        if (volume.Status != VolumeStatus.Available || IsHeld(volume))
        {
            return (null, null);
        }

        if (volume.PendingChange is { Operation: PendingOperation.Migrate } move)
        {
            return (Finding("InterruptedMigration", volume.Name, $"Settle the interrupted move to '{move.ToBackend}': finish it if it was recorded there (remove the copies left on '{move.FromBackend}'), else undo it (remove the copies begun on '{move.ToBackend}')."), null);
        }

        var snapshot = VolumeSnapshot.Load(volume, backends);
        var driver = _context.Drivers.Get(snapshot.PrimaryBackend.Driver);
        if (driver.IsFenced(snapshot.Primary))
        {
            // A promotion fences the old primary before it swaps the sides; a crash in between leaves the volume's own primary fenced.
            return (Finding("FencedPrimary", volume.Name, "Lift the fence an interrupted promotion left on the primary, which is still the primary."), null);
        }

        if (volume.PendingChange is { Operation: PendingOperation.Extend } grow)
        {
            return (Finding("InterruptedResize", volume.Name, $"Finish the interrupted Resize-Volume to {grow.SizeBytes} bytes, as it was asked: grow the copies that did not grow yet, the replica first, and record the size."), null);
        }

        if (volume.ReplicaBackend is not null && volume.ReplicationStatus is ReplicationStatus.Active or ReplicationStatus.ActiveStopped)
        {
            if (driver.HasSyncJournal(snapshot.Replica, volume.Id))
            {
                return (Finding("InterruptedSync", volume.Name, "Finish the interrupted sync round from its journal, or discard an uncommitted one."), null);
            }

            if (Fault(driver, snapshot.Replica, volume.SizeBytes) is { } replicaFault)
            {
                return (Finding("MissingReplica", volume.Name, $"Set replication status to error: {replicaFault}"), replicaFault);
            }
        }

        // Reported once: the extended status then carries the fault, and the replica's status is left as it is.
        if (Fault(driver, snapshot.Primary, volume.SizeBytes) is { } primaryFault && !(volume.ReplicationExtendedStatus ?? "").Contains(primaryFault))
        {
            return (Finding("MissingPrimary", volume.Name, $"Record the fault in the extended status ({primaryFault}); promote the replica or restore the file."), primaryFault);
        }

        return (null, null);
    }

    /// <summary>
    /// Group promotions and group rounds whose process died: the per-volume repair above already lifted the fences such a
    /// promotion left and settled the members' journals, so only the group's own records are left to clear.
    /// </summary>
    private IEnumerable<RepairFinding> RepairGroups(Func<RepairFinding, bool> approve)
    {
        var findings = new List<RepairFinding>();
        using var session = _context.Store.Begin(write: true);
        foreach (var group in session.ListGroups())
        {
            var key = VolumeLeases.GroupKey(group.Name);
            if (_leases.IsHeld(session, key))
            {
                continue;
            }

            if (session.FindLease(key) is { } lapsed)
            {
                var finding = Finding("ExpiredLease", group.Name, $"Remove the lapsed group lease of {lapsed.Operation} by {lapsed.Actor}.");
                var applied = approve(finding);
                if (applied)
                {
                    session.DeleteLease(key, lapsed.Holder);
                }

                findings.Add(Finding(finding.Kind, finding.Target, finding.Action, applied));
            }

            if (session.FindGroupPromotion(group.Name) is { } started)
            {
                var finding = Finding("InterruptedGroupPromotion", group.Name, $"Roll back the group promotion started at {started:u} that never swapped its members (their fences are lifted).");
                var applied = approve(finding);
                if (applied)
                {
                    session.DeleteGroupPromotion(group.Name);
                    session.AppendEvent(_context.Event("RepairReplicationGroup", "ReplicationGroup", group.Name, finding.Action));
                }

                findings.Add(Finding(finding.Kind, finding.Target, finding.Action, applied));
            }

            foreach (var round in session.ListUncommittedGroupRounds(group.Name))
            {
                var finding = Finding("InterruptedGroupRound", group.Name, $"Forget group round {round.Round}, which never committed (no member moved to it).");
                var applied = approve(finding);
                if (applied)
                {
                    session.DeleteGroupRound(round.Token);
                }

                findings.Add(Finding(finding.Kind, finding.Target, finding.Action, applied));
            }
        }

        session.Commit();
        return findings;
    }

    private IEnumerable<RepairFinding> RemoveLapsedLeases(IReadOnlyList<VolumeRecord> volumes, Func<RepairFinding, bool> approve)
    {
        var findings = new List<RepairFinding>();
        using var session = _context.Store.Begin(write: true);
        foreach (var volume in volumes)
        {
            if (session.FindLease(volume.Id) is { } lease && VolumeLeases.IsLapsed(lease, _context.Now))
            {
                var finding = Finding("ExpiredLease", volume.Name, $"Remove the lapsed lease of {lease.Operation} by {lease.Actor}.");
                var applied = approve(finding);
                if (applied)
                {
                    session.DeleteLease(volume.Id, lease.Holder);
                }

                findings.Add(Finding(finding.Kind, finding.Target, finding.Action, applied));
            }
        }

        session.Commit();
        return findings;
    }

    /// <summary>
    /// Files in backend folders that no volume of this state owns. Removal is refused where a file could be another's: a
    /// location any volume of this state owns (on whichever backend), a folder whose mark names another state store (the
    /// driver refuses to list it), and a folder that had no mark until now (an older version's backend, which another
    /// state file may share): its leftovers are removed by a later run, once the mark stands.
    /// </summary>
    private List<RepairFinding> FindOrphans(IReadOnlyList<BackendRecord> backends, ISet<string> markedNow, bool remove, Func<RepairFinding, bool> approve, IOperationObserver observer)
    {
        var findings = new List<RepairFinding>();
        HashSet<string> owned;
        using (var read = _context.Store.Begin(write: false))
        {
            owned = new HashSet<string>(read.ListVolumes(VolumeQuery.All).SelectMany(v => new[] { v.Location, v.ReplicaLocation ?? "" }), StringComparer.Ordinal);
        }

        foreach (var backend in backends)
        {
            var driver = _context.Drivers.Get(backend.Driver);
            IReadOnlyList<string> locations;
            var unmarkedUntilNow = markedNow.Contains(backend.Name);
            try
            {
                locations = driver.ListLocations(backend);
            }
            catch (ReplicationException ex)
            {
                findings.Add(Finding(ex.ErrorId == ErrorIds.BackendFolderTaken ? "BackendFolderTaken" : "UnreachableBackend", backend.Name, $"Not checked for leftovers: {ex.Message}", applied: false));
                continue;
            }

            foreach (var location in locations.Where(l => !owned.Contains(l)))
            {
                var finding = Finding("OrphanFile", $"{backend.Name}:{location}",
                    !remove ? "Report only: no volume owns it; -RemoveOrphanFiles removes it."
                    : unmarkedUntilNow ? $"Report only: the folder of '{backend.Name}' carried no mark of its state store until now (an older version made it), so the file may be another state file's. Run again to remove it, once no other state file uses '{backend.Path}'."
                    : "Remove the file (and any journal) that no volume owns.");
                var applied = remove && !unmarkedUntilNow && approve(finding);
                if (applied)
                {
                    try
                    {
                        driver.DeleteVolume(new VolumeCopy(backend, location));
                        observer.Decision($"Removed {backend.Name}:{location}, which no volume owned.");
                    }
                    catch (ReplicationException ex)
                    {
                        // A link or a file the module does not trust is left where it is; the finding says why.
                        findings.Add(Finding(finding.Kind, finding.Target, $"Not removed: {ex.Message}", applied: false));
                        continue;
                    }
                }

                findings.Add(Finding(finding.Kind, finding.Target, finding.Action, applied));
            }
        }

        return findings;
    }

    /// <summary>Marks the backend's storage as this state's if nothing marked it; true when it was unmarked until now. Unreachable or another's: false (the orphan search reports it).</summary>
    private bool ClaimedNow(BackendRecord backend)
    {
        try
        {
            return _context.Drivers.Get(backend.Driver).ClaimStorage(backend);
        }
        catch (ReplicationException)
        {
            return false;
        }
    }

    private static string? Fault(EngineDriver driver, VolumeCopy copy, long sizeBytes)
    {
        try
        {
            driver.CheckCopy(copy, sizeBytes);
            return null;
        }
        catch (ReplicationException ex)
        {
            return ex.Message;
        }
    }

    private bool IsHeld(VolumeRecord volume)
    {
        using var read = _context.Store.Begin(write: false);
        return _leases.IsHeld(read, volume.Id);
    }

    private static RepairFinding Finding(string kind, string target, string action, bool applied = false) =>
        new() { Kind = kind, Target = target, Action = action, Applied = applied };
}
