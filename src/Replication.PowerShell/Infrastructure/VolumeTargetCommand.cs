using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Replication.Engine.Model;

namespace Replication.PowerShell.Infrastructure;

/// <summary>
/// A cmdlet that acts on volumes named literally (-Name, also bound from any object's Name or VolumeName property),
/// by id (-Id), or as Volume objects (-InputObject, bound by value from Get-Volume).
/// </summary>
public abstract class VolumeTargetCommand : ReplicationCmdlet
{
    protected const string NameSet = "Name";
    protected const string IdSet = "Id";
    protected const string InputObjectSet = "InputObject";

    /// <summary>The set of the cmdlets that also act on a whole replication group (-Group).</summary>
    protected const string GroupSet = "Group";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("VolumeName")]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("VolumeId")]
    public Guid[] Id { get; set; } = Array.Empty<Guid>();

    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    public Volume[] InputObject { get; set; } = Array.Empty<Volume>();

    /// <summary>True for long work (sync, promotion, re-enable): a run over many volumes shows a bar over them all.</summary>
    protected virtual bool ShowsRunProgress => false;

    /// <summary>The names of the volumes this record is about; an id that matches no volume is reported and skipped.</summary>
    protected IEnumerable<string> TargetNames()
    {
        var count = ParameterSetName switch { IdSet => Id.Length, InputObjectSet => InputObject.Length, _ => Name.Length };
        // Through the pipeline each record holds one volume and the total is unknown.
        int? total = count > 1 ? count : null;
        foreach (var name in ResolveNames())
        {
            if (ShowsRunProgress)
            {
                StartItem(name, total);
            }

            yield return name;
        }
    }

    private IEnumerable<string> ResolveNames()
    {
        switch (ParameterSetName)
        {
            case IdSet:
                foreach (var id in Id)
                {
                    string? name = null;
                    ForItem(id, () => name = Engine.Volumes.Get(id).Name);
                    if (name is not null)
                    {
                        yield return name;
                    }
                }

                break;
            case InputObjectSet:
                foreach (var volume in InputObject)
                {
                    yield return volume.Name;
                }

                break;
            default:
                foreach (var name in Name)
                {
                    if (WildcardPattern.ContainsWildcardCharacters(name))
                    {
                        // Acting on every match of a pattern is too easy to do by accident; Get-Volume shows what a pattern matches.
                        WriteError(ErrorRecords.Create("WildcardNotSupported", ErrorCategory.InvalidArgument,
                            Names.Render($"'{name}' has wildcard characters, which {MyInvocation.MyCommand.Name} does not expand. Use Get-Volume '{name}' | {MyInvocation.MyCommand.Name}."), name));
                        continue;
                    }

                    yield return name;
                }

                break;
        }
    }
}
