using System;
using System.Collections.Generic;
using System.Linq;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Placement;
using Replication.Engine.State;

namespace Replication.Engine.RecoveryPoints;

/// <summary>
/// The recovery points a volume keeps, as state records them: a round becomes a point in the transaction that records
/// it, the point before it then holds the undo log the round captured, and retention prunes the oldest. A round that
/// captured no undo log (it wrote the replica directly, or the storage moved it) breaks the chain: the older points go.
/// </summary>
internal static class RecoveryPointLedger
{
    /// <summary>The volume's current round, when it is a point whose undo log the next round must capture; null otherwise.</summary>
    public static long? UndoRoundFor(IStateSession session, VolumeRecord volume) =>
        session.ListRecoveryPoints(volume.Id).Any(p => p.Round == volume.SyncGeneration) ? volume.SyncGeneration : null;

    /// <summary>The retention policy of the volume's type (none when the type has gone or its specs no longer parse).</summary>
    public static RecoveryPointPolicy PolicyOf(IStateSession session, VolumeRecord volume)
    {
        try
        {
            return session.FindVolumeType(volume.VolumeType) is { } type ? new VolumeTypeSpecs(type.ExtraSpecs).RecoveryPoints : RecoveryPointPolicy.None;
        }
        catch (ReplicationException)
        {
            return RecoveryPointPolicy.None;
        }
    }

    /// <summary>Records, in the round's transaction, what the round from <paramref name="before"/> to <paramref name="after"/> means for the volume's points.</summary>
    public static void RecordRound(IStateSession session, VolumeRecord before, VolumeRecord after, ReplicaSyncOutcome outcome, long? groupRound, DateTimeOffset now)
    {
        var points = session.ListRecoveryPoints(before.Id);
        var policy = PolicyOf(session, after);
        if (after.SyncGeneration != before.SyncGeneration)
        {
            var previous = points.FirstOrDefault(p => p.Round == before.SyncGeneration);
            if (outcome.UndoBytes is { } bytes && previous is not null)
            {
                session.PutRecoveryPoint(previous with { BytesHeld = bytes });
            }
            else
            {
                DropAll(session, before.Id);
            }

            if (policy.KeepsPoints && after.ReplicationStatus is ReplicationStatus.Active or ReplicationStatus.ActiveStopped)
            {
                session.PutRecoveryPoint(new RecoveryPointRecord
                {
                    VolumeId = after.Id,
                    Round = after.SyncGeneration,
                    DataTimestamp = outcome.StartedAt,
                    RecordedAt = now,
                    Raced = outcome.PrimaryChangedDuringRound,
                    GroupName = groupRound is null ? null : after.GroupName,
                    GroupRound = groupRound,
                });
            }
        }

        Prune(session, session.ListRecoveryPoints(before.Id), policy, now);
    }

    /// <summary>Forgets every point of the volume (its replica stops being the copy they were of: a promotion).</summary>
    public static void DropAll(IStateSession session, Guid volumeId)
    {
        foreach (var point in session.ListRecoveryPoints(volumeId))
        {
            session.DeleteRecoveryPoint(volumeId, point.Round);
        }
    }

    /// <summary>
    /// Removes the oldest points while the volume keeps more than the policy's count, older than its window, or more undo
    /// bytes than its cap; never the newest (the replica itself), and never one inside the immutability window (nor an
    /// older one past it: points go oldest first). Returns the rounds removed.
    /// </summary>
    public static IReadOnlyList<long> Prune(IStateSession session, IReadOnlyList<RecoveryPointRecord> points, RecoveryPointPolicy policy, DateTimeOffset now)
    {
        var removed = Pruned(points, policy, now, keepImmutable: true);
        foreach (var round in removed)
        {
            session.DeleteRecoveryPoint(points[0].VolumeId, round);
        }

        return removed;
    }

    /// <summary>
    /// Refuses (RecoveryPointImmutable) a policy change after which a volume's next round would prune a point still inside
    /// the immutability window it was kept under: a stolen credential cannot shorten the history by editing the type.
    /// </summary>
    public static void RequireImmutableKept(IStateSession session, IEnumerable<VolumeRecord> volumes, RecoveryPointPolicy before, RecoveryPointPolicy after, DateTimeOffset now, string typeName)
    {
        foreach (var volume in volumes)
        {
            var points = session.ListRecoveryPoints(volume.Id);
            var lost = Pruned(points, after, now, keepImmutable: false).Select(round => points.First(p => p.Round == round)).FirstOrDefault(p => IsImmutable(p, before, now));
            if (lost is not null)
            {
                throw new ReplicationException(ErrorIds.RecoveryPointImmutable, ErrorKind.PermissionDenied,
                    $"The change of volume type '{typeName}' would prune the recovery point of round {lost.Round} of '{volume.Name}', which is inside its immutability window ({RecoveryPointPolicy.ImmutableKey}) until {lost.RecordedAt + before.Immutable!.Value:u}: no cmdlet shortens the history before then.", typeName);
            }
        }
    }

    /// <summary>The rounds <see cref="Prune"/> removes under <paramref name="policy"/>; with <paramref name="keepImmutable"/>, pruning stops at a point inside the policy's immutability window.</summary>
    private static IReadOnlyList<long> Pruned(IReadOnlyList<RecoveryPointRecord> points, RecoveryPointPolicy policy, DateTimeOffset now, bool keepImmutable)
    {
        var removed = new List<long>();
        var kept = points.OrderBy(p => p.Round).ToList();
        while (kept.Count > 0)
        {
            var oldest = kept[0];
            var over = !policy.KeepsPoints || kept.Count > policy.Count ||
                (policy.Window is { } window && oldest.DataTimestamp < now - window) ||
                (policy.SpaceBytes is { } cap && kept.Sum(p => p.BytesHeld) > cap);
            var newest = kept.Count == 1 && policy.KeepsPoints;
            if (!over || newest || (keepImmutable && IsImmutable(oldest, policy, now)))
            {
                break;
            }

            removed.Add(oldest.Round);
            kept.RemoveAt(0);
        }

        return removed;
    }

    /// <summary>True while the point is inside its type's immutability window.</summary>
    public static bool IsImmutable(RecoveryPointRecord point, RecoveryPointPolicy policy, DateTimeOffset now) =>
        policy.Immutable is { } immutable && point.RecordedAt > now - immutable;

    /// <summary>Every point of the volume, newest first, turned into what cmdlets show.</summary>
    public static IReadOnlyList<RecoveryPoint> Describe(IStateSession session, VolumeRecord volume, DateTimeOffset now)
    {
        var policy = PolicyOf(session, volume);
        return session.ListRecoveryPoints(volume.Id).OrderByDescending(p => p.Round).Select(p => new RecoveryPoint
        {
            VolumeName = volume.Name,
            VolumeId = volume.Id,
            Round = p.Round,
            DataTimestamp = p.DataTimestamp,
            RecordedAt = p.RecordedAt,
            DataAge = now - p.DataTimestamp,
            BytesHeld = p.BytesHeld,
            CrashConsistent = !p.Raced,
            GroupName = p.GroupName,
            GroupRound = p.GroupRound,
            Newest = p.Round == volume.SyncGeneration,
            ImmutableUntil = policy.Immutable is { } immutable && p.RecordedAt + immutable > now ? p.RecordedAt + immutable : null,
        }).ToList();
    }
}
