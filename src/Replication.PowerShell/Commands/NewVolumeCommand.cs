using System.Management.Automation;
using Replication.Engine;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>
/// Creates a volume of a volume type on a backend whose capabilities meet the type's extra specs (with a replica on the
/// partner backend for replicated types); with -SourceVolume, a clone of another volume (replicated as any new volume of
/// its type); with -Snapshot, a volume holding a snapshot's bytes (replicated likewise); or, with -SourceReplica, a test
/// volume cloned from another volume's replica.
/// </summary>
[Cmdlet(VerbsCommon.New, "Volume", SupportsShouldProcess = true, DefaultParameterSetName = NewSet)]
[OutputType(typeof(Volume))]
public sealed class NewVolumeCommand : ReplicationCmdlet
{
    private const string NewSet = "New";
    private const string FromReplicaSet = "FromReplica";
    private const string FromVolumeSet = "FromVolume";
    private const string FromSnapshotSet = "FromSnapshot";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = NewSet, ValueFromPipelineByPropertyName = true)]
    [SizeTransformation]
    public long SizeBytes { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = NewSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VolumeTypeNameCompleter))]
    public string VolumeType { get; set; } = "";

    /// <summary>The volume whose replica the new test volume is cloned from.</summary>
    [Parameter(Mandatory = true, ParameterSetName = FromReplicaSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ReplicaSourceNameCompleter))]
    public string SourceReplica { get; set; } = "";

    /// <summary>With -SourceReplica: the round of the recovery point to copy (a Get-VolumeRecoveryPoint object binds by its Round).</summary>
    [Parameter(ParameterSetName = FromReplicaSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Round")]
    public long? RecoveryPoint { get; set; }

    /// <summary>The volume the new one is cloned from (its primary, as it is now); a replicated type gives the clone its replica.</summary>
    [Parameter(Mandatory = true, ParameterSetName = FromVolumeSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    public string SourceVolume { get; set; } = "";

    /// <summary>The snapshot whose bytes the new volume holds (a Get-VolumeSnapshot object converts to its name); the new volume is of its volume's type, on its backend.</summary>
    /// <remarks>Bound from the pipeline too: a set whose mandatory parameter the pipeline cannot give makes PowerShell fall back to the default set for every piped object.</remarks>
    [Parameter(Mandatory = true, ParameterSetName = FromSnapshotSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SnapshotNameCompleter))]
    public string Snapshot { get; set; } = "";

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case FromSnapshotSet:
                if (ShouldProcess(Name, $"Create volume from snapshot '{Snapshot}'"))
                {
                    ForItem(Name, () => WriteObject(Engine.Volumes.CreateFromSnapshot(Name, Snapshot, Observer, Cancellation)));
                }

                break;
            case FromVolumeSet:
                if (ShouldProcess(Name, $"Create volume cloned from '{SourceVolume}'"))
                {
                    ForItem(Name, () => WriteObject(Engine.Volumes.CreateFromVolume(Name, SourceVolume, Observer, Cancellation)));
                }

                break;
            case FromReplicaSet:
                if (ShouldProcess(Name, $"Create test volume from the replica of '{SourceReplica}'" + (RecoveryPoint is { } round ? $" at recovery point {round}" : "")))
                {
                    ForItem(Name, () => WriteObject(Engine.Volumes.CreateFromReplica(Name, SourceReplica, Observer, Cancellation, RecoveryPoint)));
                }

                break;
            default:
                if (ShouldProcess(Name, $"Create {Humane.Bytes(SizeBytes)} volume of type '{VolumeType}'"))
                {
                    ForItem(Name, () => WriteObject(Engine.Volumes.Create(Name, SizeBytes, VolumeType, Observer)));
                }

                break;
        }
    }
}
