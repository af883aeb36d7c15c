using System;
using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>
/// Removes recovery points; refused (RecoveryPointImmutable) inside the type's immutability window, and for the newest
/// point (RecoveryPointInUse), which the next round needs.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "VolumeRecoveryPoint", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = RoundSet)]
[OutputType(typeof(void))]
public sealed class RemoveVolumeRecoveryPointCommand : ReplicationCmdlet
{
    private const string RoundSet = "Round";
    private const string InputObjectSet = "InputObject";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = RoundSet, ValueFromPipelineByPropertyName = true)]
    [Alias("VolumeName")]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = RoundSet, ValueFromPipelineByPropertyName = true)]
    public long[] Round { get; set; } = Array.Empty<long>();

    /// <summary>Points piped from Get-VolumeRecoveryPoint.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    public RecoveryPoint[] InputObject { get; set; } = Array.Empty<RecoveryPoint>();

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == InputObjectSet)
        {
            foreach (var point in InputObject)
            {
                Remove(point.VolumeName, point.Round);
            }

            return;
        }

        foreach (var round in Round)
        {
            Remove(Name, round);
        }
    }

    private void Remove(string volume, long round)
    {
        if (Approve(Force, $"{volume} round {round}", "Remove the recovery point: the volume can no longer be taken back to it"))
        {
            ForItem(volume, () => Engine.RecoveryPoints.Remove(volume, round));
        }
    }
}
