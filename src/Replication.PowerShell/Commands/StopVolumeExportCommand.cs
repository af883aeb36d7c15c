using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Stops serving volumes over NBD: their clients are disconnected once their requests in flight are done.</summary>
[Cmdlet(VerbsLifecycle.Stop, "VolumeExport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = NameSet)]
[OutputType(typeof(VolumeExport))]
public sealed class StopVolumeExportCommand : VolumeTargetCommand
{
    /// <summary>Stops without asking for confirmation (-WhatIf still only reports).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes the export that was stopped; by default the cmdlet writes nothing.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in TargetNames())
        {
            if (Approve(Force, name, "Stop the NBD export, disconnecting its clients"))
            {
                ForItem(name, () =>
                {
                    var stopped = Engine.Exports.Stop(name, Observer);
                    if (PassThru)
                    {
                        WriteObject(stopped);
                    }
                });
            }
        }
    }
}
