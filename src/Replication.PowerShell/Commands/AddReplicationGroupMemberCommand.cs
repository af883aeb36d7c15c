using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Adds volumes to a replication group; they join its next group round.</summary>
[Cmdlet(VerbsCommon.Add, "ReplicationGroupMember", SupportsShouldProcess = true)]
[OutputType(typeof(ReplicationGroup))]
public sealed class AddReplicationGroupMemberCommand : ReplicationGroupMemberCommand
{
    protected override string Action => "Add to the replication group:";

    protected override ReplicationGroup Change(string group, string[] volumes) => Engine.Groups.AddMembers(group, volumes, Observer, Cancellation);
}
