using System.Collections;
using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

[Cmdlet(VerbsCommon.New, "VolumeType", SupportsShouldProcess = true)]
[OutputType(typeof(VolumeType))]
public sealed class NewVolumeTypeCommand : ReplicationCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = "";

    /// <summary>Cinder extra specs, for example @{ 'capabilities:tier' = '&lt;in&gt; gold' }.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    public Hashtable? ExtraSpec { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Description { get; set; }

    protected override void ProcessRecord()
    {
        if (ShouldProcess(Name, "Create volume type"))
        {
            ForItem(Name, () => WriteObject(Engine.VolumeTypes.Add(Name, Hashtables.ToText(ExtraSpec), Description, replicated: false)));
        }
    }
}
