using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>
/// Fails over a whole backend: every replicated volume served from it is promoted on its partner, several at a time, and
/// the backend is marked failed over (no new volumes, nothing written to it) until Invoke-BackendFailback.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "BackendFailover", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(BackendFailoverResult))]
public sealed class InvokeBackendFailoverCommand : ReplicationCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Backend")]
    [ArgumentCompleter(typeof(BackendNameCompleter))]
    public string Name { get; set; } = "";

    /// <summary>A final sync of every volume first, so nothing is lost; refused per volume if its primary cannot be read.</summary>
    [Parameter]
    public SwitchParameter Planned { get; set; }

    /// <summary>How many volumes are failed over at once.</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 4;

    /// <summary>Fails over without asking for confirmation (-WhatIf still only reports).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>An unplanned failover serves replicas its check finds damaged, as they are, instead of leaving them on the failed backend; each result reports its damage.</summary>
    [Parameter]
    public SwitchParameter AllowDamagedReplica { get; set; }

    protected override void ProcessRecord()
    {
        var action = Planned
            ? "Fail over every replicated volume to the partner backend, each after a final sync"
            : "Fail over every replicated volume to the partner backend now; writes since each volume's last sync are lost";
        if (!Approve(Force, Name, action))
        {
            return;
        }

        ForItem(Name, () => RunParallelWork<BackendFailoverResult>(
            (engine, observer, emit) => engine.Failover.FailOver(Name, Planned, ThrottleLimit, observer, emit, Cancellation, AllowDamagedReplica),
            result =>
            {
                StartItem(result.VolumeName, null);
                WriteObject(result);
            }));
    }
}
