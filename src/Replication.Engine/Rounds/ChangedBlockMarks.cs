using System;
using System.Collections.Generic;
using Replication.Drivers;
using Replication.Engine.Drivers;
using Replication.Engine.Replication;

namespace Replication.Engine.Rounds;

/// <summary>
/// The engine's use of a driver's changed-block tracking (<see cref="IChangedBlockTracking"/>) on the primary. A round
/// that reads takes a new mark before it reads, then asks what changed since the mark of the last recorded round; the
/// new mark is recorded with the round (in <see cref="RoundStamp"/>), so a round that fails or dies before it is recorded
/// leaves the old mark, and the next round asks for everything since that one again. Every answer the driver cannot give
/// (no tracking, a mark it does not know, tracking lost, a fault) is a full read: tracking only ever saves reading.
/// </summary>
internal static class ChangedBlockMarks
{
    /// <summary>A new mark on the primary, taken before the round reads it; null when the driver tracks nothing (or failed to).</summary>
    public static string? Take(EngineDriver driver, VolumeCopy primary)
    {
        if (driver.Contract is not IChangedBlockTracking tracking)
        {
            return null;
        }

        try
        {
            return tracking.MarkChanges(EngineDriver.Config(primary.Backend), primary.Location);
        }
        catch (StorageDriverException)
        {
            // Tracking is an optimisation: a driver that cannot mark now costs this round and the next a full read.
            return null;
        }
    }

    /// <summary>
    /// The blocks of the map's size written on the primary since the last recorded round's mark; null when that is not
    /// known (no mark, a mark of another copy, or the driver cannot tell), and then the round reads everything.
    /// </summary>
    public static DirtyBlockSet? Since(EngineDriver driver, VolumeCopy primary, RoundStamp? previous, BlockMap map)
    {
        if (driver.Contract is not IChangedBlockTracking tracking || previous?.ChangeMark is not { } mark || previous.MarkedCopy != primary.ToString())
        {
            return null;
        }

        IReadOnlyList<Extent>? changed;
        try
        {
            changed = tracking.ChangedSince(EngineDriver.Config(primary.Backend), primary.Location, mark);
        }
        catch (StorageDriverException)
        {
            return null;
        }

        return changed is null ? null : Blocks(changed, map);
    }

    /// <summary>The ranges widened to whole blocks of the map; a range outside the volume is cut off (it holds nothing of it).</summary>
    internal static DirtyBlockSet Blocks(IReadOnlyList<Extent> ranges, BlockMap map)
    {
        var bits = new byte[(map.BlockCount + 7) / 8];
        foreach (var range in ranges)
        {
            var end = Math.Min(range.End, map.VolumeSize);
            if (range.Length <= 0 || range.Offset < 0 || range.Offset >= end)
            {
                continue;
            }

            for (var block = range.Offset / map.BlockSize; block <= (end - 1) / map.BlockSize; block++)
            {
                bits[block >> 3] |= (byte)(1 << (int)(block & 7));
            }
        }

        return new DirtyBlockSet(map.BlockCount, bits);
    }
}
