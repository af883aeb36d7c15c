using System.Collections;
using System.Management.Automation;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>What New-VolumeType and New-ReplicatedVolumeType share; they differ only in the replication spec.</summary>
public abstract class VolumeTypeCreationCommand : ReplicationCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = "";

    /// <summary>Cinder extra specs, for example @{ 'capabilities:tier' = '&lt;in&gt; gold' }.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    public Hashtable? ExtraSpec { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Description { get; set; }

    /// <summary>True for types whose volumes are replicated (capabilities:replication = "&lt;is&gt; True").</summary>
    protected abstract bool Replicated { get; }

    protected override void ProcessRecord()
    {
        if (ShouldProcess(Name, Replicated ? "Create replicated volume type" : "Create volume type"))
        {
            ForItem(Name, () => WriteObject(Engine.VolumeTypes.Add(Name, Hashtables.ToText(ExtraSpec), Description, Replicated)));
        }
    }
}
