using System;
using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>
/// Takes a point-in-time snapshot of each volume's primary, kept on the primary's backend by its driver; refused where
/// the operation guards refuse it (SnapshotNotAllowed) or the driver keeps no snapshots (SnapshotsNotSupported).
/// </summary>
[Cmdlet(VerbsCommon.New, "VolumeSnapshot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(Snapshot))]
public sealed class NewVolumeSnapshotCommand : ReplicationCmdlet
{
    /// <summary>The volumes (Get-Volume objects bind by value; any object's VolumeName by property).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("VolumeName")]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    public string[] Volume { get; set; } = Array.Empty<string>();

    /// <summary>The snapshot's name; by default the volume's name and the UTC time (volume-yyyyMMdd-HHmmss).</summary>
    [Parameter]
    public string? Name { get; set; }

    [Parameter]
    public string? Description { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var volume in Volume)
        {
            if (ShouldProcess(volume, Name is null ? "Take a snapshot of the volume's primary" : $"Take snapshot '{Name}' of the volume's primary"))
            {
                ForItem(volume, () => WriteObject(Engine.Snapshots.Create(volume, Name, Description, Observer, Cancellation)));
            }
        }
    }
}
