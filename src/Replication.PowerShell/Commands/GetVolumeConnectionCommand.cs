using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>What a hypervisor attaches: the path of the volume's current primary copy.</summary>
[Cmdlet(VerbsCommon.Get, "VolumeConnection", DefaultParameterSetName = NameSet)]
[OutputType(typeof(VolumeConnection))]
public sealed class GetVolumeConnectionCommand : VolumeTargetCommand
{
    protected override void ProcessRecord()
    {
        foreach (var name in TargetNames())
        {
            ForItem(name, () => WriteObject(Engine.Volumes.Connection(name)));
        }
    }
}
