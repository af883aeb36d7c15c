using System;
using System.Collections.Generic;
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
    private PipelineNames<VolumeReplica>? _named;

    protected override void BeginProcessing() => _status = ParseReplicationStatus(Status);

    protected override void ProcessRecord()
    {
        if (ParameterSetName == IdSet)
        {
            foreach (var id in Id)
            {
                ForItem(id, () => WriteObject(InStatus(new[] { Engine.Replication.Get(Engine.Volumes.Get(id).Name) }), enumerateCollection: true));
            }

            return;
        }

        ForItem(Name, () =>
        {
            if (Name is not { Length: > 0 })
            {
                // Without names the store filters by status.
                WriteObject(Engine.Replication.List(new VolumeQuery { ReplicationStatus = _status }), enumerateCollection: true);
                return;
            }

            // A literal name in another status is not an error, just not listed.
            _named ??= new PipelineNames<VolumeReplica>(r => r.VolumeName, () => Engine.Replication.List(VolumeQuery.All), names => Engine.Replication.List(new VolumeQuery { Names = names }));
            WriteObject(InStatus(SelectByName(_named, Name, "volume", ErrorIds.VolumeNotFound)), enumerateCollection: true);
        });
    }

    private IEnumerable<VolumeReplica> InStatus(IEnumerable<VolumeReplica> replicas) =>
        _status is { } status ? replicas.Where(r => r.Status == status.ToCinder()) : replicas;
}
