using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Placement;
using Replication.Engine.Replication;
using Replication.Engine.Rules;
using Replication.Engine.State;
using Replication.Engine.Volumes;

namespace Replication.Engine.DrTests;

/// <summary>
/// DR tests: a test volume cloned from a volume's replica (Cinder's source_replica), compared block by block with what
/// the sync round recorded, checked by the admin's own validation, then removed; replication goes on meanwhile (the
/// volume is held only while its replica is cloned). Every test is recorded, and a test whose process died is cleaned
/// up by the next one.
/// </summary>
public sealed class DrTestService
{
    private const int TestVolumeNameSuffixLength = 16;

    private readonly EngineContext _context;
    private readonly VolumeService _volumes;
    private readonly VolumeLeases _leases;

    internal DrTestService(EngineContext context, VolumeService volumes, VolumeLeases leases)
    {
        _context = context;
        _volumes = volumes;
        _leases = leases;
    }

    public DrTestResult Run(string volumeName, DrTestOptions options, IOperationObserver observer, CancellationToken cancellation)
    {
        CleanUpInterrupted(observer);
        return RunOne(volumeName, options, observer, cancellation, verifiedNote: null);
    }

    /// <summary>One test, once <see cref="CleanUpInterrupted"/> has run for the tests it belongs with.</summary>
    /// <param name="verifiedNote">Added to what the test says it verified (the group round, for a group test).</param>
    private DrTestResult RunOne(string volumeName, DrTestOptions options, IOperationObserver observer, CancellationToken cancellation, string? verifiedNote)
    {
        var startedAt = _context.Now;
        VolumeRecord volume;
        VolumeTypeSpecs specs;
        using (var read = _context.Store.Begin(write: false))
        {
            volume = VolumeSnapshot.FindVolume(read, volumeName);
            specs = new VolumeTypeSpecs(Catalog.VolumeTypeCatalog.Find(read, volume.VolumeType).ExtraSpecs);
        }

        var result = new DrTestResult
        {
            VolumeName = volume.Name,
            VolumeType = volume.VolumeType,
            ReplicaBackend = volume.ReplicaBackend,
            RpoTargetSeconds = specs.RpoTarget?.TotalSeconds,
            StartedAt = startedAt,
            Actor = _context.Actor,
            OutcomeValue = DrTestOutcome.Running,
        };
        if (NotTestable(volume) is { } why)
        {
            observer.Decision($"'{volume.Name}' is not testable: {why}");
            return Record(result with { OutcomeValue = DrTestOutcome.NotTestable, Reason = why, DurationSeconds = 0 });
        }

        var testName = TestVolumeName(volume.Name);
        result = Record(result with { TestVolumeName = testName });
        try
        {
            return Record(Test(result, options, verifiedNote, observer, cancellation));
        }
        catch (ReplicationException ex)
        {
            RemoveTestVolume(testName, observer);
            return Record(result with { OutcomeValue = DrTestOutcome.Failed, Reason = $"{ex.ErrorId}: {ex.Message}", DurationSeconds = Seconds(startedAt) });
        }
        catch (OperationCanceledException)
        {
            RemoveTestVolume(testName, observer);
            Record(result with { OutcomeValue = DrTestOutcome.Interrupted, Reason = "Cancelled by the user; the test volume was removed.", DurationSeconds = Seconds(startedAt) });
            throw;
        }
    }

    /// <summary>
    /// Tests every member of a replication group. The group's lease is held throughout, so no group round moves the
    /// replicas between the members' clones: every member is tested at the same round.
    /// </summary>
    public IReadOnlyList<DrTestResult> RunGroup(string groupName, DrTestOptions options, IOperationObserver observer, CancellationToken cancellation)
    {
        string group;
        long? round;
        IReadOnlyList<VolumeRecord> members;
        using (var read = _context.Store.Begin(write: false))
        {
            group = Groups.GroupCatalog.Find(read, groupName).Name;
        }

        using var lease = _leases.AcquireGroup(group, "TestReplicationGroup", observer, cancellation);
        // A round a dead process committed but did not apply is finished first, so the members share that round again.
        _volumes.FinishInterruptedRounds(group, observer, cancellation);
        using (var read = _context.Store.Begin(write: false))
        {
            round = read.LastCommittedGroupRound(group)?.Round;
            members = read.ListVolumes(new VolumeQuery { GroupName = group });
        }

        if (options.GroupRound is { } pointRound)
        {
            return RunGroupAtPoint(group, members, pointRound, options, observer, cancellation);
        }

        var offRound = members.Where(m => round is null || m.GroupRound != round).Select(m => m.Name).ToList();
        if (offRound.Count > 0)
        {
            var why = round is null
                ? $"group '{group}' has had no group round yet, so its replicas share no point in time; Sync-VolumeReplica -Group '{group}' makes one."
                : $"members {string.Join(", ", offRound)} of group '{group}' do not hold its round {round}.";
            return members.Select(m => Record(new DrTestResult
            {
                VolumeName = m.Name,
                VolumeType = m.VolumeType,
                ReplicaBackend = m.ReplicaBackend,
                OutcomeValue = DrTestOutcome.NotTestable,
                Reason = why,
                StartedAt = _context.Now,
                DurationSeconds = 0,
                Actor = _context.Actor,
            })).ToList();
        }

        CleanUpInterrupted(observer);
        return members.Select(m => RunOne(m.Name, options, observer, cancellation, $"group '{group}' round {round}")).ToList();
    }

