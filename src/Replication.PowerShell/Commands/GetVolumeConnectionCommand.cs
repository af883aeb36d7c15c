using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>What a hypervisor attaches: the path of the volume's current primary copy.</summary>
[Cmdlet(VerbsCommon.Get, "VolumeConnection")]
[OutputType(typeof(VolumeConnection))]
public sealed class GetVolumeConnectionCommand : ReplicationCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("VolumeName")]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    public string[] Name { get; set; } = System.Array.Empty<string>();

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            ForItem(name, () => WriteObject(Engine.Volumes.Connection(name)));
        }
    }
}
