using System.Management.Automation;

namespace Replication.PowerShell.Infrastructure;

/// <summary>Runs once when the module is imported.</summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    public void OnImport()
    {
        NativeLibraryResolver.Register();
        ManagedLibraryResolver.Register();
        SecretManagementVault.Register();
    }
}
