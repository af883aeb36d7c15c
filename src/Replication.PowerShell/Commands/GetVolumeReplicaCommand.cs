using System;
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

    /// <summary>Only replicas in this status, in Cinder's spelling (the one the views show).</summary>
    [Parameter]
    [ValidateSet("disabled", "copying", "active", "active-stopped", "inactive", "error")]
    public string? Status { get; set; }

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
        if (Status is null || replica.Status == ReplicationStatusText.FromCinder(Status.ToLowerInvariant()))
        {
            WriteObject(replica);
        }
    }
}
