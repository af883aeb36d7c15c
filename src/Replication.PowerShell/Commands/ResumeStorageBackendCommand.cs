using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Thaws a frozen backend (Cinder's thaw): changes on it are allowed again.</summary>
[Cmdlet(VerbsLifecycle.Resume, "StorageBackend", SupportsShouldProcess = true)]
[OutputType(typeof(StorageBackend))]
public sealed class ResumeStorageBackendCommand : ReplicationCmdlet
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
            if (ShouldProcess(name, "Thaw backend"))
            {
                ForItem(name, () =>
                {
                    var backend = Engine.Backends.Thaw(name);
                    if (PassThru)
                    {
                        WriteObject(backend);
                    }
                });
            }
        }
    }
}
