using System.Management.Automation;
using Replication.Engine.Drivers.Loading;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>
/// Registers a storage driver from its own assembly, or from an installed module whose manifest declares one, kept in
/// the state store: no rebuild of the module.
/// </summary>
[Cmdlet(VerbsLifecycle.Register, "StorageDriver", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
[OutputType(typeof(StorageDriverDescription))]
public sealed class RegisterStorageDriverCommand : ReplicationCmdlet
{
    private const string PathSet = "Path";
    private const string ModuleSet = "Module";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [Alias("FullName")]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ModuleSet)]
    [ArgumentCompleter(typeof(DriverModuleNameCompleter))]
    public string ModuleName { get; set; } = "";

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ModuleSet)
        {
            if (ShouldProcess(ModuleName, "Register the storage driver of module"))
            {
                ForItem(ModuleName, () => WriteObject(new StorageDriverCatalog(Engine.Context).RegisterModule(ModuleName, InstalledDriverModules.Find(ModuleName))));
            }

            return;
        }

        var file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (ShouldProcess(file, "Register storage driver"))
        {
            ForItem(file, () => WriteObject(new StorageDriverCatalog(Engine.Context).Register(file)));
        }
    }
}
