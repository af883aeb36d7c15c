using System;
using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.State;

namespace Replication.Engine.Transfer;

/// <summary>
/// Copies the whole state to another store (SQLite to PostgreSQL, PostgreSQL to a SQLite file, or any other pair): one
/// consistent read of the source, one transaction on the destination, and a read-back that must match every row before
/// that transaction commits. The source is not changed.
/// </summary>
public sealed class StateStoreCopy
{
    private readonly EngineContext _context;

    public StateStoreCopy(EngineContext context) => _context = context;

    public StateCopyResult CopyTo(StateAddress destination, IOperationObserver observer)
    {
        StateContents source;
        using (var read = _context.Store.Begin(write: false))
        {
            source = read.ExportContents();
        }

        var now = _context.Now;
        var running = source.Leases.Where(l => !VolumeLeases.IsLapsed(l, now)).ToList();
        if (running.Count > 0)
        {
            var first = running[0];
            throw new ReplicationException(ErrorIds.StateStoreInUse, ErrorKind.ResourceBusy,
                $"{running.Count} operation(s) are running on '{_context.Store.Location}' ({first.Operation} by {first.Actor} since {first.AcquiredAt:u}); copy when they have finished, or their results would be missing from the copy.", _context.Store.Location);
        }

        // A lapsed lease belongs to a process that died: it claims nothing, and an abandoned creation is recognised without it.
        var copy = new StateContents
        {
            StoreId = source.StoreId,
            Backends = source.Backends,
            VolumeTypes = source.VolumeTypes,
            Volumes = source.Volumes,
            BlockMaps = source.BlockMaps,
            Groups = source.Groups,
            GroupRounds = source.GroupRounds,
            GroupPromotions = source.GroupPromotions,
            DrTests = source.DrTests,
            Events = source.Events,
            RecoveryPoints = source.RecoveryPoints,
            RecoveryRollbacks = source.RecoveryRollbacks,
        };
        var target = StateStores.Open(destination);
        try
        {
            return CopyInto(target, destination, copy, observer);
        }
        finally
        {
            // A PostgreSQL store holds pooled connections; the copy is its only use in this process.
            (target as IDisposable)?.Dispose();
        }
    }

    private StateCopyResult CopyInto(IStateStore target, StateAddress destination, StateContents copy, IOperationObserver observer)
    {
        using (var write = target.Begin(write: true))
        {
            if (!write.ExportContents().IsEmpty)
            {
                throw new ReplicationException(ErrorIds.StateStoreNotEmpty, ErrorKind.ResourceExists,
                    $"'{destination.Display}' already holds state; a copy goes into an empty store only, so nothing there is overwritten or mixed.", destination.Display);
            }

            write.ImportContents(copy);
            var expected = copy.Fingerprint();
            if (write.ExportContents().Fingerprint() != expected)
            {
                throw new ReplicationException(ErrorIds.StateStoreCopyMismatch, ErrorKind.InvalidData,
                    $"The copy in '{destination.Display}' did not read back the same as '{_context.Store.Location}'; nothing was written there.", destination.Display);
            }

            write.Commit();
            observer.Decision($"Copied {copy.Volumes.Count} volume(s), {copy.Events.Count} event(s) and every other row from '{_context.Store.Location}' to '{destination.Display}'; both read back with fingerprint {expected.Substring(0, 16)}.");
            return new StateCopyResult
            {
                Source = _context.Store.Location,
                Destination = destination.Display,
                Backends = copy.Backends.Count,
                VolumeTypes = copy.VolumeTypes.Count,
                Volumes = copy.Volumes.Count,
                BlockMaps = copy.BlockMaps.Count,
                Groups = copy.Groups.Count,
                DrTests = copy.DrTests.Count,
                Events = copy.Events.Count,
                RecoveryPoints = copy.RecoveryPoints.Count,
                Fingerprint = expected,
            };
        }
    }
}
