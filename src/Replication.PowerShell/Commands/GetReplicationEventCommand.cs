using System;
using System.Management.Automation;
using Replication.Engine.Model;
using Replication.Engine.State;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>The recorded history of state changes, oldest first.</summary>
[Cmdlet(VerbsCommon.Get, "ReplicationEvent")]
[OutputType(typeof(ReplicationEvent))]
public sealed class GetReplicationEventCommand : ReplicationCmdlet
{
    /// <summary>Only events about this object (volume, volume type or backend name).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("VolumeName", "ObjectName")]
    public string? Name { get; set; }

    [Parameter]
    public DateTime? Since { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Newest { get; set; }

    protected override void ProcessRecord() => ForItem(Name, () =>
    {
        var query = new EventQuery { ObjectName = Name, Since = Since is { } since ? new DateTimeOffset(since.ToUniversalTime()) : null, Newest = Newest };
        foreach (var replicationEvent in Engine.Events(query))
        {
            WriteObject(replicationEvent);
        }
    });
}