    /// <summary>Tests every member at its point of group round <paramref name="groupRound"/>; GroupRecoveryPointIncomplete, testing none, when a member keeps no point of it.</summary>
    private IReadOnlyList<DrTestResult> RunGroupAtPoint(string group, IReadOnlyList<VolumeRecord> members, long groupRound, DrTestOptions options, IOperationObserver observer, CancellationToken cancellation)
    {
        GroupRecoveryPoint point;
        using (var read = _context.Store.Begin(write: false))
        {
            point = RecoveryPoints.GroupRecoveryPoints.Choose(read, group, groupRound, null, _context.Now);
        }

        CleanUpInterrupted(observer);
        return members.Select(m => RunOne(m.Name, new DrTestOptions
        {
            RecoveryPoint = point.Members.Single(p => p.VolumeId == m.Id).Round,
            KeepTestVolume = options.KeepTestVolume,
            Validation = options.Validation,
        }, observer, cancellation, $"group '{group}' at its point of group round {groupRound}")).ToList();
    }

    public IReadOnlyList<DrTestResult> History(DrTestQuery query)
    {
        using var read = _context.Store.Begin(write: false);
        return read.ListDrTests(query);
    }

    private DrTestResult Test(DrTestResult result, DrTestOptions options, string? verifiedNote, IOperationObserver observer, CancellationToken cancellation)
    {
        var testName = result.TestVolumeName!;
        var point = options.RecoveryPoint is { } pointRound ? new RecoveryPoints.RecoveryPointService(_context, _leases).Choose(result.VolumeName, pointRound, null) : null;
        using var clone = _volumes.CloneReplica(testName, result.VolumeName, observer, cancellation, recoveryPoint: point?.Round);
        var ready = _context.Now;
        var dataTimestamp = point?.DataTimestamp ?? clone.Source.LastSyncStartedAt ?? clone.Source.CreatedAt;
        result = result with
        {
            SyncGeneration = point?.Round ?? clone.Source.SyncGeneration,
            DataTimestamp = dataTimestamp,
            DataAgeSeconds = (result.StartedAt - dataTimestamp).TotalSeconds,
            TimeToReadySeconds = (ready - result.StartedAt).TotalSeconds,
            // A point is tested for being recoverable; how recent the replica is, is the test of the replica as it is.
            RpoTargetSeconds = point is null ? result.RpoTargetSeconds : null,
        };
        var round = result.SyncGeneration;
        observer.Decision($"DR test of '{result.VolumeName}': test volume '{testName}' ready after {Humane.Duration(ready - result.StartedAt)}, holding {(point is null ? "round" : "recovery point")} {round} (data as of {dataTimestamp:u}).");

        var problems = new List<string>();
        var verified = new List<string>();
        var connection = _volumes.Connection(testName);
        var verdict = clone.Verdict;
        verified.Add($"{verdict.BlocksCompared} blocks compared with the hashes recorded at round {round}" +
            (verdict.BlocksUnjudged > 0 && verdict.BlocksCompared > 0 ? $" ({verdict.BlocksUnjudged} not judged: {verdict.NotJudgedBecause})" : ""));
        if (verdict.BlocksCompared == 0)
        {
            problems.Add(verdict.Describe());
        }
        else if (verdict.Damaged)
        {
            problems.Add($"{verdict.Describe()} Sync-VolumeReplica -Full repairs it from the primary.");
        }

        if (point is null ? clone.Source.LastSyncRaced : !point.CrashConsistent)
        {
            verified.Add($"round {round} is not a crash-consistent point: the primary was written during it");
        }

        if (options.Validation is { } validation)
        {
            var outcome = validation(connection);
            verified.Add(outcome.Passed ? $"custom validation passed{Note(outcome.Message)}" : "custom validation ran");
            if (!outcome.Passed)
            {
                problems.Add($"The custom validation failed{Detail(outcome.Message)}");
            }
        }

        if (verifiedNote is not null)
        {
            verified.Add(verifiedNote);
        }

        if (result.RpoMet == false)
        {
            problems.Add($"The replica's data was {Humane.Duration(TimeSpan.FromSeconds(result.DataAgeSeconds!.Value))} old, beyond the RPO target of {Humane.Duration(TimeSpan.FromSeconds(result.RpoTargetSeconds!.Value))}.");
        }

        if (!options.KeepTestVolume)
        {
            _volumes.Erase(VolumeSnapshot.Load(_context.Store, testName), "DeleteVolume", "DR test volume removed after the test.", observer);
        }

        return result with
        {
            OutcomeValue = problems.Count == 0 ? DrTestOutcome.Passed : DrTestOutcome.Failed,
            Reason = string.Join(" ", problems),
            Verified = string.Join("; ", verified) + ".",
            BlocksCompared = verdict.BlocksCompared,
            BlocksMismatched = verdict.BlocksDiffering,
            TestVolumeKept = options.KeepTestVolume,
            DurationSeconds = Seconds(result.StartedAt),
        };
    }

