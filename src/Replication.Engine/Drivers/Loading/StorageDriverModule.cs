namespace Replication.Engine.Drivers.Loading;

/// <summary>An installed PowerShell module whose manifest declares a storage driver, as Get-StorageDriver -ListAvailable shows it.</summary>
public sealed record StorageDriverModule
{
    public string ModuleName { get; init; } = "";

    public string ModuleVersion { get; init; } = "";

    /// <summary>The module's folder.</summary>
    public string ModuleBase { get; init; } = "";

    /// <summary>The full path of the driver assembly the manifest declares; empty when the declaration is unusable.</summary>
    public string AssemblyPath { get; init; } = "";

    /// <summary>The name the driver is registered under in this state store, when its assembly is; null otherwise.</summary>
    public string? RegisteredAs { get; init; }

    /// <summary>Why the module's declaration cannot be registered; null when it can.</summary>
    public string? Problem { get; init; }

    public override string ToString() => $"{ModuleName} {ModuleVersion}";
}
