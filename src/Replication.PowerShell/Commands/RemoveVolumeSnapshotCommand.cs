using System;
using System.Management.Automation;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Removes volume snapshots: the record first, then the driver's copy.</summary>
[Cmdlet(VerbsCommon.Remove, "VolumeSnapshot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveVolumeSnapshotCommand : ReplicationCmdlet
{
    /// <summary>Snapshot names (Get-VolumeSnapshot objects bind by their Name).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SnapshotNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Removes without asking for confirmation (-WhatIf still only reports).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (Approve(Force, name, "Remove the volume snapshot, deleting its data"))
            {
                ForItem(name, () => Engine.Snapshots.Remove(name, Observer, Cancellation));
            }
        }
    }
}
