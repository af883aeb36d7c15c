using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Replication.PowerShell.Infrastructure;

/// <summary>
/// Loads the assemblies the module ships in two builds, from lib/net8.0 on .NET 8 or later (PowerShell 7.4+) and from
/// lib/netstandard2.0 elsewhere (Windows PowerShell, older PowerShell 7). System.IO.Hashing is one: its net8.0 build
/// hashes blocks with vector instructions, about six times faster than the netstandard2.0 build a single copy in the
/// module folder would have to be. Neither build is in the module folder itself, so nothing finds one before this does.
/// </summary>
internal static class ManagedLibraryResolver
{
    private static readonly string[] TwoBuildAssemblies = { "System.IO.Hashing" };

    private static readonly string ModuleFolder = Path.GetDirectoryName(typeof(ManagedLibraryResolver).Assembly.Location)!;

    private static bool _registered;

    /// <summary>The lib/ folder whose builds this runtime loads.</summary>
    public static string BuildFolder { get; } =
        !RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal) && Environment.Version.Major >= 8 ? "net8.0" : "netstandard2.0";

    public static void Register()
    {
        if (_registered)
        {
            return;
        }

        _registered = true;
        AppDomain.CurrentDomain.AssemblyResolve += Resolve;
    }

    private static Assembly? Resolve(object? sender, ResolveEventArgs args)
    {
        var name = new AssemblyName(args.Name).Name;
        if (Array.IndexOf(TwoBuildAssemblies, name) < 0)
        {
            return null;
        }

        var path = Path.Combine(ModuleFolder, "lib", BuildFolder, name + ".dll");
        return File.Exists(path) ? Assembly.LoadFrom(path) : null;
    }
}
