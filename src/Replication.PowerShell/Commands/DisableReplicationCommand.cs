using System.Management.Automation;
using Replication.Engine.Model;
using Replication.Engine.State;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>
/// Pauses replication (active-stopped); the replica keeps its last round and can still be promoted or cloned. The volume
/// is unprotected from then on, so it asks first (-Force does not). Quiet, as Disable- cmdlets are; -PassThru writes
/// each paused replica.
/// </summary>
[Cmdlet(VerbsLifecycle.Disable, "Replication", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = NameSet)]
[OutputType(typeof(VolumeReplica))]
public sealed class DisableReplicationCommand : VolumeOrGroupTargetCommand
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Pauses without asking for confirmation (-WhatIf still only reports).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var target in Targets())
        {
            if (target.IsGroup)
            {
                if (Approve(Force, target.Display, "Pause replication of every member of the replication group; their replicas stop receiving changes"))
                {
                    ForItem(target.Name, () =>
                    {
                        Engine.GroupOperations.Disable(target.Name, Observer, Cancellation);
                        if (PassThru)
                        {
                            WriteObject(Engine.Replication.List(new VolumeQuery { GroupName = target.Name }), enumerateCollection: true);
                        }
                    });
                }
            }
            else if (Approve(Force, target.Name, "Pause replication; the replica stops receiving changes"))
            {
                ForItem(target.Name, () =>
                {
                    var replica = Engine.Replication.Disable(target.Name, Observer, Cancellation);
                    if (PassThru)
                    {
                        WriteObject(replica);
                    }
                });
            }
        }
    }
}
