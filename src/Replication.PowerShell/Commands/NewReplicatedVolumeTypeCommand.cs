using System.Management.Automation;
using Replication.Engine.Model;

namespace Replication.PowerShell.Commands;

/// <summary>A volume type whose extra specs hold capabilities:replication = "&lt;is&gt; True": its volumes are placed on replicating backends and get a replica.</summary>
[Cmdlet(VerbsCommon.New, "ReplicatedVolumeType", SupportsShouldProcess = true)]
[OutputType(typeof(VolumeType))]
public sealed class NewReplicatedVolumeTypeCommand : VolumeTypeCreationCommand
{
    protected override bool Replicated => true;
}
