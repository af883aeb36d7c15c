using System;
using System.Linq;
using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>The recovery points a volume's replica can be taken back to, newest first.</summary>
[Cmdlet(VerbsCommon.Get, "VolumeRecoveryPoint")]
[OutputType(typeof(RecoveryPoint))]
public sealed class GetVolumeRecoveryPointCommand : ReplicationCmdlet
{
    /// <summary>The volume (a Get-Volume or Get-VolumeReplica object binds by its Name).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("VolumeName")]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Only points whose data is older than this time.</summary>
    [Parameter]
    public DateTime? Before { get; set; }

    /// <summary>Only the point of this round.</summary>
    [Parameter]
    public long? Round { get; set; }

    /// <summary>Only the newest point that matches (the latest before -Before).</summary>
    [Parameter]
    public SwitchParameter Latest { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            ForItem(name, () =>
            {
                var points = Engine.RecoveryPoints.List(name, Before is { } before ? new DateTimeOffset(before.ToUniversalTime()) : null, Round);
                WriteObject(Latest ? points.Take(1) : points, enumerateCollection: true);
            });
        }
    }
}
