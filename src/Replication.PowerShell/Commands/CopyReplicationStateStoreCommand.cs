using System.Management.Automation;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.State;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Copies the session's whole replication state into an empty state file or PostgreSQL database.</summary>
[Cmdlet(VerbsCommon.Copy, "ReplicationStateStore", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
[OutputType(typeof(StateCopyResult))]
public sealed class CopyReplicationStateStoreCommand : ReplicationCmdlet
{
    private const string PathSet = "Path";
    private const string ConnectionStringSet = "ConnectionString";

    /// <summary>A state file to create (or an empty one) to copy into.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    public string DestinationPath { get; set; } = "";

    /// <summary>An empty PostgreSQL database (or schema) to copy into, as an Npgsql connection string.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ConnectionStringSet, ValueFromPipelineByPropertyName = true)]
    public string DestinationConnectionString { get; set; } = "";

    protected override void ProcessRecord()
    {
        StateAddress destination = null!;
        try
        {
            destination = ParameterSetName == PathSet
                ? StateAddress.File(SessionState.Path.GetUnresolvedProviderPathFromPSPath(DestinationPath))
                : StateAddress.PostgreSql(DestinationConnectionString);
        }
        catch (ReplicationException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex, Names, Names));
        }

        var source = EngineSessions.CurrentAddress.Display;
        if (ShouldProcess(destination.Display, $"Copy the whole replication state from '{source}'"))
        {
            ForItem(destination.Display, () => WriteObject(Engine.StateCopy.CopyTo(destination, Observer)));
        }
    }
}
