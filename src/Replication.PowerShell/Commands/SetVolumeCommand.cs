using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>
/// Changes a volume's type in place: to a replicated type its replica is made and copied; to a plain type its replica is
/// removed, which is why it asks first (-Force does not). With -Migrate, a type the volume's backend does not meet
/// moves the volume to a backend that does (as Move-Volume).
/// </summary>
[Cmdlet(VerbsCommon.Set, "Volume", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = NameSet)]
[OutputType(typeof(Volume))]
public sealed class SetVolumeCommand : VolumeTargetCommand
{
    /// <summary>The new volume type. Never taken from the pipeline, where a volume carries its current type.</summary>
    [Parameter(Mandatory = true)]
    [ArgumentCompleter(typeof(VolumeTypeNameCompleter))]
    public string VolumeType { get; set; } = "";

    /// <summary>When the volume's backend does not meet the new type's specs, move the volume (and its replica) to a backend that does.</summary>
    [Parameter]
    public SwitchParameter Migrate { get; set; }

    /// <summary>Changes the type without asking for confirmation (-WhatIf still only reports).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Write the changed volume.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override bool ShowsRunProgress => true;

    protected override void ProcessRecord()
    {
        foreach (var name in TargetNames())
        {
            if (Approve(Force, name, $"Change volume type to '{VolumeType}' (a replica is added or removed when replication changes" + (Migrate ? "; moved to a backend that meets the type when its own does not)" : ")")))
            {
                ForItem(name, () =>
                {
                    var volume = Engine.Volumes.Retype(name, VolumeType, Observer, Cancellation, Migrate);
                    if (PassThru)
                    {
                        WriteObject(volume);
                    }
                });
            }
        }
    }
}
