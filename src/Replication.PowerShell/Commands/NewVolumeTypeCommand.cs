using System.Management.Automation;
using Replication.Engine.Model;

namespace Replication.PowerShell.Commands;

/// <summary>A volume type with the extra specs given; its volumes are replicated only if the specs ask for it.</summary>
[Cmdlet(VerbsCommon.New, "VolumeType", SupportsShouldProcess = true)]
[OutputType(typeof(VolumeType))]
public sealed class NewVolumeTypeCommand : VolumeTypeCreationCommand
{
    protected override bool Replicated => false;
}
