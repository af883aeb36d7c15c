using System;
using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>What adding and removing group members share: the group, the volumes (piped from Get-Volume), -PassThru.</summary>
public abstract class ReplicationGroupMemberCommand : ReplicationCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("GroupName")]
    [ArgumentCompleter(typeof(GroupNameCompleter))]
    public string Group { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    public string[] VolumeName { get; set; } = Array.Empty<string>();

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected abstract string Action { get; }

    protected abstract ReplicationGroup Change(string group, string[] volumes);

    protected override void ProcessRecord()
    {
        if (ShouldProcess(Group, $"{Action} {string.Join(", ", VolumeName)}"))
        {
            ForItem(Group, () =>
            {
                var group = Change(Group, VolumeName);
                if (PassThru)
                {
                    WriteObject(group);
                }
            });
        }
    }
}
