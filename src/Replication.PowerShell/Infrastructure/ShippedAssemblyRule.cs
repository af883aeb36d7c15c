using System;
using System.IO;
using System.Linq;
using System.Reflection;

namespace Replication.PowerShell.Infrastructure;

/// <summary>
/// Which of the module's own assemblies answers a load the runtime could not bind. ManagedLibraryResolver answers by
/// this rule, and the build's closure check (src/Replication.ModuleClosure) compiles this same file, so the check
/// judges the shipped folder by the rule the module runs.
/// </summary>
/// <remarks>
/// .NET Framework binds a strong-named reference to its exact version only, and Windows PowerShell applies no binding
/// redirects for modules: without this rule, Polly.Core's request for System.Runtime.CompilerServices.Unsafe 4.0.4.1
/// fails beside the 6.0.0.0 the module ships. The rule is what a binding redirect to the shipped version would do.
/// </remarks>
internal static class ShippedAssemblyRule
{
    /// <summary>The lib/ build that Windows PowerShell (.NET Framework) and PowerShell on .NET before 8 load.</summary>
    public const string StandardBuild = "netstandard2.0";

    /// <summary>The lib/ build that PowerShell 7.4 and later (.NET 8 or later) load.</summary>
    public const string Net8Build = "net8.0";

    /// <summary>The module's copy of an assembly for a runtime that loads <paramref name="build"/>: lib/&lt;build&gt; first, then the module folder.</summary>
    public static string? Find(string moduleFolder, string build, string simpleName)
    {
        foreach (var folder in new[] { Path.Combine(moduleFolder, "lib", build), moduleFolder })
        {
            var path = Path.Combine(folder, simpleName + ".dll");
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    /// <summary>
    /// The module's copy answers a request for the same assembly (simple name, culture, public key token) at the
    /// copy's version or lower. A request that names no token (a partial name) accepts any.
    /// </summary>
    public static bool Answers(AssemblyName requested, AssemblyName shipped) =>
        string.Equals(requested.Name, shipped.Name, StringComparison.OrdinalIgnoreCase)
        && string.Equals(requested.CultureName ?? "", shipped.CultureName ?? "", StringComparison.OrdinalIgnoreCase)
        && (requested.GetPublicKeyToken() is not { } token || token.SequenceEqual(shipped.GetPublicKeyToken() ?? Array.Empty<byte>()))
        && (requested.Version ?? new Version(0, 0)) <= (shipped.Version ?? new Version(0, 0));
}
