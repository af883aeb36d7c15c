using System;
using System.Collections;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Replication.Engine.Drivers.Loading;

/// <summary>
/// Modules that ship a storage driver say so in their manifest, as SecretManagement's vault extensions do:
/// <code>PrivateData = @{ ReplicationStorageDriver = @{ Assembly = 'ChunkFolderDriver.dll' } }</code>
/// The assembly's path is relative to the module's folder and must stay inside it. The host finds the modules (on
/// PSModulePath) and hands over what their manifests hold; this reads the declaration, knowing no PowerShell.
/// </summary>
public static class DriverModules
{
    public const string ManifestKey = "ReplicationStorageDriver";
    public const string AssemblyKey = "Assembly";

    /// <summary>The driver the module declares; null when its manifest declares none.</summary>
    public static StorageDriverModule? Read(string moduleName, Version? version, string moduleBase, object? privateData)
    {
        if (privateData is not IDictionary data || Find(data, ManifestKey) is not { } declared)
        {
            return null;
        }

        var module = new StorageDriverModule
        {
            ModuleName = moduleName,
            ModuleVersion = version?.ToString() ?? "",
            ModuleBase = moduleBase,
        };
        var assembly = declared is IDictionary declaration ? Convert.ToString(Find(declaration, AssemblyKey), CultureInfo.InvariantCulture) : null;
        if (string.IsNullOrWhiteSpace(assembly))
        {
            return module with { Problem = $"PrivateData.{ManifestKey} must be a hashtable with {AssemblyKey} = '<file>.dll', a path relative to the module's folder." };
        }

        var folder = Path.GetFullPath(moduleBase).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(Path.Combine(folder, assembly));
        if (Path.IsPathRooted(assembly) || !path.StartsWith(folder, StringComparison.Ordinal))
        {
            return module with { Problem = $"The declared assembly '{assembly}' is not inside the module's folder '{folder.TrimEnd(Path.DirectorySeparatorChar)}'." };
        }

        return File.Exists(path) ? module with { AssemblyPath = path } : module with { AssemblyPath = path, Problem = $"The declared assembly '{path}' is not there." };
    }

    /// <summary>A manifest's hashtables are not case-sensitive; a dictionary handed over may be.</summary>
    private static object? Find(IDictionary data, string key) =>
        data.Keys.Cast<object>().FirstOrDefault(k => string.Equals(Convert.ToString(k, CultureInfo.InvariantCulture), key, StringComparison.OrdinalIgnoreCase)) is { } found ? data[found] : null;
}
