using System.Management.Automation;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.State;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>The replication side of volumes: where the replica is, its status, and how old its data is.</summary>
[Cmdlet(VerbsCommon.Get, "VolumeReplica")]
[OutputType(typeof(VolumeReplica))]
public sealed class GetVolumeReplicaCommand : ReplicationCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [Alias("VolumeName")]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Only replicas in this status (Cinder's spelling, such as active-stopped, or the enum name).</summary>
    [Parameter]
    [ReplicationStatusArgument]
    [ArgumentCompleter(typeof(ReplicationStatusCompleter))]
    public ReplicationStatus? Status { get; set; }

    protected override void ProcessRecord() => ForItem(Name, () =>
    {
        foreach (var replica in SelectByName(Engine.Replication.List(VolumeQuery.All), r => r.VolumeName, Name, "volume", ErrorIds.VolumeNotFound))
        {
            if (Status is null || replica.Status == Status)
            {
                WriteObject(replica);
            }
        }
    });
}
