using System;
using System.IO;
using Replication.Engine.State;

namespace Replication.PowerShell.Infrastructure;

/// <summary>Which state store the session uses and why.</summary>
public sealed class StateStoreInfo
{
    private StateStoreInfo(StateAddress address, string source)
    {
        Kind = address.Kind.ToString();
        Location = address.Display;
        Source = source;
        if (address.Kind == StateStoreKind.Sqlite)
        {
            Path = address.Value;
            Exists = File.Exists(address.Value);
        }
        else
        {
            ConnectionString = address.Display;
        }
    }

    /// <summary>Sqlite (a state file) or PostgreSql (a shared database).</summary>
    public string Kind { get; }

    /// <summary>The file path, or the connection string without its password.</summary>
    public string Location { get; }

    /// <summary>The state file; empty for a PostgreSQL store.</summary>
    public string? Path { get; }

    /// <summary>The PostgreSQL connection string without its password; empty for a state file.</summary>
    public string? ConnectionString { get; }

    /// <summary>Session (Set-ReplicationStateStore), Environment (REPLICATION_POWERSHELL_STATE) or Default (per-user folder).</summary>
    public string Source { get; }

    /// <summary>Whether the state file exists; empty for a PostgreSQL store, which this does not connect to.</summary>
    public bool? Exists { get; }

    public override string ToString() => Location;

    internal static StateStoreInfo Current() => new(
        EngineSessions.CurrentAddress,
        EngineSessions.SessionAddress is not null ? "Session"
            : string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(StateLocation.EnvironmentVariable)) ? "Default" : "Environment");
}
