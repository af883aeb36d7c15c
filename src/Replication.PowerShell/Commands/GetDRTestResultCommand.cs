using System;
using System.Management.Automation;
using Replication.Engine.DrTests;
using Replication.Engine.Model;
using Replication.Engine.State;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>The recorded DR tests, oldest first: by volume, since a time, by outcome; optionally as an HTML report.</summary>
// ShouldProcess guards the one change it can make: writing -ReportPath.
[Cmdlet(VerbsCommon.Get, "DRTestResult", SupportsShouldProcess = true)]
[OutputType(typeof(DrTestResult))]
public sealed class GetDRTestResultCommand : ReplicationCmdlet
{
    /// <summary>Only tests of these volumes (removed volumes keep their history).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("VolumeName")]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    public DateTime? Since { get; set; }

    [Parameter]
    public DrTestOutcome? Outcome { get; set; }

    /// <summary>Only the newest N tests (per name, when names are given).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Newest { get; set; }

    /// <summary>Also writes the results as an HTML report to this file (never over the state file, a backend's files or through a link).</summary>
    [Parameter]
    public string? ReportPath { get; set; }

    private readonly System.Collections.Generic.List<DrTestResult> _results = new();

    protected override void ProcessRecord()
    {
        var since = Since is { } time ? new DateTimeOffset(time.ToUniversalTime()) : (DateTimeOffset?)null;
        foreach (var name in Name is { Length: > 0 } ? Name : new string?[] { null })
        {
            ForItem(name, () =>
            {
                var tests = Engine.DrTests.History(new DrTestQuery { VolumeName = name, Since = since, Outcome = Outcome, Newest = Newest });
                _results.AddRange(tests);
                WriteObject(tests, enumerateCollection: true);
            });
        }
    }

    protected override void EndProcessing()
    {
        if (ReportPath is { } path)
        {
            var file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            if (ShouldProcess(file, $"Write the HTML report of {_results.Count} DR test result(s)"))
            {
                ForItem(file, () => Engine.Reports.Write(file, DrTestReport.Render(_results, Engine.Context.Now)));
            }
        }

        base.EndProcessing();
    }
}
