using System.Management.Automation;
using Replication.Engine.Model;

namespace Replication.PowerShell.Infrastructure;

/// <summary>
/// A volume cmdlet that also acts on a whole replication group: named (-Group) or piped from Get-ReplicationGroup
/// (-GroupObject), or from a piped object's Group property (a CSV column). Not from GroupName: volume and replica rows
/// carry that, and a piped volume must act on the volume alone.
/// </summary>
public abstract class VolumeOrGroupTargetCommand : VolumeTargetCommand
{
    protected const string GroupObjectSet = "GroupObject";

    [Parameter(Mandatory = true, ParameterSetName = GroupSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(GroupNameCompleter))]
    public string Group { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = GroupObjectSet, ValueFromPipeline = true)]
    public ReplicationGroup? GroupObject { get; set; }

    /// <summary>True when this record is about a replication group rather than volumes.</summary>
    protected bool IsGroupRun => ParameterSetName is GroupSet or GroupObjectSet;

    /// <summary>The group this record is about (when <see cref="IsGroupRun"/>).</summary>
    protected string TargetGroup => ParameterSetName == GroupObjectSet ? GroupObject!.Name : Group;
}
