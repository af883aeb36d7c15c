using System;
using System.Collections.Generic;
using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>
/// Creates a replication group: volumes replicated to one common point in time and moved as one unit. Volumes piped in
/// (Get-Volume 'app-*' | New-ReplicationGroup app) are gathered, and the group is created with all of them at once or
/// not at all.
/// </summary>
[Cmdlet(VerbsCommon.New, "ReplicationGroup", SupportsShouldProcess = true)]
[OutputType(typeof(ReplicationGroup))]
public sealed class NewReplicationGroupCommand : ReplicationCmdlet
{
    private readonly List<string> _members = new();

    [Parameter(Mandatory = true, Position = 0)]
    public string Name { get; set; } = "";

    /// <summary>The first members: replicated volumes between the same two backends (names, or Volume objects piped in).</summary>
    [Parameter(Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    public string[] VolumeName { get; set; } = Array.Empty<string>();

    [Parameter]
    public string? Description { get; set; }

    protected override void ProcessRecord() => _members.AddRange(VolumeName);

    protected override void EndProcessing()
    {
        if (ShouldProcess(Name, "Create replication group" + (_members.Count > 0 ? $" with {string.Join(", ", _members)}" : "")))
        {
            ForItem(Name, () => WriteObject(Engine.Groups.Add(Name, Description, _members, Observer, Cancellation)));
        }

        base.EndProcessing();
    }
}
