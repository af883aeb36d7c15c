using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;

namespace Replication.Drivers.LoadContext;

/// <summary>
/// One driver assembly and its own dependencies, apart from the module's: a driver built against another version of a
/// library the module ships gets its own copy. Two kinds of assembly are not the driver's: the driver contract, shared
/// with the module (its types are the ones the engine calls), and the runtime's own (System.*, from the default context).
/// Anything else the driver does not carry (PowerShell's own assemblies, say) falls back to the default context.
/// </summary>
public sealed class DriverLoadContext : AssemblyLoadContext
{
    // The runtime's own assemblies: the trusted platform assemblies in the runtime's folder. The rest of that list is the
    // host's (PowerShell ships Newtonsoft.Json, say), which a driver must not be handed in place of its own copy.
    private static readonly HashSet<string> PlatformAssemblies = new(
        ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => string.Equals(Path.GetDirectoryName(path), Path.GetDirectoryName(typeof(object).Assembly.Location), StringComparison.Ordinal))
            .Select(Path.GetFileNameWithoutExtension)!,
        StringComparer.OrdinalIgnoreCase);

    private static readonly Assembly Contract = typeof(IStorageDriver).Assembly;

    private readonly string _folder;
    private readonly AssemblyDependencyResolver _resolver;

    private DriverLoadContext(string driverPath)
        : base("Replication driver " + Path.GetFileNameWithoutExtension(driverPath))
    {
        _folder = Path.GetDirectoryName(driverPath)!;
        _resolver = new AssemblyDependencyResolver(driverPath);
    }

    /// <summary>Loads the driver assembly at the path into a new context of its own. Called by the engine through reflection.</summary>
    public static Assembly LoadDriver(string driverPath) => new DriverLoadContext(driverPath).LoadFromAssemblyPath(driverPath);

    protected override Assembly? Load(AssemblyName name)
    {
        if (string.Equals(name.Name, Contract.GetName().Name, StringComparison.OrdinalIgnoreCase))
        {
            return Contract;
        }

        if (name.Name is null || PlatformAssemblies.Contains(name.Name))
        {
            return null;
        }

        // The driver's .deps.json first; without one, a file of that name beside the driver.
        var path = _resolver.ResolveAssemblyToPath(name) ?? Path.Combine(_folder, name.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
}
