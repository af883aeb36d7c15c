using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.State;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Volumes by name (wildcards), by id, or with a copy on backends piped from Get-StorageBackend.</summary>
[Cmdlet(VerbsCommon.Get, "Volume", DefaultParameterSetName = NameSet)]
[OutputType(typeof(Volume))]
public sealed class GetVolumeCommand : ReplicationCmdlet
{
    private const string NameSet = "Name";
    private const string IdSet = "Id";
    private const string StorageBackendSet = "StorageBackend";

    [Parameter(Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [Alias("VolumeName")]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("VolumeId")]
    public Guid[] Id { get; set; } = Array.Empty<Guid>();

    /// <summary>Volumes with a copy (primary or replica) on these backends.</summary>
    [Parameter(Mandatory = true, ParameterSetName = StorageBackendSet, ValueFromPipeline = true)]
    public StorageBackend[] StorageBackend { get; set; } = Array.Empty<StorageBackend>();

    /// <summary>Only volumes of this volume type.</summary>
    [Parameter(ParameterSetName = NameSet)]
    [Parameter(ParameterSetName = StorageBackendSet)]
    [ArgumentCompleter(typeof(VolumeTypeNameCompleter))]
    public string? VolumeType { get; set; }

    /// <summary>Only volumes with a copy (primary or replica) on this backend.</summary>
    [Parameter(ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(BackendNameCompleter))]
    public string? Backend { get; set; }

    /// <summary>Only volumes whose replication is in this status: Cinder's spelling (active-stopped) or the enum name (ActiveStopped).</summary>
    [Parameter(ParameterSetName = NameSet)]
    [Parameter(ParameterSetName = StorageBackendSet)]
    [ArgumentCompleter(typeof(ReplicationStatusCompleter))]
    public string? ReplicationStatus { get; set; }

    private ReplicationStatus? _replicationStatus;
    private PipelineNames<Volume>? _named;

    /// <summary>A volume with copies on two piped backends is written once.</summary>
    private readonly HashSet<Guid> _written = new();

    protected override void BeginProcessing() => _replicationStatus = ParseReplicationStatus(ReplicationStatus);

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case IdSet:
                foreach (var id in Id)
                {
                    ForItem(id, () => WriteObject(Engine.Volumes.Get(id)));
                }

                break;
            case StorageBackendSet:
                foreach (var backend in StorageBackend)
                {
                    ForItem(backend, () => WriteObject(Engine.Volumes.List(new VolumeQuery { Backend = backend.Name, VolumeType = VolumeType, ReplicationStatus = _replicationStatus }).Where(v => _written.Add(v.Id)), enumerateCollection: true));
                }

                break;
            default:
                ForItem(Name, () =>
                {
                    if (Name is not { Length: > 0 })
                    {
                        // Without names the store filters by status.
                        WriteObject(Engine.Volumes.List(Query(null, _replicationStatus)), enumerateCollection: true);
                        return;
                    }

                    // A literal name in another status is not an error, just not listed.
                    _named ??= new PipelineNames<Volume>(v => v.Name, () => Engine.Volumes.List(Query(null, null)), names => Engine.Volumes.List(Query(names, null)));
                    WriteObject(SelectByName(_named, Name, "volume", ErrorIds.VolumeNotFound)
                        .Where(v => _replicationStatus is not { } status || v.ReplicationStatus == status.ToCinder()).ToList(), enumerateCollection: true);
                });
                break;
        }
    }

    private VolumeQuery Query(IReadOnlyCollection<string>? names, ReplicationStatus? status) =>
        new() { Names = names, VolumeType = VolumeType, Backend = Backend, ReplicationStatus = status };
}
