using System;
using System.Collections.Generic;
using System.Management.Automation;
using Replication.Engine.Errors;
using Replication.Engine.Health;
using Replication.Engine.Model;
using Replication.Engine.State;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>
/// One health summary over many replicas (Hyper-V's Measure-VMReplication, for volumes): counts per health and status,
/// the oldest replica data, the volumes over their RPO target, and the overall health a monitoring runbook alerts on.
/// </summary>
[Cmdlet(VerbsDiagnostic.Measure, "VolumeReplica", DefaultParameterSetName = NameSet)]
[OutputType(typeof(ReplicationHealthSummary))]
public sealed class MeasureVolumeReplicaCommand : ReplicationCmdlet
{
    private const string NameSet = "Name";
    private const string InputObjectSet = "InputObject";

    private readonly List<VolumeReplica> _replicas = new();
    private PipelineNames<VolumeReplica>? _candidates;

    /// <summary>Volumes to measure; wildcards match. Without names (and without piped replicas), every volume.</summary>
    [Parameter(Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [Alias("VolumeName")]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Only volumes of this volume type.</summary>
    [Parameter(ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(VolumeTypeNameCompleter))]
    public string? VolumeType { get; set; }

    /// <summary>The start of the period whose sync rounds are counted and measured; by default the last 24 hours.</summary>
    [Parameter]
    public DateTime? Since { get; set; }

    /// <summary>Replicas as Get-VolumeReplica wrote them; they are measured as they were read.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    public VolumeReplica[] InputObject { get; set; } = Array.Empty<VolumeReplica>();

    protected override void ProcessRecord()
    {
        if (ParameterSetName == InputObjectSet)
        {
            _replicas.AddRange(InputObject);
            return;
        }

        _candidates ??= new PipelineNames<VolumeReplica>(
            r => r.VolumeName,
            () => Engine.Replication.List(new VolumeQuery { VolumeType = VolumeType }),
            names => Engine.Replication.List(new VolumeQuery { Names = names, VolumeType = VolumeType }));
        try
        {
            _replicas.AddRange(SelectByName(_candidates, Name, "volume", ErrorIds.VolumeNotFound));
        }
        catch (ReplicationException ex)
        {
            // A summary of nothing would read as Normal: a runbook must not get one for a mistyped volume type.
            ThrowTerminatingError(ErrorRecords.From(ex, Names, Names));
        }
    }

    protected override void EndProcessing()
    {
        var since = Since is { } time ? new DateTimeOffset(time.ToUniversalTime()) : Engine.Context.Now.AddDays(-1);
        ReplicationHealthSummary? summary = null;
        ForItem(null, () => summary = Engine.Replication.Measure(_replicas, since));
        if (summary is not null)
        {
            WriteVerbose($"Measured {summary.VolumeCount} replica(s): {summary.NormalCount} normal, {summary.WarningCount} warning, {summary.CriticalCount} critical; {summary.SuccessfulRounds} round(s) and {summary.FailedRounds} failure(s) since {since:u}.");
            WriteObject(summary);
        }

        base.EndProcessing();
    }
}
