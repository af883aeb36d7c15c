using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Pauses replication (active-stopped); the replica keeps its last round and can still be promoted or cloned.</summary>
[Cmdlet(VerbsLifecycle.Disable, "Replication", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(VolumeReplica))]
public sealed class DisableReplicationCommand : VolumeTargetCommand
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in TargetNames())
        {
            if (ShouldProcess(name, "Pause replication"))
            {
                ForItem(name, () =>
                {
                    var replica = Engine.Replication.Disable(name, Observer, Cancellation);
                    if (PassThru)
                    {
                        WriteObject(replica);
                    }
                });
            }
        }
    }
}
