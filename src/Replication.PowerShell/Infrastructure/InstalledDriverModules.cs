using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Replication.Engine.Drivers.Loading;

namespace Replication.PowerShell.Infrastructure;

/// <summary>The modules on PSModulePath whose manifest declares a storage driver (Get-Module -ListAvailable, read in the caller's session).</summary>
internal static class InstalledDriverModules
{
    public static IReadOnlyList<StorageDriverModule> Find(string? name = null)
    {
        using var shell = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
        shell.AddCommand("Microsoft.PowerShell.Core\\Get-Module").AddParameter("ListAvailable");
        if (name is not null)
        {
            shell.AddParameter("Name", name);
        }

        return shell.Invoke<PSModuleInfo>()
            .Select(m => DriverModules.Read(m.Name, m.Version, m.ModuleBase, m.PrivateData))
            .OfType<StorageDriverModule>()
            .OrderBy(m => m.ModuleName, System.StringComparer.OrdinalIgnoreCase)
            .ToList();
    }
}
