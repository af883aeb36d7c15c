using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Replication.PowerShell.Infrastructure;

/// <summary>
/// Answers the loads of the module's own assemblies that the runtime could not bind, by ShippedAssemblyRule: the
/// module's copy, from lib/&lt;build&gt; or the module folder, when it is the assembly asked for at that version or later.
/// <list type="bullet">
/// <item>Assemblies shipped in two builds (lib/net8.0 and lib/netstandard2.0, none in the module folder itself) load
/// only through here, the build for the running .NET. System.IO.Hashing is one: its net8.0 build hashes blocks with
/// vector instructions, about six times faster than the netstandard2.0 build.</item>
/// <item>On Windows PowerShell (.NET Framework, no binding redirects for modules), a request for an older version of a
/// shipped strong-named assembly (System.Memory 4.0.1.1 beside the shipped 4.0.2.0, and the like) gets the shipped
/// copy, loaded as PowerShell loads the module (Assembly.LoadFrom).</item>
/// <item>On PowerShell 7 the copy loads where PowerShell loads the module's other assemblies (the default context),
/// unless PowerShell itself holds another version there (Microsoft.Bcl.AsyncInterfaces 5.0.0 in 7.4.0 and 7.4.1): then
/// into the module's own load context, beside PowerShell's.</item>
/// </list>
/// On Windows PowerShell only requests from the module's own assemblies (or from no known assembly) are answered; on
/// PowerShell 7 the Resolving events name no requester, so any request the rule fits is answered.
/// </summary>
internal static class ManagedLibraryResolver
{
    private static readonly string ModuleFolder = Path.GetDirectoryName(typeof(ManagedLibraryResolver).Assembly.Location)!;

    private static bool _registered;

    /// <summary>The lib/ folder whose builds this runtime loads.</summary>
    public static string BuildFolder { get; } =
        !RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal) && Environment.Version.Major >= 8
            ? ShippedAssemblyRule.Net8Build
            : ShippedAssemblyRule.StandardBuild;

    public static void Register()
    {
        if (_registered)
        {
            return;
        }

        _registered = true;
        if (ModuleLoadContext.Instance is { } context)
        {
            // .NET: the load contexts' Resolving events come before .NET's handler for Assembly.LoadFrom dependencies,
            // which throws on a version mismatch instead of letting a later AssemblyResolve handler answer.
            context.AnswerUnresolved(Resolve);
        }
        else
        {
            AppDomain.CurrentDomain.AssemblyResolve += (_, args) =>
                args.RequestingAssembly is { } requester && !IsModuleAssembly(requester) ? null : Resolve(new AssemblyName(args.Name));
        }
    }

    private static Assembly? Resolve(AssemblyName requested)
    {
        if (requested.Name is null || ShippedAssemblyRule.Find(ModuleFolder, BuildFolder, requested.Name) is not { } path
            || !ShippedAssemblyRule.Answers(requested, AssemblyName.GetAssemblyName(path)))
        {
            return null;
        }

        return ModuleLoadContext.Instance is { } context ? LoadOnDotNet(context, path) : Assembly.LoadFrom(path);
    }

    private static Assembly LoadOnDotNet(ModuleLoadContext context, string path)
    {
        try
        {
            // Where PowerShell loads the module's other assemblies: they must share one copy of each (SQLite's provider
            // is set on the SQLitePCLRaw.core that Microsoft.Data.Sqlite sees).
            return Assembly.LoadFrom(path);
        }
        catch (FileLoadException)
        {
            // The default context holds another version of this assembly (PowerShell's own): the module's copy goes beside it.
            return context.LoadFromAssemblyPath(path);
        }
    }

    private static bool IsModuleAssembly(Assembly assembly) =>
        !assembly.IsDynamic && assembly.Location.StartsWith(ModuleFolder + Path.DirectorySeparatorChar, StringComparison.OrdinalIgnoreCase);
}
