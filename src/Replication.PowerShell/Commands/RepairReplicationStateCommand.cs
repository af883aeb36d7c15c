using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>
/// Finishes or rolls back what crashes and faults left behind: interrupted creations and removals, sync rounds whose
/// journal was committed but not recorded, copies whose file is gone, lapsed leases, and (with -RemoveOrphanFiles)
/// files no volume owns. Writes one finding per thing found.
/// </summary>
[Cmdlet(VerbsDiagnostic.Repair, "ReplicationState", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RepairFinding))]
public sealed class RepairReplicationStateCommand : ReplicationCmdlet
{
    /// <summary>Also deletes volume files and journals in backend folders that no volume of this state file owns.</summary>
    [Parameter]
    public SwitchParameter RemoveOrphanFiles { get; set; }

    protected override void EndProcessing()
    {
        ForItem(EngineSessions.CurrentAddress.Display, () =>
            WriteObject(Engine.Repair.Run(RemoveOrphanFiles, finding => ShouldProcess(finding.Target, finding.Action), Observer), enumerateCollection: true));
        base.EndProcessing();
    }
}
