using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>
/// Fails a backend back once its site is up again: each volume it lost is resynced to it (only the changed blocks),
/// switched back with a planned promotion, and replicated the original way; volumes made meanwhile get their replica on it.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "BackendFailback", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(BackendFailoverResult))]
public sealed class InvokeBackendFailbackCommand : ReplicationCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Backend")]
    [ArgumentCompleter(typeof(BackendNameCompleter))]
    public string Name { get; set; } = "";

    /// <summary>How many volumes are failed back at once.</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 4;

    /// <summary>Overwrite the fenced copies on the returning backend even if they may hold writes made after the failover.</summary>
    [Parameter]
    public SwitchParameter DiscardFencedWrites { get; set; }

    /// <summary>Fails back without asking for confirmation (-WhatIf still only reports).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        if (!Approve(Force, Name, $"Fail back: resync every volume that failed over from '{Name}' onto it, switch each back, and replicate it the original way"))
        {
            return;
        }

        ForItem(Name, () => RunParallelWork<BackendFailoverResult>(
            (engine, observer, emit) => engine.Failover.FailBack(Name, DiscardFencedWrites, ThrottleLimit, observer, emit, Cancellation),
            result =>
            {
                StartItem(result.VolumeName, null);
                WriteObject(result);
            }));
    }
}
