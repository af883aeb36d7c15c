using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Replication.Drivers;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.Rules;
using Replication.Engine.State;

namespace Replication.Engine.RecoveryPoints;

/// <summary>Lists, chooses, checks, reads and removes a volume's recovery points.</summary>
public sealed class RecoveryPointService
{
    private readonly EngineContext _context;
    private readonly VolumeLeases _leases;

    public RecoveryPointService(EngineContext context, VolumeLeases leases)
    {
        _context = context;
        _leases = leases;
    }

    /// <summary>The volume's points, newest first; with <paramref name="before"/> only those whose data is older, with <paramref name="round"/> only that one.</summary>
    public IReadOnlyList<RecoveryPoint> List(string volumeName, DateTimeOffset? before = null, long? round = null)
    {
        using var session = _context.Store.Begin(write: false);
        var volume = VolumeSnapshot.FindVolume(session, volumeName);
        return RecoveryPointLedger.Describe(session, volume, _context.Now)
            .Where(p => (before is not { } b || p.DataTimestamp < b) && (round is not { } r || p.Round == r))
            .ToList();
    }

    /// <summary>
    /// The point chosen by round, or the latest whose data is older than <paramref name="before"/>; RecoveryPointNotFound
    /// when there is none.
    /// </summary>
    public RecoveryPoint Choose(string volumeName, long? round, DateTimeOffset? before)
    {
        var point = List(volumeName, before, round).FirstOrDefault();
        return point ?? throw new ReplicationException(ErrorIds.RecoveryPointNotFound, ErrorKind.ObjectNotFound,
            round is { } r ? $"Volume '{Names.Printable(volumeName)}' has no recovery point of round {r}. Get-VolumeRecoveryPoint lists its points."
            : $"Volume '{Names.Printable(volumeName)}' has no recovery point with data older than {before:u}. Get-VolumeRecoveryPoint lists its points.", volumeName);
    }

    /// <summary>
    /// The group's point of <paramref name="groupRound"/>, or the latest whose data is older than <paramref name="before"/>:
    /// every member's point of that group round. GroupRecoveryPointIncomplete when some member keeps none of it.
    /// </summary>
    public GroupRecoveryPoint ChooseGroup(string groupName, long? groupRound, DateTimeOffset? before)
    {
        using var session = _context.Store.Begin(write: false);
        return GroupRecoveryPoints.Choose(session, Groups.GroupCatalog.Find(session, groupName).Name, groupRound, before, _context.Now);
    }

    /// <summary>The group point a member's point belongs to (the member's point of round <paramref name="round"/> names its group round).</summary>
    public GroupRecoveryPoint ChooseGroupOf(string memberName, long round)
    {
        var point = Choose(memberName, round, null);
        if (point.GroupName is null || point.GroupRound is null)
        {
            throw new ReplicationException(ErrorIds.GroupRecoveryPointIncomplete, ErrorKind.InvalidOperation,
                $"The recovery point of round {round} of '{point.VolumeName}' was made by a round of the volume alone, not a group round, so its group cannot be taken back to it as one unit; nothing was changed. Choose a point with a GroupRound.", point.VolumeName);
        }

        return ChooseGroup(point.GroupName, point.GroupRound, null);
    }

    /// <summary>
    /// Reads the point whole and compares each block with its hash (the recorded round's, or the undo log's for a block
    /// a newer round overwrote): true blocks compared and the number that differ.
    /// </summary>
    public RecoveryPointCheck Verify(string volumeName, long round, IOperationObserver observer, CancellationToken cancellation)
    {
        using var lease = _leases.Acquire(volumeName, "TestRecoveryPoint", observer, cancellation);
        var snapshot = VolumeSnapshot.Load(_context.Store, volumeName);
        var point = Choose(volumeName, round, null);
        var started = _context.Now;
        BlockMap current;
        using (var read = _context.Store.Begin(write: false))
        {
            current = read.LoadBlockMap(snapshot.Volume.Id) ?? throw NotReadable(snapshot.Volume, round, "its replica has no recorded block map");
        }

        using var device = Open(snapshot, round);
        var expected = device.MapAtPoint(current);
        var actual = new Rounds.BlockReader(device, $"{snapshot.Volume.Name}@{round}", ErrorIds.RecoveryPointUnreadable, (_, _) => { }, cancellation)
            .HashAll(device.Length, current.BlockSize);
        long differing = 0;
        var hash = new byte[BlockMap.HashSize];
        for (long block = 0; block < actual.BlockCount; block++)
        {
            actual.CopyHash(block, hash);
            if (!expected.Matches(block, hash))
            {
                differing++;
            }
        }

        observer.Decision($"'{snapshot.Volume.Name}': recovery point of round {round} read over the replica and {device.BlocksFromLogs} blocks of undo logs; {differing} of {actual.BlockCount} blocks differ from their hashes.");
        return new RecoveryPointCheck
        {
            VolumeName = snapshot.Volume.Name,
            Round = round,
            DataTimestamp = point.DataTimestamp,
            BlocksCompared = actual.BlockCount,
            BlocksDiffering = differing,
            BlocksFromUndoLogs = device.BlocksFromLogs,
            Duration = _context.Now - started,
        };
    }

    /// <summary>
    /// Removes a point. Refused for the newest (the replica itself: the next round needs it to keep the older points) and
    /// for one inside its type's immutability window (RecoveryPointImmutable). Its undo log stays while an older point needs it.
    /// </summary>
    public void Remove(string volumeName, long round)
    {
        using var session = _context.Store.Begin(write: true);
        var volume = VolumeSnapshot.FindVolume(session, volumeName);
        var point = session.ListRecoveryPoints(volume.Id).FirstOrDefault(p => p.Round == round)
            ?? throw new ReplicationException(ErrorIds.RecoveryPointNotFound, ErrorKind.ObjectNotFound,
                $"Volume '{volume.Name}' has no recovery point of round {round}. Get-VolumeRecoveryPoint lists its points.", volume.Name);
        var policy = RecoveryPointLedger.PolicyOf(session, volume);
        if (RecoveryPointLedger.IsImmutable(point, policy, _context.Now))
        {
            throw new ReplicationException(ErrorIds.RecoveryPointImmutable, ErrorKind.PermissionDenied,
                $"The recovery point of round {round} of '{volume.Name}' is inside its type's immutability window ({RecoveryPointPolicy.ImmutableKey}) until {point.RecordedAt + policy.Immutable!.Value:u}: no cmdlet removes it before then.", volume.Name);
        }

        if (point.Round == volume.SyncGeneration)
        {
            throw new ReplicationException(ErrorIds.RecoveryPointInUse, ErrorKind.InvalidOperation,
                $"The recovery point of round {round} is what the replica of '{volume.Name}' holds now: the next round needs it to keep the older points. Remove older points, or set {RecoveryPointPolicy.CountKey} lower.", volume.Name);
        }

        session.DeleteRecoveryPoint(volume.Id, round);
        session.AppendEvent(_context.Event("RemoveRecoveryPoint", "Volume", volume.Name, $"Recovery point of round {round} (data as of {point.DataTimestamp:u}) removed.", volume.Id));
        session.Commit();
    }

    /// <summary>Opens the point of <paramref name="round"/> as a read-only device over the volume's replica and its undo logs.</summary>
    internal PointDevice Open(VolumeSnapshot snapshot, long round) => RecoveryPointFiles.Open(_context, snapshot, round);

    private static ReplicationException NotReadable(VolumeRecord volume, long round, string why) => RecoveryPointFiles.NotReadable(volume, round, why);
}
