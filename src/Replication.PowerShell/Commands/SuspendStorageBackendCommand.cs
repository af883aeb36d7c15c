using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Freezes a backend (Cinder's freeze): nothing on it changes through the module until Resume-StorageBackend; sync rounds go on.</summary>
[Cmdlet(VerbsLifecycle.Suspend, "StorageBackend", SupportsShouldProcess = true)]
[OutputType(typeof(StorageBackend))]
public sealed class SuspendStorageBackendCommand : ReplicationCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Backend")]
    [ArgumentCompleter(typeof(BackendNameCompleter))]
    public string[] Name { get; set; } = System.Array.Empty<string>();

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (ShouldProcess(name, "Freeze backend: refuse create, delete, promotion and re-enable on it"))
            {
                ForItem(name, () =>
                {
                    var backend = Engine.Backends.Freeze(name);
                    if (PassThru)
                    {
                        WriteObject(backend);
                    }
                });
            }
        }
    }
}
