using System;
using System.IO;
using Replication.Engine.State;

namespace Replication.PowerShell.Infrastructure;

/// <summary>Which state file the session uses and why.</summary>
public sealed class StateStoreInfo
{
    private StateStoreInfo(string path, string source)
    {
        Path = path;
        Source = source;
        Exists = File.Exists(path);
    }

    public string Path { get; }

    /// <summary>Session (Set-ReplicationStateStore), Environment (REPLICATION_POWERSHELL_STATE) or Default (per-user folder).</summary>
    public string Source { get; }

    public bool Exists { get; }

    public override string ToString() => Path;

    internal static StateStoreInfo Current() => new(
        EngineSessions.CurrentPath,
        EngineSessions.SessionPath is not null ? "Session"
            : string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(StateLocation.EnvironmentVariable)) ? "Default" : "Environment");
}
