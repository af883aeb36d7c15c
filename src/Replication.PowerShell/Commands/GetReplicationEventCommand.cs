using System;
using System.Linq;
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
    /// <summary>Only events about these objects (volume, volume type or backend names); removed objects keep their history.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [Alias("VolumeName", "ObjectName")]
    public string[]? Name { get; set; }

    [Parameter]
    public DateTime? Since { get; set; }

    /// <summary>Only the newest N events (of those that match).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Newest { get; set; }

    protected override void ProcessRecord() => ForItem(Name, () =>
    {
        var since = Since is { } time ? new DateTimeOffset(time.ToUniversalTime()) : (DateTimeOffset?)null;
        if (Name is not { Length: > 0 })
        {
            WriteObject(Engine.Events(new EventQuery { Since = since, Newest = Newest }), enumerateCollection: true);
            return;
        }

        // A literal name is filtered by the state store; a wildcard over all events, before -Newest is applied.
        var matching = Name.SelectMany(name => WildcardPattern.ContainsWildcardCharacters(name)
                ? Engine.Events(new EventQuery { Since = since }).Where(e => WildcardPattern.Get(name, WildcardOptions.IgnoreCase).IsMatch(e.ObjectName))
                : Engine.Events(new EventQuery { ObjectName = name, Since = since }))
            .GroupBy(e => e.Id).Select(g => g.First())
            .OrderBy(e => e.Id)
            .ToList();
        WriteObject(Newest is { } newest ? matching.Skip(Math.Max(0, matching.Count - newest)) : matching, enumerateCollection: true);
    });
}
