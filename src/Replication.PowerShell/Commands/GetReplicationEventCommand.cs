using System;
using System.Collections.Generic;
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

    /// <summary>Only events before this time.</summary>
    [Parameter]
    public DateTime? Until { get; set; }

    /// <summary>Only events of this operation (SyncReplica, PromoteReplica, SyncReplicaFailed, ...).</summary>
    [Parameter]
    [SupportsWildcards]
    public string? Operation { get; set; }

    /// <summary>Only changes that moved a volume to this replication status (Cinder's spelling or the enum name).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ReplicationStatusCompleter))]
    public string? Status { get; set; }

    /// <summary>Only events of this actor (user@host (pid)).</summary>
    [Parameter]
    [SupportsWildcards]
    public string? Actor { get; set; }

    /// <summary>Only the newest N events (of those that match).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Newest { get; set; }

    private ReplicationStatus? _status;

    protected override void BeginProcessing() => _status = ParseReplicationStatus(Status);

    protected override void ProcessRecord() => ForItem(Name, () =>
    {
        // Literal filters go to the state store; a wildcard is matched here, over what the literal ones let through,
        // and then -Newest is applied.
        var names = Name is { Length: > 0 } ? Name.Select(n => (string?)n).ToArray() : new string?[] { null };
        var inStore = names.Length == 1 && new[] { names[0], Operation, Actor }.All(f => f is null || !WildcardPattern.ContainsWildcardCharacters(f));
        var matching = names.SelectMany(name => Engine.Events(new EventQuery
            {
                ObjectName = Literal(name),
                Operation = Literal(Operation),
                Actor = Literal(Actor),
                ToStatus = _status,
                Since = ToTime(Since),
                Until = ToTime(Until),
                Newest = inStore ? Newest : null,
            }).Where(e => Matches(name, e.ObjectName) && Matches(Operation, e.Operation) && Matches(Actor, e.Actor)))
            .GroupBy(e => e.Id).Select(g => g.First())
            .OrderBy(e => e.Id)
            .ToList();
        WriteObject(Newest is { } newest && !inStore ? matching.Skip(Math.Max(0, matching.Count - newest)) : matching, enumerateCollection: true);
    });

    private static string? Literal(string? filter) => filter is not null && !WildcardPattern.ContainsWildcardCharacters(filter) ? filter : null;

    private static bool Matches(string? filter, string value) =>
        filter is null || !WildcardPattern.ContainsWildcardCharacters(filter) || WildcardPattern.Get(filter, WildcardOptions.IgnoreCase).IsMatch(value);

    private static DateTimeOffset? ToTime(DateTime? time) => time is { } t ? new DateTimeOffset(t.ToUniversalTime()) : null;
}
