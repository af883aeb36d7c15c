using System;
using System.Collections.Generic;
using System.Management.Automation;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Copies what changed on the primary since the last round to the replica (holes stay holes).</summary>
[Cmdlet(VerbsData.Sync, "VolumeReplica", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(SyncResult))]
public sealed class SyncVolumeReplicaCommand : VolumeOrGroupTargetCommand, IDisposable
{
    /// <summary>Reads the whole primary even when its size and modification time say nothing changed.</summary>
    [Parameter]
    public SwitchParameter Full { get; set; }

    /// <summary>
    /// For several hosts running the same sync on a schedule: a volume another operation holds is skipped, not waited
    /// for, and so is one whose round another host started after this command began.
    /// </summary>
    [Parameter(ParameterSetName = NameSet)]
    [Parameter(ParameterSetName = IdSet)]
    [Parameter(ParameterSetName = InputObjectSet)]
    public SwitchParameter SkipBusy { get; set; }

    protected override bool ShowsRunProgress => true;

    private DateTimeOffset _runStartedAt;

    // The rounds of this pipeline are recorded together (group commit); made at the first round, so -WhatIf opens no state.
    private SyncBatch? _batch;

    private SyncBatch Batch => _batch ??= Engine.Replication.BeginBatch();

    // The engine's clock in a PowerShell session is the wall clock; reading it here opens no state (so -WhatIf stays clean).
    protected override void BeginProcessing() => _runStartedAt = DateTimeOffset.UtcNow;

    protected override void ProcessRecord()
    {
        foreach (var target in Targets())
        {
            if (target.IsGroup)
            {
                if (ShouldProcess(target.Display, "Sync every replica of the replication group to one common round"))
                {
                    ForItem(target.Name, () =>
                    {
                        WriteResults(_batch?.Flush());
                        WriteObject(Engine.GroupOperations.Sync(target.Name, Full, Observer, Cancellation), enumerateCollection: true);
                    });
                }
            }
            else if (ShouldProcess(target.Name, "Sync replica"))
            {
                ForItem(target.Name, () => WriteResults(SkipBusy
                    ? Engine.Replication.SyncUnlessBusy(target.Name, Full, _runStartedAt, Batch, Observer, Cancellation)
                    : Engine.Replication.Sync(target.Name, Full, Batch, Observer, Cancellation)));
            }
        }
    }

    protected override void EndProcessing()
    {
        ForItem(MyInvocation.MyCommand.Name, () => WriteResults(_batch?.Flush()));
        base.EndProcessing();
    }

    /// <summary>A stopped pipeline gives back the leases of rounds not yet recorded; they keep their previous record.</summary>
    public void Dispose() => _batch?.Dispose();

    /// <summary>Writes the rounds recorded, and an error for each round of the batch that failed as it was finished.</summary>
    private void WriteResults(IReadOnlyList<SyncResult>? results)
    {
        foreach (var result in results ?? Array.Empty<SyncResult>())
        {
            WriteObject(result);
        }

        foreach (var failed in _batch?.TakeFailures() ?? Array.Empty<RoundFailure>())
        {
            WriteError(ErrorRecords.From(failed.Failure, Names, failed.VolumeName));
        }
    }
}
