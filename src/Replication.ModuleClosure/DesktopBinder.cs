using System.Reflection;
using Replication.PowerShell.Infrastructure;

namespace Replication.ModuleClosure;

/// <summary>Where a reference binds under Windows PowerShell 5.1, or that it does not.</summary>
internal enum BindingSource
{
    Framework,
    WindowsPowerShell,
    ShippedBeside,
    ModuleResolver,
    Unbound,
}

internal sealed record Binding(ModuleAssembly Requester, AssemblyName Reference, BindingSource Source, string Detail);

/// <summary>
/// How .NET Framework binds a reference made by one of the module's assemblies in Windows PowerShell 5.1, which loads
/// a module with Assembly.LoadFrom and applies no binding redirects for it:
/// <list type="number">
/// <item>the GAC: .NET Framework's own assemblies (older versions unified with the installed one) and Windows PowerShell's;</item>
/// <item>probing the requester's own folder (the LoadFrom context): a file of that name with exactly the referenced
/// identity (a strong name binds by exact version; a simple name by name alone);</item>
/// <item>AppDomain.AssemblyResolve: the module's ManagedLibraryResolver, by ShippedAssemblyRule, compiled here from the
/// module's own source.</item>
/// </list>
/// A file found by either of the last two must be one .NET Framework can run (not built for .NET Core only).
/// </summary>
internal sealed class DesktopBinder
{
    private readonly string _moduleFolder;
    private readonly DesktopPlatform _platform;
    private readonly IReadOnlyDictionary<string, ModuleAssembly> _byPath;

    public DesktopBinder(string moduleFolder, DesktopPlatform platform, IEnumerable<ModuleAssembly> assemblies)
    {
        _moduleFolder = moduleFolder;
        _platform = platform;
        _byPath = assemblies.ToDictionary(assembly => assembly.Path, StringComparer.Ordinal);
    }

    public Binding Bind(ModuleAssembly requester, AssemblyName reference)
    {
        if (_platform.FrameworkAnswer(reference) is { } framework)
        {
            return new Binding(requester, reference, BindingSource.Framework, $"{_platform.FrameworkName}'s {Identity.Display(framework)}");
        }

        if (DesktopPlatform.WindowsPowerShellAnswer(reference) is { } host)
        {
            return new Binding(requester, reference, BindingSource.WindowsPowerShell, $"Windows PowerShell's {Identity.Display(host)}");
        }

        var beside = Path.Combine(Path.GetDirectoryName(requester.Path)!, reference.Name + ".dll");
        if (_byPath.TryGetValue(beside, out var probed) && (Identity.IsStrongNamed(reference) ? Identity.Same(reference, probed.Identity) : Identity.SameToken(reference, probed.Identity)))
        {
            return Runnable(requester, reference, probed, BindingSource.ShippedBeside, $"{probed.RelativePath} beside it");
        }

        var shippedPath = ShippedAssemblyRule.Find(_moduleFolder, ShippedAssemblyRule.StandardBuild, reference.Name!);
        if (shippedPath is not null && _byPath.TryGetValue(shippedPath, out var shipped) && ShippedAssemblyRule.Answers(reference, AssemblyName.GetAssemblyName(shippedPath)))
        {
            return Runnable(requester, reference, shipped, BindingSource.ModuleResolver, $"{shipped.RelativePath} {shipped.Identity.Version}");
        }

        var why = shippedPath is null
            ? $"neither {_platform.FrameworkName} nor Windows PowerShell has it and the module ships no copy"
            : $"the module ships {Path.GetRelativePath(_moduleFolder, shippedPath)} as {AssemblyName.GetAssemblyName(shippedPath).FullName}, which its resolver does not give for this request";
        return new Binding(requester, reference, BindingSource.Unbound, why);
    }

    private static Binding Runnable(ModuleAssembly requester, AssemblyName reference, ModuleAssembly found, BindingSource source, string detail) =>
        found.IsDotNetCoreOnly
            ? new Binding(requester, reference, BindingSource.Unbound, $"it binds to {found.RelativePath}, built for {found.TargetFramework}, which .NET Framework cannot run")
            : new Binding(requester, reference, source, detail);
}
