using System.Management.Automation;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Shows which state file this session's commands use.</summary>
[Cmdlet(VerbsCommon.Get, "ReplicationStateStore")]
[OutputType(typeof(StateStoreInfo))]
public sealed class GetReplicationStateStoreCommand : PSCmdlet
{
    protected override void EndProcessing() => WriteObject(StateStoreInfo.Current());
}