    /// <summary>Why a replica cannot be tested now, or null when it can.</summary>
    private static string? NotTestable(VolumeRecord volume) => volume switch
    {
        { Status: not VolumeStatus.Available } => $"the volume is {volume.Status.ToString().ToLowerInvariant()}.",
        { SourceReplica: not null } => "it is itself a test volume, which is never replicated.",
        { ReplicationStatus: ReplicationStatus.Active or ReplicationStatus.ActiveStopped } => null,
        _ => $"replication is {volume.ReplicationStatus.ToCinder()}; only an active or active-stopped replica holds a consistent round to test.",
    };

    /// <summary>Marks tests whose process died as interrupted, removing the test volumes they left.</summary>
    private void CleanUpInterrupted(IOperationObserver observer)
    {
        foreach (var stale in History(new DrTestQuery { Outcome = DrTestOutcome.Running }))
        {
            if (stale.TestVolumeName is { } testName && !RemoveTestVolume(testName, observer))
            {
                continue; // A live test still holds it.
            }

            observer.Decision($"DR test {stale.TestId} of '{stale.VolumeName}' was interrupted (its process stopped); its test volume was removed.");
            Record(stale with { OutcomeValue = DrTestOutcome.Interrupted, Reason = "The test's process stopped before it finished; a later run removed its test volume." });
        }
    }

    /// <summary>Removes a test volume unless a live operation holds it; true when it is gone.</summary>
    private bool RemoveTestVolume(string testName, IOperationObserver observer)
    {
        VolumeRecord? testVolume;
        using (var read = _context.Store.Begin(write: false))
        {
            testVolume = read.FindVolume(testName);
        }

        if (testVolume is null)
        {
            return true;
        }

        using var lease = _leases.TryAcquire(testName, "RemoveDrTestVolume", observer);
        if (lease is null)
        {
            return false;
        }

        _volumes.Erase(VolumeSnapshot.Load(_context.Store, testName), "DeleteVolume", "DR test volume removed after an interrupted or failed test.", observer);
        return true;
    }

    private DrTestResult Record(DrTestResult result)
    {
        using var session = _context.Store.Begin(write: true);
        var recorded = result;
        if (result.TestId == 0)
        {
            recorded = result with { TestId = session.InsertDrTest(result) };
        }
        else
        {
            session.UpdateDrTest(result);
        }

        var message = recorded.OutcomeValue switch
        {
            DrTestOutcome.Running => $"DR test {recorded.TestId} started: cloning the replica into '{recorded.TestVolumeName}'.",
            DrTestOutcome.Passed => $"DR test {recorded.TestId} passed: {recorded.Verified}",
            _ => $"DR test {recorded.TestId} {recorded.Outcome.ToLowerInvariant()}: {recorded.Reason}",
        };
        session.AppendEvent(_context.Event("DrTest" + recorded.Outcome, "Volume", recorded.VolumeName, message + MarkReplica(session, recorded)));
        session.Commit();
        return recorded;
    }

    /// <summary>
    /// Keeps a finished test's verdict on the tested volume, in the transaction that records the test: a failed test marks
    /// its replica (health Critical, with the reason) until a newer test passes or a comparing round repairs it. Only the
    /// mark is written, so rounds that ran since are kept. Returns what the event adds.
    /// </summary>
    private string MarkReplica(IStateSession session, DrTestResult test)
    {
        if (test.OutcomeValue is not (DrTestOutcome.Passed or DrTestOutcome.Failed) || session.FindVolume(test.VolumeName) is not { } current)
        {
            return "";
        }

        var updated = test.Passed
            ? current.WithVerificationCleared()
            : ReplicaCheck.WithFailure(current, $"DR test {test.TestId} failed at {test.StartedAt:u}: {test.Reason}", test.BlocksMismatched, _context.Now);
        if (updated == current)
        {
            return "";
        }

        ReplicationStateMachine.Update(session, current, updated);
        return ReplicaCheck.MarkChange(current, updated);
    }

    /// <summary>A name of the volume's own name plus a unique suffix, within the 64 characters a name may have.</summary>
    private static string TestVolumeName(string volumeName)
    {
        var suffix = "-drtest-" + Guid.NewGuid().ToString("N").Substring(0, TestVolumeNameSuffixLength - "-drtest-".Length);
        return volumeName.Substring(0, Math.Min(volumeName.Length, Rules.Names.MaxLength - suffix.Length)) + suffix;
    }

    private double Seconds(DateTimeOffset since) => (_context.Now - since).TotalSeconds;

    /// <summary>A validation's message ending a sentence: ": it said so." (one period, whether or not it wrote one).</summary>
    private static string Detail(string message) => Note(message) + ".";

    /// <summary>A validation's message inside a list of what was verified, which ends with one period of its own.</summary>
    private static string Note(string message) => string.IsNullOrWhiteSpace(message) ? "" : $": {message.Trim().TrimEnd('.')}";
}
