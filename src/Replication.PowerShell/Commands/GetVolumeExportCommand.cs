using System.Linq;
using System.Management.Automation;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Volumes served over NBD: where clients attach them, how their writes are handled, who is connected.</summary>
[Cmdlet(VerbsCommon.Get, "VolumeExport")]
[OutputType(typeof(VolumeExport))]
public sealed class GetVolumeExportCommand : ReplicationCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [Alias("VolumeName")]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    public string[]? Name { get; set; }

    private PipelineNames<VolumeExport>? _exports;

    protected override void ProcessRecord()
    {
        _exports ??= new PipelineNames<VolumeExport>(e => e.VolumeName, () => Engine.Exports.List(), names => Engine.Exports.List(names));
        ForItem(Name, () => WriteObject(SelectByName(_exports, Name, "exported volume", ErrorIds.ExportNotFound).ToList(), enumerateCollection: true));
    }
}
