using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Replication.Engine.DrTests;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.State;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>
/// DR test: clones each volume's replica into a test volume, checks it against the recorded sync round (and the admin's
/// own -Validation), removes it, and records the result. Replication goes on meanwhile. A failed test is a result, not
/// an error: every volume is tested, and the results say which failed.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "VolumeReplica", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = NameSet)]
[OutputType(typeof(DrTestResult))]
public sealed class TestVolumeReplicaCommand : ReplicationCmdlet
{
    private const string NameSet = "Name";
    private const string IdSet = "Id";
    private const string InputObjectSet = "InputObject";
    private const string GroupSet = "Group";
    private const string GroupObjectSet = "GroupObject";

    private readonly List<DrTestResult> _results = new();
    private PipelineNames<Volume>? _named;

    /// <summary>Volumes to test; wildcards match. Without names (and without -Id or piped volumes), every replicated volume.</summary>
    [Parameter(Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [Alias("VolumeName")]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("VolumeId")]
    public Guid[] Id { get; set; } = Array.Empty<Guid>();

    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    public Volume[] InputObject { get; set; } = Array.Empty<Volume>();

    /// <summary>Every member of a replication group, all tested at the same group round.</summary>
    [Parameter(Mandatory = true, ParameterSetName = GroupSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(GroupNameCompleter))]
    public string Group { get; set; } = "";

    /// <summary>A replication group piped from Get-ReplicationGroup.</summary>
    [Parameter(Mandatory = true, ParameterSetName = GroupObjectSet, ValueFromPipeline = true)]
    public ReplicationGroup? GroupObject { get; set; }

    /// <summary>Only volumes of this volume type (with -Name or none).</summary>
    [Parameter(ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(VolumeTypeNameCompleter))]
    public string? VolumeType { get; set; }

    /// <summary>The admin's own check: called with the test volume's connection; it fails by throwing or by returning $false.</summary>
    [Parameter]
    public ScriptBlock? Validation { get; set; }

    /// <summary>Tests the replica as it was at this recovery point's round (a Get-VolumeRecoveryPoint object binds by its Round).</summary>
    [Parameter(ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Round")]
    public long? RecoveryPoint { get; set; }

    /// <summary>
    /// Tests every member of the group at its recovery point of this group round, the same moment for all (refused with
    /// GroupRecoveryPointIncomplete when some member keeps no point of it).
    /// </summary>
    [Parameter(ParameterSetName = GroupSet)]
    [Parameter(ParameterSetName = GroupObjectSet)]
    public long? GroupRound { get; set; }

    /// <summary>Leaves each test volume for a look afterwards (Remove-Volume it when done).</summary>
    [Parameter]
    public SwitchParameter KeepTestVolume { get; set; }

    /// <summary>Writes an HTML report of this run's results to this file (never over the state file, a backend's files or through a link).</summary>
    [Parameter]
    public string? ReportPath { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName is GroupSet or GroupObjectSet)
        {
            var group = ParameterSetName == GroupObjectSet ? GroupObject!.Name : Group;
            if (ShouldProcess(group, "Clone every member's replica into a test volume at the same group round, verify each, and remove them"))
            {
                ForItem(group, () =>
                {
                    foreach (var result in Engine.DrTests.RunGroup(group, Options(), Observer, Cancellation))
                    {
                        _results.Add(result);
                        WriteObject(result);
                    }
                });
            }

            return;
        }

        var names = Targets();
        foreach (var (name, index) in names.Select((n, i) => (n, i)))
        {
            StartItem(name, names.Count > 1 ? names.Count : null);
            if (ShouldProcess(name, "Clone the replica into a test volume, verify it, and remove it"))
            {
                ForItem(name, () =>
                {
                    var result = Engine.DrTests.Run(name, Options(), Observer, Cancellation);
                    _results.Add(result);
                    WriteObject(result);
                });
            }
        }
    }

    protected override void EndProcessing()
    {
        if (ReportPath is { } path && _results.Count > 0)
        {
            var file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            if (ShouldProcess(file, $"Write the HTML report of {_results.Count} DR test result(s)"))
            {
                ForItem(file, () => Engine.Reports.Write(file, DrTestReport.Render(_results, Engine.Context.Now)));
            }
        }

        base.EndProcessing();
    }

    private List<string> Targets()
    {
        switch (ParameterSetName)
        {
            case IdSet:
                var byId = new List<string>();
                foreach (var id in Id)
                {
                    ForItem(id, () => byId.Add(Engine.Volumes.Get(id).Name));
                }

                return byId;
            case InputObjectSet:
                return InputObject.Select(v => v.Name).ToList();
            default:
                var selected = new List<string>();
                ForItem(Name, () =>
                {
                    if (Name is not { Length: > 0 })
                    {
                        // Without names: every replicated volume (not plain ones, not test volumes).
                        selected.AddRange(Engine.Volumes.List(new VolumeQuery { VolumeType = VolumeType }).Where(v => v.ReplicaBackend is not null && v.SourceReplica is null).Select(v => v.Name));
                        return;
                    }

                    _named ??= new PipelineNames<Volume>(
                        v => v.Name,
                        () => Engine.Volumes.List(new VolumeQuery { VolumeType = VolumeType }),
                        names => Engine.Volumes.List(new VolumeQuery { Names = names, VolumeType = VolumeType }));
                    selected.AddRange(SelectByName(_named, Name, "volume", ErrorIds.VolumeNotFound).Select(v => v.Name));
                });
                return selected;
        }
    }

    private DrTestOptions Options() => new() { KeepTestVolume = KeepTestVolume, Validation = Validation is null ? null : RunValidation, RecoveryPoint = RecoveryPoint, GroupRound = GroupRound };

    private ValidationOutcome RunValidation(VolumeConnection connection)
    {
        try
        {
            var output = Validation!.Invoke(connection);
            var last = output.Count == 0 ? null : output[output.Count - 1]?.BaseObject;
            // What the check printed explains its verdict; the verdict itself ($true/$false) is not news.
            var message = string.Join(" ", output.Where(o => o?.BaseObject is not null and not bool).Select(o => o.ToString()));
            return new ValidationOutcome(last is not false, message);
        }
        catch (RuntimeException ex)
        {
            return new ValidationOutcome(false, ex.InnerException?.Message ?? ex.Message);
        }
    }
}
