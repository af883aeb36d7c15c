using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Replication.Drivers;

namespace Replication.Engine.RecoveryPoints;

/// <summary>
/// The recovery point store of one copy, over its backend's sidecars: undo logs written before a change overwrites
/// blocks (<see cref="Capture"/>), a point read as a device over the copy and its logs (<see cref="Open"/>), and logs no
/// point needs removed (<see cref="Sweep"/>). It knows nothing of rounds or state: a point is a round number, and a
/// change is whatever is about to overwrite blocks of the copy (a sync round; a snapshot's write could be another).
/// </summary>
internal static class PointStore
{
    /// <summary>
    /// Makes the undo log of point <paramref name="round"/> before <paramref name="change"/> overwrites
    /// <paramref name="blocks"/> of <paramref name="copy"/>, and returns its bytes. A log already committed for the same
    /// change is kept (the change may be part-applied since: capturing again would capture new bytes); one of another
    /// change (one that never happened) is replaced.
    /// </summary>
    public static long Capture(ISidecarStore store, Guid volumeId, long round, UndoIdentity change, int blockSize, long volumeSize,
        IEnumerable<(long Block, int Length)> blocks, IBlockDevice copy)
    {
        if (UndoLog.CommittedIdentity(store, volumeId, round) == change)
        {
            using var committed = UndoLog.Open(store, volumeId, round);
            return committed?.Length ?? throw new InvalidDataException("its commit record is gone");
        }

        return UndoLog.Write(store, volumeId, round, change, blockSize, volumeSize, blocks, copy);
    }

    /// <summary>
    /// Point <paramref name="round"/> of a copy whose newest round is <paramref name="newest"/>: <paramref name="current"/>
    /// (taken over, disposed with the device) with the undo logs of rounds <paramref name="round"/> to newest - 1.
    /// </summary>
    /// <exception cref="InvalidDataException">A log the point needs is missing or damaged.</exception>
    public static PointDevice Open(ISidecarStore store, Guid volumeId, long round, long newest, IBlockDevice current, int blockSize)
    {
        var logs = new List<UndoLog>();
        try
        {
            for (var r = round; r < newest; r++)
            {
                UndoLog log;
                try
                {
                    log = UndoLog.Open(store, volumeId, r) ?? throw new InvalidDataException("it is missing");
                }
                catch (InvalidDataException ex)
                {
                    throw new InvalidDataException($"The undo log of round {r} cannot be used: {ex.Message}.", ex);
                }

                logs.Add(log);
                if (log.Identity.Round != r + 1)
                {
                    throw new InvalidDataException($"The undo log of round {r} undoes round {log.Identity.Round}, not round {r + 1}.");
                }
            }

            return new PointDevice(current, logs, blockSize);
        }
        catch
        {
            foreach (var log in logs)
            {
                log.Dispose();
            }

            current.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Removes the volume's undo logs of rounds before <paramref name="oldestPoint"/> (every one when it keeps no point):
    /// no point needs them. Returns the rounds removed.
    /// </summary>
    public static IReadOnlyList<long> Sweep(ISidecarStore store, Guid volumeId, long? oldestPoint)
    {
        var removed = store.List(UndoLog.Prefix(volumeId))
            .Select(name => UndoLog.RoundOf(volumeId, name))
            .OfType<long>()
            .Distinct()
            .Where(round => oldestPoint is not { } oldest || round < oldest)
            .OrderBy(round => round)
            .ToList();
        foreach (var round in removed)
        {
            UndoLog.Delete(store, volumeId, round);
            Diagnostics.CrashPoints.Hit("points.after-sweep-one");
        }

        return removed;
    }

    /// <summary>Removes the volume's undo logs of <paramref name="round"/> and newer: after a rollback to that round, the changes they undo no longer exist.</summary>
    public static void DeleteFrom(ISidecarStore store, Guid volumeId, long round)
    {
        foreach (var old in store.List(UndoLog.Prefix(volumeId)).Select(name => UndoLog.RoundOf(volumeId, name)).OfType<long>().Distinct().Where(r => r >= round))
        {
            UndoLog.Delete(store, volumeId, old);
        }
    }
}
