using Replication.ModuleClosure;
using Replication.PowerShell.Infrastructure;

// Usage: Replication.ModuleClosure <module folder>
// Exit 0 when Windows PowerShell 5.1 on .NET Framework 4.7.2 can bind every reference of every assembly it would load
// from the folder and SQLite's Windows natives are there; 1 when not (each problem named); 2 on bad usage.
if (args.Length != 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("Usage: Replication.ModuleClosure <module folder>");
    return 2;
}

var moduleFolder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(args[0]));
var platform = DesktopPlatform.Load(Path.Combine(AppContext.BaseDirectory, DesktopPlatform.FrameworkListFile));

// Windows PowerShell loads from the module folder itself and, through the resolver, from lib/netstandard2.0.
var desktopBuild = Path.Combine(moduleFolder, "lib", ShippedAssemblyRule.StandardBuild);
var assemblies = Directory.EnumerateFiles(moduleFolder, "*.dll", SearchOption.AllDirectories)
    .Order(StringComparer.Ordinal)
    .Select(path => ModuleAssembly.Read(path, moduleFolder))
    .OfType<ModuleAssembly>()
    .ToList();
var visible = assemblies.Where(assembly => Path.GetDirectoryName(assembly.Path) == moduleFolder || Path.GetDirectoryName(assembly.Path) == desktopBuild).ToList();

var problems = new List<string>();
if (!visible.Any(assembly => assembly.Identity.Name == "Replication.PowerShell"))
{
    problems.Add("Replication.PowerShell.dll is not in the folder: this is not a built module");
}

problems.AddRange(visible.Where(assembly => assembly.IsDotNetCoreOnly && Path.GetDirectoryName(assembly.Path) == desktopBuild)
    .Select(assembly => $"{assembly.RelativePath} is built for {assembly.TargetFramework}, in the folder Windows PowerShell loads from"));

var binder = new DesktopBinder(moduleFolder, platform, assemblies);
var desktop = visible.Where(assembly => !assembly.IsDotNetCoreOnly).ToList();
var bindings = desktop.SelectMany(assembly => assembly.References.Select(reference => binder.Bind(assembly, reference))).ToList();
problems.AddRange(bindings.Where(binding => binding.Source == BindingSource.Unbound)
    .Select(binding => $"{binding.Requester.RelativePath} references {binding.Reference.FullName}: {binding.Detail}"));
problems.AddRange(WindowsNativeLibraries.Problems(moduleFolder));

Console.WriteLine($"Module closure under Windows PowerShell 5.1 on {platform.FrameworkName} ({platform.FrameworkAssemblyCount} framework assemblies): {moduleFolder}");
Console.WriteLine($"  {desktop.Count} assemblies Windows PowerShell would load; {assemblies.Count - desktop.Count} built for .NET only, which it would not: " +
    string.Join(", ", assemblies.Except(desktop).Select(assembly => assembly.RelativePath)));
foreach (var group in bindings.GroupBy(binding => binding.Source).OrderBy(group => group.Key))
{
    Console.WriteLine($"  {group.Count(),3} references bound: {group.Key}");
}

// The conflicts .NET Framework would not bind by itself, each with the copy the resolver gives instead.
foreach (var binding in bindings.Where(binding => binding.Source == BindingSource.ModuleResolver))
{
    Console.WriteLine($"  by the resolver: {binding.Requester.Identity.Name} asks for {Identity.Display(binding.Reference)}, gets {binding.Detail}");
}

if (problems.Count == 0)
{
    Console.WriteLine($"Module closure: every reference binds; SQLite's native library is there for {WindowsNativeLibraries.Count} Windows architectures.");
    return 0;
}

foreach (var problem in problems)
{
    Console.WriteLine($"  FAIL: {problem}");
}

Console.WriteLine($"Module closure: {problems.Count} problem(s): Windows PowerShell 5.1 could not load this module as shipped.");
return 1;
