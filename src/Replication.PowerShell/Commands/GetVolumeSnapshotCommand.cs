using System;
using System.Linq;
using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Lists volume snapshots, oldest first: every one, a volume's (-Volume, or piped volumes), or by name (wildcards).</summary>
[Cmdlet(VerbsCommon.Get, "VolumeSnapshot")]
[OutputType(typeof(Snapshot))]
public sealed class GetVolumeSnapshotCommand : ReplicationCmdlet
{
    /// <summary>Snapshot names; wildcards match.</summary>
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(SnapshotNameCompleter))]
    [SupportsWildcards]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Only the snapshots of these volumes (Get-Volume objects bind by value).</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("VolumeName")]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    public string[] Volume { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord()
    {
        var patterns = Name.Select(n => WildcardPattern.Get(n, WildcardOptions.IgnoreCase)).ToList();
        bool Wanted(Snapshot snapshot) => patterns.Count == 0 || patterns.Any(p => p.IsMatch(snapshot.Name));
        if (Volume.Length == 0)
        {
            ForItem("snapshots", () =>
            {
                var found = Engine.Snapshots.List(null).Where(Wanted).ToList();
                ReportUnmatched(found);
                WriteObject(found, enumerateCollection: true);
            });
            return;
        }

        foreach (var volume in Volume)
        {
            ForItem(volume, () => WriteObject(Engine.Snapshots.List(volume).Where(Wanted), enumerateCollection: true));
        }
    }

    /// <summary>A literal name that matches nothing is an error, as Get-Volume's is; a pattern that matches nothing is not.</summary>
    private void ReportUnmatched(System.Collections.Generic.IReadOnlyList<Snapshot> found)
    {
        foreach (var name in Name.Where(n => !WildcardPattern.ContainsWildcardCharacters(n) && !found.Any(s => string.Equals(s.Name, n, StringComparison.OrdinalIgnoreCase))))
        {
            ForItem(name, () => Engine.Snapshots.Get(name));
        }
    }
}
