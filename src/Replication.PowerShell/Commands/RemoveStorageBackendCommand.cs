using System.Management.Automation;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Removes a backend definition; its folder and files are left alone. Refused while volumes use the backend.</summary>
[Cmdlet(VerbsCommon.Remove, "StorageBackend", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class RemoveStorageBackendCommand : ReplicationCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(BackendNameCompleter))]
    public string[] Name { get; set; } = System.Array.Empty<string>();

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (ShouldProcess(name, "Remove storage backend definition"))
            {
                ForItem(name, () => Engine.Backends.Remove(name));
            }
        }
    }
}
