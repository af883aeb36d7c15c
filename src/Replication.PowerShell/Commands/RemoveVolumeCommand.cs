using System.Management.Automation;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Removes a volume and its replica: both files and the state row.</summary>
[Cmdlet(VerbsCommon.Remove, "Volume", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = NameSet)]
[OutputType(typeof(void))]
public sealed class RemoveVolumeCommand : VolumeTargetCommand
{
    /// <summary>Removes without asking for confirmation (-WhatIf still only reports).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in TargetNames())
        {
            if (Approve(Force, name, "Remove volume and its replica, deleting their data"))
            {
                ForItem(name, () => Engine.Volumes.Delete(name, Observer, Cancellation));
            }
        }
    }
}
