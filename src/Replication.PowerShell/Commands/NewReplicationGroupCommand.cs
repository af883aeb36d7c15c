using System;
using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Creates a replication group: volumes replicated to one common point in time and moved as one unit.</summary>
[Cmdlet(VerbsCommon.New, "ReplicationGroup", SupportsShouldProcess = true)]
[OutputType(typeof(ReplicationGroup))]
public sealed class NewReplicationGroupCommand : ReplicationCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = "";

    /// <summary>The first members: replicated volumes between the same two backends.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    public string[] VolumeName { get; set; } = Array.Empty<string>();

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Description { get; set; }

    protected override void ProcessRecord()
    {
        if (ShouldProcess(Name, "Create replication group" + (VolumeName.Length > 0 ? $" with {string.Join(", ", VolumeName)}" : "")))
        {
            ForItem(Name, () => WriteObject(Engine.Groups.Add(Name, Description, VolumeName)));
        }
    }
}
