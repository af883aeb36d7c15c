using System.Management.Automation;
using Replication.Engine.Errors;
using Replication.Engine.State;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Points this session's commands at another state file (created on first use) or PostgreSQL database, or back to the default.</summary>
[Cmdlet(VerbsCommon.Set, "ReplicationStateStore", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
[OutputType(typeof(StateStoreInfo))]
public sealed class SetReplicationStateStoreCommand : ReplicationCmdlet
{
    private const string PathSet = "Path";
    private const string ConnectionStringSet = "ConnectionString";
    private const string DefaultSet = "Default";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    public string Path { get; set; } = "";

    /// <summary>A PostgreSQL database shared by several hosts, as an Npgsql connection string.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ConnectionStringSet, ValueFromPipelineByPropertyName = true)]
    public string ConnectionString { get; set; } = "";

    /// <summary>Goes back to REPLICATION_POWERSHELL_STATE or the per-user default.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DefaultSet)]
    public SwitchParameter Default { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        StateAddress? address = null;
        try
        {
            address = ParameterSetName switch
            {
                PathSet => StateAddress.File(SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path)),
                ConnectionStringSet => StateAddress.PostgreSql(ConnectionString),
                _ => null,
            };
        }
        catch (ReplicationException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex, Names, Names));
        }

        if (!ShouldProcess(address?.Display ?? "the default state store", "Use as this session's replication state"))
        {
            return;
        }

        var previous = EngineSessions.SessionAddress;
        EngineSessions.SetAddress(address);
        if (address is null)
        {
            // Going back to the default does not create the default file; the next command that needs state does.
            WritePassThru();
            return;
        }

        try
        {
            // Open it now, so a store that cannot be used fails here, not at the next command.
            EngineSessions.Reopen();
        }
        catch (ReplicationException ex)
        {
            EngineSessions.SetAddress(previous);
            ThrowTerminatingError(ErrorRecords.From(ex, Names, address.Display));
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
