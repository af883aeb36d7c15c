using System;
using System.Collections.Generic;
using System.Management.Automation;
using Replication.Engine.Model;

namespace Replication.PowerShell.Infrastructure;

/// <summary>
/// A volume cmdlet that also acts on a whole replication group: named (-Group) or piped from Get-ReplicationGroup
/// (-GroupObject), or from a piped object's Group property (a CSV column). A volume that belongs to a group stands for
/// its group: members move as one unit, so the group is acted on once per command, when its first member arrives, and
/// later members are passed over (Get-Volume | Sync-VolumeReplica syncs each group in one group round).
/// </summary>
public abstract class VolumeOrGroupTargetCommand : VolumeTargetCommand
{
    protected const string GroupObjectSet = "GroupObject";

    private readonly HashSet<string> _groupsActedOn = new(StringComparer.OrdinalIgnoreCase);

    [Parameter(Mandatory = true, ParameterSetName = GroupSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(GroupNameCompleter))]
    public string Group { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = GroupObjectSet, ValueFromPipeline = true)]
    public ReplicationGroup? GroupObject { get; set; }

    /// <summary>The volumes and groups this record is about, each group once per command.</summary>
    internal IEnumerable<CommandTarget> Targets()
    {
        if (ParameterSetName is GroupSet or GroupObjectSet)
        {
            var group = ParameterSetName == GroupObjectSet ? GroupObject!.Name : Group;
            if (_groupsActedOn.Add(group))
            {
                yield return CommandTarget.Group(group);
            }

            yield break;
        }

        foreach (var name in TargetNames())
        {
            string? group = null;
            var found = false;
            ForItem(name, () =>
            {
                group = Engine.Volumes.Get(name).GroupName;
                found = true;
            });
            if (!found)
            {
                continue;
            }

            if (group is null)
            {
                yield return CommandTarget.Volume(name);
            }
            else if (_groupsActedOn.Add(group))
            {
                WriteVerbose($"'{name}' belongs to replication group '{group}', whose members move as one unit: {MyInvocation.MyCommand.Name} acts on the group once, for every member that arrives.");
                yield return CommandTarget.Group(group, name);
            }
            else
            {
                WriteVerbose($"'{name}' was handled with its replication group '{group}' earlier in this command.");
            }
        }
    }
}
