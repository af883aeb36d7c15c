using System.Management.Automation;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Removes a volume and its replica: both files and the state row. A volume with snapshots needs -Force, which removes them too.</summary>
[Cmdlet(VerbsCommon.Remove, "Volume", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = NameSet)]
[OutputType(typeof(void))]
public sealed class RemoveVolumeCommand : VolumeTargetCommand
{
    /// <summary>Removes without asking for confirmation (-WhatIf still only reports), and removes the volume's snapshots with it.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in TargetNames())
        {
            if (Approve(Force, name, Force ? "Remove volume, its replica and its snapshots, deleting their data" : "Remove volume and its replica, deleting their data"))
            {
                ForItem(name, () => Engine.Volumes.Delete(name, Observer, Cancellation, withSnapshots: Force));
            }
        }
    }
}
