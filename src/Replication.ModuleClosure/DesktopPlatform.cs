using System.Reflection;
using System.Xml.Linq;

namespace Replication.ModuleClosure;

/// <summary>
/// What a Windows PowerShell 5.1 process on .NET Framework 4.7.2 holds before the module loads: the framework's own
/// assemblies, facades and netstandard.dll included (its FrameworkList, every one in the GAC), and Windows PowerShell's.
/// </summary>
internal sealed class DesktopPlatform
{
    /// <summary>The list of what .NET Framework 4.7.2 installs, copied beside this tool from its reference assemblies package.</summary>
    public const string FrameworkListFile = "NetFramework472.FrameworkList.xml";

    // Windows PowerShell 5.1's engine in the GAC; PowerShellStandard.Library 5.1 compiles against this identity.
    private static readonly AssemblyName[] WindowsPowerShell =
    {
        new("System.Management.Automation, Version=3.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35"),
    };

    private readonly Dictionary<string, AssemblyName> _framework;

    private DesktopPlatform(string frameworkName, Dictionary<string, AssemblyName> framework)
    {
        FrameworkName = frameworkName;
        _framework = framework;
    }

    /// <summary>The framework the list describes, as it names itself (".NET Framework 4.7.2").</summary>
    public string FrameworkName { get; }

    public int FrameworkAssemblyCount => _framework.Count;

    public static DesktopPlatform Load(string frameworkListPath)
    {
        var list = XDocument.Load(frameworkListPath).Root!;
        var framework = new Dictionary<string, AssemblyName>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in list.Elements("File"))
        {
            var name = new AssemblyName(
                $"{file.Attribute("AssemblyName")!.Value}, Version={file.Attribute("Version")!.Value}, " +
                $"Culture={file.Attribute("Culture")?.Value ?? "neutral"}, PublicKeyToken={file.Attribute("PublicKeyToken")!.Value}");
            framework[name.Name!] = name;
        }

        if (!framework.ContainsKey("netstandard") || !framework.ContainsKey("mscorlib"))
        {
            throw new InvalidDataException($"{frameworkListPath} does not list mscorlib and netstandard: not a .NET Framework FrameworkList.");
        }

        return new DesktopPlatform(list.Attribute("Name")?.Value ?? ".NET Framework", framework);
    }

    /// <summary>
    /// The framework assembly a reference binds to: the same name and token at the reference's version or later
    /// (.NET Framework unifies references to older versions of its own assemblies with the installed one).
    /// </summary>
    public AssemblyName? FrameworkAnswer(AssemblyName reference) =>
        _framework.TryGetValue(reference.Name!, out var installed) && Identity.SameToken(reference, installed) && reference.Version! <= installed.Version!
            ? installed
            : null;

    /// <summary>Windows PowerShell's assembly a reference binds to: the same identity, version included.</summary>
    public static AssemblyName? WindowsPowerShellAnswer(AssemblyName reference) =>
        WindowsPowerShell.FirstOrDefault(assembly => Identity.Same(reference, assembly));
}
