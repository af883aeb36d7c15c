using System;
using System.Reflection;

namespace Replication.PowerShell.Infrastructure;

/// <summary>
/// The module's own AssemblyLoadContext on .NET (PowerShell 7), as PSResourceGet keeps its dependencies: a copy loaded
/// here lives beside an older one PowerShell already holds (PowerShell 7.4.0 and 7.4.1 ship Microsoft.Bcl.AsyncInterfaces
/// 5.0.0, where Polly.Core asks for 6.0). Absent on .NET Framework, which has no load contexts; the assembly targets
/// netstandard2.0, so the type is reached by reflection. What loads here resolves its references through the default
/// context first (the runtime and PowerShell), then through the module's resolver.
/// </summary>
internal sealed class ModuleLoadContext
{
    private readonly Type _type;
    private readonly object _context;
    private readonly MethodInfo _loadFromAssemblyPath;

    private ModuleLoadContext(Type loadContextType)
    {
        _type = loadContextType;
        _context = loadContextType.GetConstructor(new[] { typeof(string), typeof(bool) })!.Invoke(new object[] { "Replication.PowerShell", false });
        _loadFromAssemblyPath = loadContextType.GetMethod("LoadFromAssemblyPath", new[] { typeof(string) })!;
    }

    /// <summary>The context on .NET; null on .NET Framework.</summary>
    public static ModuleLoadContext? Instance { get; } =
        typeof(object).Assembly.GetType("System.Runtime.Loader.AssemblyLoadContext") is { } type ? new ModuleLoadContext(type) : null;

    /// <summary>Loads the file, or returns the copy this context already loaded from it.</summary>
    public Assembly LoadFromAssemblyPath(string path) => (Assembly)_loadFromAssemblyPath.Invoke(_context, new object[] { path })!;

    /// <summary>
    /// Hands the loads that the default context and this one cannot bind to <paramref name="resolve"/>, through their
    /// Resolving events. These come before AppDomain.AssemblyResolve, where .NET's handler for Assembly.LoadFrom (how
    /// PowerShell loads modules) throws on a version mismatch instead of letting a later handler answer.
    /// </summary>
    public void AnswerUnresolved(Func<AssemblyName, Assembly?> resolve)
    {
        var resolving = _type.GetEvent("Resolving")!;
        var onResolving = typeof(ResolvingHandler).GetMethod(nameof(ResolvingHandler.OnResolving))!;
        var handler = Delegate.CreateDelegate(resolving.EventHandlerType!, new ResolvingHandler(resolve), onResolving);
        resolving.AddEventHandler(_type.GetProperty("Default", BindingFlags.Public | BindingFlags.Static)!.GetValue(null), handler);
        resolving.AddEventHandler(_context, handler);
    }

    /// <summary>Bound to Func&lt;AssemblyLoadContext, AssemblyName, Assembly?&gt;; the context parameter is taken as object.</summary>
    private sealed class ResolvingHandler
    {
        private readonly Func<AssemblyName, Assembly?> _resolve;

        public ResolvingHandler(Func<AssemblyName, Assembly?> resolve) => _resolve = resolve;

        public Assembly? OnResolving(object context, AssemblyName name) => _resolve(name);
    }
}
