using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>
/// Moves volumes to another backend, their replicas to that backend's partner: copied, a final delta pass, recorded in one
/// transaction, the old copies removed. How a backend is emptied before Remove-StorageBackend.
/// </summary>
[Cmdlet(VerbsCommon.Move, "Volume", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = NameSet)]
[OutputType(typeof(Volume))]
public sealed class MoveVolumeCommand : VolumeTargetCommand
{
    /// <summary>The backend to move to. Never taken from the pipeline, where a volume carries the backend it is on.</summary>
    [Parameter(Mandatory = true)]
    [ArgumentCompleter(typeof(BackendNameCompleter))]
    public string Backend { get; set; } = "";

    /// <summary>Write the moved volume.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override bool ShowsRunProgress => true;

    protected override void ProcessRecord()
    {
        foreach (var name in TargetNames())
        {
            if (ShouldProcess(name, $"Move volume (and its replica, to the partner) to backend '{Backend}'"))
            {
                ForItem(name, () =>
                {
                    var volume = Engine.Volumes.Migrate(name, Backend, Observer, Cancellation);
                    if (PassThru)
                    {
                        WriteObject(volume);
                    }
                });
            }
        }
    }
}
