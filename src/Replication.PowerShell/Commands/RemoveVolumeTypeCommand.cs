using System.Management.Automation;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Removes a volume type; refused while volumes use it.</summary>
[Cmdlet(VerbsCommon.Remove, "VolumeType", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class RemoveVolumeTypeCommand : ReplicationCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VolumeTypeNameCompleter))]
    public string[] Name { get; set; } = System.Array.Empty<string>();

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (ShouldProcess(name, "Remove volume type"))
            {
                ForItem(name, () => Engine.VolumeTypes.Remove(name));
            }
        }
    }
}
