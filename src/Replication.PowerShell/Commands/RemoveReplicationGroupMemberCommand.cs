using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Removes volumes from a replication group; they are replicated on their own from then on.</summary>
[Cmdlet(VerbsCommon.Remove, "ReplicationGroupMember", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ReplicationGroup))]
public sealed class RemoveReplicationGroupMemberCommand : ReplicationGroupMemberCommand
{
    protected override string Action => "Remove from the replication group:";

    protected override ReplicationGroup Change(string group, string[] volumes) => Engine.Groups.RemoveMembers(group, volumes, Observer, Cancellation);
}
