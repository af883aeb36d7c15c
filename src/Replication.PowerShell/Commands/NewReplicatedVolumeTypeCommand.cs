using System.Collections;
using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>A volume type whose extra specs hold capabilities:replication = "&lt;is&gt; True": its volumes are placed on replicating backends and get a replica.</summary>
[Cmdlet(VerbsCommon.New, "ReplicatedVolumeType", SupportsShouldProcess = true)]
[OutputType(typeof(VolumeType))]
public sealed class NewReplicatedVolumeTypeCommand : ReplicationCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = "";

    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    public Hashtable? ExtraSpec { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Description { get; set; }

    protected override void ProcessRecord()
    {
        if (ShouldProcess(Name, "Create replicated volume type"))
        {
            ForItem(Name, () => WriteObject(Engine.VolumeTypes.Add(Name, Hashtables.ToText(ExtraSpec), Description, replicated: true)));
        }
    }
}
