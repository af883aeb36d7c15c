using System;
using System.Collections;
using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Changes a volume type's extra specs or description; refused where its volumes would no longer meet them.</summary>
[Cmdlet(VerbsCommon.Set, "VolumeType", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VolumeType))]
public sealed class SetVolumeTypeCommand : ReplicationCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VolumeTypeNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Extra specs to add or replace, for example @{ 'replication:rpo_minutes' = '15' }.</summary>
    [Parameter]
    public Hashtable? ExtraSpec { get; set; }

    /// <summary>Keys of extra specs to remove.</summary>
    [Parameter]
    public string[] RemoveExtraSpec { get; set; } = Array.Empty<string>();

    [Parameter]
    public string? Description { get; set; }

    /// <summary>Make a change whose capability specs some volumes' backends do not meet; those volumes are reported.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Write the changed type.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (!ShouldProcess(name, "Change volume type"))
            {
                continue;
            }

            ForItem(name, () =>
            {
                var change = Engine.VolumeTypes.Change(name, Hashtables.ToText(ExtraSpec), RemoveExtraSpec, Description, Force);
                foreach (var volume in change.VolumesNotMeetingSpecs)
                {
                    WriteWarning($"Volume type '{change.VolumeType.Name}' was changed with -Force; its new specs are not met by volume {volume}.");
                }

                if (PassThru)
                {
                    WriteObject(change.VolumeType);
                }
            });
        }
    }
}
