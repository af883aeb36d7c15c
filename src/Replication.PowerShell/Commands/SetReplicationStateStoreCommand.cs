using System.Management.Automation;
using Replication.Engine.Errors;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Points this session's commands at another state file (created on first use), or back to the default.</summary>
[Cmdlet(VerbsCommon.Set, "ReplicationStateStore", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
[OutputType(typeof(StateStoreInfo))]
public sealed class SetReplicationStateStoreCommand : ReplicationCmdlet
{
    private const string PathSet = "Path";
    private const string DefaultSet = "Default";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    public string Path { get; set; } = "";

    /// <summary>Goes back to REPLICATION_POWERSHELL_STATE or the per-user default.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DefaultSet)]
    public SwitchParameter Default { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var path = Default ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!ShouldProcess(path ?? "the default state file", "Use as this session's replication state"))
        {
            return;
        }

        var previous = EngineSessions.SessionPath;
        EngineSessions.SetPath(path);
        if (path is null)
        {
            // Going back to the default does not create the default file; the next command that needs state does.
            WritePassThru();
            return;
        }

        try
        {
            // Open it now, so a path that cannot hold a state file fails here, not at the next command.
            EngineSessions.Current();
        }
        catch (ReplicationException ex)
        {
            EngineSessions.SetPath(previous);
            ThrowTerminatingError(ErrorRecords.From(ex, path));
        }

        WritePassThru();
    }

    private void WritePassThru()
    {
        if (PassThru)
        {
            WriteObject(StateStoreInfo.Current());
        }
    }
}
