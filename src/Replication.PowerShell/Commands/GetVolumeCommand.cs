using System.Management.Automation;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.State;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

[Cmdlet(VerbsCommon.Get, "Volume")]
[OutputType(typeof(Volume))]
public sealed class GetVolumeCommand : ReplicationCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [Alias("VolumeName")]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Only volumes of this volume type.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(VolumeTypeNameCompleter))]
    public string? VolumeType { get; set; }

    /// <summary>Only volumes with a copy (primary or replica) on this backend.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(BackendNameCompleter))]
    public string? Backend { get; set; }

    protected override void ProcessRecord() => ForItem(Name, () =>
    {
        var volumes = Engine.Volumes.List(new VolumeQuery { VolumeType = VolumeType, Backend = Backend });
        foreach (var volume in SelectByName(volumes, v => v.Name, Name, "volume", ErrorIds.VolumeNotFound))
        {
            WriteObject(volume);
        }
    });
}
