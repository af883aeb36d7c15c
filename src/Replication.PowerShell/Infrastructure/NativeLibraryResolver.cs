using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Replication.PowerShell.Infrastructure;

/// <summary>
/// Finds SQLite's native library in the module's own runtimes/&lt;rid&gt;/native folder. PowerShell resolves native
/// libraries against pwsh's folder, never a module's, so without this the module loads but its first SQLite call fails.
/// The assembly targets netstandard2.0, so .NET's NativeLibrary and AssemblyLoadContext are reached by reflection.
/// </summary>
internal static class NativeLibraryResolver
{
    private const string SqliteLibrary = "e_sqlite3";

    private static readonly string ModuleFolder = Path.GetDirectoryName(typeof(NativeLibraryResolver).Assembly.Location)!;

    private static bool _registered;

    public static void Register()
    {
        if (_registered)
        {
            return;
        }

        _registered = true;
        var loadContextType = Type.GetType("System.Runtime.Loader.AssemblyLoadContext, System.Runtime.Loader");
        var nativeLibraryType = Type.GetType("System.Runtime.InteropServices.NativeLibrary, System.Runtime.InteropServices");
        if (loadContextType is not null && nativeLibraryType is not null)
        {
            RegisterOnCoreClr(loadContextType, nativeLibraryType);
        }
        else if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            // Windows PowerShell (.NET Framework): a library loaded by full path satisfies later DllImports of its name.
            if (Find(SqliteLibrary) is { } path)
            {
                LoadLibraryW(path);
            }
        }
    }

    /// <summary>The native library for this OS and architecture, if the module ships one.</summary>
    public static string? Find(string name)
    {
        var fileName = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? $"{name}.dll"
            : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? $"lib{name}.dylib"
            : $"lib{name}.so";
        foreach (var rid in RuntimeIdentifiers())
        {
            var candidate = Path.Combine(ModuleFolder, "runtimes", rid, "native", fileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static void RegisterOnCoreClr(Type loadContextType, Type nativeLibraryType)
    {
        var defaultContext = loadContextType.GetProperty("Default", BindingFlags.Public | BindingFlags.Static)!.GetValue(null);
        var resolving = loadContextType.GetEvent("ResolvingUnmanagedDll")!;
        var load = nativeLibraryType.GetMethod("Load", new[] { typeof(string) })!;
        Func<Assembly, string, IntPtr> handler = (_, name) =>
            name == SqliteLibrary && Find(name) is { } path ? (IntPtr)load.Invoke(null, new object[] { path })! : IntPtr.Zero;
        resolving.AddEventHandler(defaultContext, handler);
    }

    private static string[] RuntimeIdentifiers()
    {
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "x86",
            Architecture.Arm => "arm",
            var other => other.ToString().ToLowerInvariant(),
        };
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return new[] { $"win-{arch}" };
        }

        if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
        {
            return new[] { $"osx-{arch}", "osx" };
        }

        // Alpine and other musl systems need the musl build; glibc systems the plain one.
        var musl = Directory.Exists("/lib") && Directory.GetFiles("/lib", "ld-musl-*").Length > 0;
        return musl ? new[] { $"linux-musl-{arch}", $"linux-{arch}" } : new[] { $"linux-{arch}" };
    }

    [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
    private static extern IntPtr LoadLibraryW(string path);
}
