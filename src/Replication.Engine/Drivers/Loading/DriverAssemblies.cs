using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Replication.Drivers;
using Replication.Engine.Errors;

namespace Replication.Engine.Drivers.Loading;

/// <summary>
/// Loads a storage driver from its own assembly, once per process. On PowerShell 7 (.NET) each driver assembly gets a
/// load context of its own (Replication.Drivers.LoadContext, a net8.0 assembly beside this one, loaded on first use), so
/// its dependencies never clash with the module's; only the driver contract is shared. Windows PowerShell (.NET
/// Framework) has no load contexts: there the assembly is loaded with Assembly.LoadFrom, its dependencies found beside
/// it, and a dependency the module also ships is the module's copy.
/// </summary>
internal static class DriverAssemblies
{
    private const string LoadContextAssembly = "Replication.Drivers.LoadContext";
    private const string LoadContextType = "Replication.Drivers.LoadContext.DriverLoadContext";

    private static readonly ConcurrentDictionary<string, IStorageDriver> Loaded = new(StringComparer.Ordinal);

    public static bool IsDotNetFramework { get; } = RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

    /// <summary>The file's SHA-256, hex.</summary>
    public static string Sha256Of(string path)
    {
        using var sha = SHA256.Create();
        using var file = File.OpenRead(path);
        return string.Concat(sha.ComputeHash(file).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>The driver in the assembly at the full path, which must still have the SHA-256 it was registered with.</summary>
    public static IStorageDriver Load(string path, string sha256)
    {
        if (!File.Exists(path))
        {
            throw Failed(path, "the file is not there");
        }

        if (!string.Equals(Sha256Of(path), sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw Failed(path, "the file changed since it was registered (its SHA-256 differs); register it again if the change is yours");
        }

        return Loaded.GetOrAdd(path + "|" + sha256, _ => Instantiate(path, LoadAssembly(path)));
    }

    private static Assembly LoadAssembly(string path)
    {
        try
        {
            return IsDotNetFramework ? Assembly.LoadFrom(path) : LoadIsolated(path);
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or FileNotFoundException)
        {
            throw Failed(path, ex.Message, ex);
        }
    }

    private static Assembly LoadIsolated(string path)
    {
        var folder = Path.GetDirectoryName(typeof(DriverAssemblies).Assembly.Location) ?? "";
        var contextPath = Path.Combine(folder, LoadContextAssembly + ".dll");
        if (!File.Exists(contextPath))
        {
            throw Failed(path, $"{LoadContextAssembly}.dll is missing beside {Path.GetFileName(typeof(DriverAssemblies).Assembly.Location)} in '{folder}' (an incomplete installation)");
        }

        var loadDriver = Assembly.LoadFrom(contextPath).GetType(LoadContextType, throwOnError: true)!.GetMethod("LoadDriver", new[] { typeof(string) })!;
        try
        {
            return (Assembly)loadDriver.Invoke(null, new object[] { path })!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    /// <summary>The one public class in the assembly that implements IStorageDriver, made with its parameterless constructor.</summary>
    private static IStorageDriver Instantiate(string path, Assembly assembly)
    {
        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (Exception ex) when (ex is ReflectionTypeLoadException or FileNotFoundException or FileLoadException)
        {
            throw Failed(path, $"its types cannot be loaded ({ex.Message})", ex);
        }

        var drivers = types.Where(t => t.IsClass && !t.IsAbstract && typeof(IStorageDriver).IsAssignableFrom(t)).ToList();
        if (drivers.Count != 1)
        {
            var found = drivers.Count == 0
                ? $"no public class implementing {typeof(IStorageDriver).FullName} (built against another copy of the contract than {typeof(IStorageDriver).Assembly.GetName().Version}?)"
                : $"{drivers.Count} public classes implementing {nameof(IStorageDriver)} ({string.Join(", ", drivers.Select(d => d.FullName))}); one assembly holds one driver";
            throw Failed(path, $"it has {found}");
        }

        if (drivers[0].GetConstructor(Type.EmptyTypes) is not { } constructor)
        {
            throw Failed(path, $"{drivers[0].FullName} has no public parameterless constructor");
        }

        try
        {
            return (IStorageDriver)constructor.Invoke(Array.Empty<object>());
        }
        catch (TargetInvocationException ex)
        {
            throw Failed(path, $"{drivers[0].FullName}'s constructor failed: {ex.InnerException?.Message}", ex.InnerException);
        }
    }

    private static ReplicationException Failed(string path, string why, Exception? inner = null) =>
        new(ErrorIds.DriverLoadFailed, ErrorKind.InvalidData, $"The storage driver in '{path}' cannot be loaded: {why}.", path, inner);
}
