using System.Management.Automation;
using Replication.Engine;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Grows a volume and its replica (the replica first); shrinking is refused.</summary>
[Cmdlet(VerbsCommon.Resize, "Volume", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = NameSet)]
[OutputType(typeof(Volume))]
public sealed class ResizeVolumeCommand : VolumeTargetCommand
{
    /// <summary>The new size: larger than the volume's, a multiple of 512 bytes. Never taken from the pipeline, where a volume carries its current size.</summary>
    [Parameter(Mandatory = true)]
    [SizeTransformation]
    public long SizeBytes { get; set; }

    /// <summary>Write the grown volume.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in TargetNames())
        {
            if (ShouldProcess(name, $"Grow volume and its replica to {Humane.Bytes(SizeBytes)}"))
            {
                ForItem(name, () =>
                {
                    var volume = Engine.Volumes.Resize(name, SizeBytes, Observer, Cancellation);
                    if (PassThru)
                    {
                        WriteObject(volume);
                    }
                });
            }
        }
    }
}
