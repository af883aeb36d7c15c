using System.Management.Automation;
using Replication.Engine.Drivers.Loading;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Forgets a registered storage driver; its assembly and the backends defined with it are left alone.</summary>
[Cmdlet(VerbsLifecycle.Unregister, "StorageDriver", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class UnregisterStorageDriverCommand : ReplicationCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RegisteredDriverNameCompleter))]
    public string[] Name { get; set; } = System.Array.Empty<string>();

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (ShouldProcess(name, "Unregister storage driver"))
            {
                ForItem(name, () => new StorageDriverCatalog(Engine.Context).Unregister(name));
            }
        }
    }
}
