using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>
/// Resumes paused replication, or re-creates the replica after a promotion or a fault. After a promotion it replicates
/// back to the former primary, overwriting its differing blocks: hence high impact.
/// </summary>
[Cmdlet(VerbsLifecycle.Enable, "Replication", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = NameSet)]
[OutputType(typeof(VolumeReplica))]
public sealed class EnableReplicationCommand : VolumeTargetCommand
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Re-enables without asking for confirmation (-WhatIf still only reports).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override bool ShowsRunProgress => true;

    protected override void ProcessRecord()
    {
        foreach (var name in TargetNames())
        {
            if (Approve(Force, name, "Enable replication, overwriting differing blocks of the other copy"))
            {
                ForItem(name, () =>
                {
                    var replica = Engine.Replication.Enable(name, Observer, Cancellation);
                    if (PassThru)
                    {
                        WriteObject(replica);
                    }
                });
            }
        }
    }
}
