using System;
using System.Collections.Concurrent;
using System.IO;
using System.Management.Automation.Runspaces;
using Replication.Engine;
using Replication.Engine.State;

namespace Replication.PowerShell.Infrastructure;

/// <summary>
/// Which state file each PowerShell session uses (Set-ReplicationStateStore, else REPLICATION_POWERSHELL_STATE, else the
/// per-user default), and one engine per state file, so the schema check runs once per file per process.
/// </summary>
internal static class EngineSessions
{
    private static readonly ConcurrentDictionary<Guid, string> PathBySession = new();
    private static readonly ConcurrentDictionary<string, ReplicationEngine> EngineByPath = new(StringComparer.Ordinal);

    public static string CurrentPath =>
        PathBySession.TryGetValue(SessionId, out var path) ? path : StateLocation.Default();

    /// <summary>The path Set-ReplicationStateStore chose for this session, if any.</summary>
    public static string? SessionPath => PathBySession.TryGetValue(SessionId, out var path) ? path : null;

    public static void SetPath(string? path)
    {
        if (path is null)
        {
            PathBySession.TryRemove(SessionId, out _);
        }
        else
        {
            PathBySession[SessionId] = Path.GetFullPath(path);
        }
    }

    public static ReplicationEngine Current()
    {
        var path = CurrentPath;
        if (EngineByPath.TryGetValue(path, out var engine) && File.Exists(path))
        {
            return engine;
        }

        // First use of this file in this process, or the file was removed since: open (and create) it afresh.
        engine = ReplicationEngine.OpenSqlite(path);
        EngineByPath[path] = engine;
        return engine;
    }

    private static Guid SessionId => Runspace.DefaultRunspace?.InstanceId ?? Guid.Empty;
}
