using System;
using System.Linq;
using System.Management.Automation;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.State;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>The replication side of volumes: where the replica is, its status, and how old its data is.</summary>
[Cmdlet(VerbsCommon.Get, "VolumeReplica", DefaultParameterSetName = NameSet)]
[OutputType(typeof(VolumeReplica))]
public sealed class GetVolumeReplicaCommand : ReplicationCmdlet
{
    private const string NameSet = "Name";
    private const string IdSet = "Id";

    [Parameter(Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [Alias("VolumeName")]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("VolumeId")]
    public Guid[] Id { get; set; } = Array.Empty<Guid>();

    /// <summary>Only replicas in this status: Cinder's spelling (active-stopped, as the views show) or the enum name (ActiveStopped).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ReplicationStatusCompleter))]
    public string? Status { get; set; }

    private ReplicationStatus? _status;

    protected override void BeginProcessing()
    {
        if (Status is null)
        {
            return;
        }

        _status = ReplicationStatusText.TryParse(Status);
        if (_status is null)
        {
            ThrowTerminatingError(ErrorRecords.Create("InvalidReplicationStatus", ErrorCategory.InvalidArgument,
                $"'{Status}' is not a replication status. Use one of: {string.Join(", ", ReplicationStatusText.All.Select(s => s.ToCinder()))}.", Status));
        }
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == IdSet)
        {
            foreach (var id in Id)
            {
                ForItem(id, () => Write(Engine.Replication.Get(Engine.Volumes.Get(id).Name)));
            }

            return;
        }

        ForItem(Name, () =>
        {
            foreach (var replica in SelectByName(Engine.Replication.List(VolumeQuery.All), r => r.VolumeName, Name, "volume", ErrorIds.VolumeNotFound))
            {
                Write(replica);
            }
        });
    }

    private void Write(VolumeReplica replica)
    {
        if (_status is null || replica.Status == _status)
        {
            WriteObject(replica);
        }
    }
}
