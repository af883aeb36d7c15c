using System;
using System.Collections.Concurrent;
using System.IO;
using System.Management.Automation.Runspaces;
using Replication.Engine;
using Replication.Engine.State;

namespace Replication.PowerShell.Infrastructure;

/// <summary>
/// Which state store each PowerShell session uses (Set-ReplicationStateStore, else REPLICATION_POWERSHELL_STATE, else the
/// per-user default file), and one engine per store, so the schema check runs once per store per process.
/// </summary>
internal static class EngineSessions
{
    private static readonly ConcurrentDictionary<Guid, StateAddress> AddressBySession = new();
    private static readonly ConcurrentDictionary<StateAddress, ReplicationEngine> EngineByAddress = new();

    public static StateAddress CurrentAddress =>
        AddressBySession.TryGetValue(SessionId, out var address) ? address : StateLocation.Default();

    /// <summary>The store Set-ReplicationStateStore chose for this session, if any.</summary>
    public static StateAddress? SessionAddress => AddressBySession.TryGetValue(SessionId, out var address) ? address : null;

    public static void SetAddress(StateAddress? address)
    {
        if (address is null)
        {
            AddressBySession.TryRemove(SessionId, out _);
        }
        else
        {
            AddressBySession[SessionId] = address;
        }
    }

    public static ReplicationEngine Current()
    {
        var address = CurrentAddress;
        if (EngineByAddress.TryGetValue(address, out var engine) && (address.Kind != StateStoreKind.Sqlite || File.Exists(address.Value)))
        {
            return engine;
        }

        // First use of this store in this process, or its file was removed since.
        return Reopen();
    }

    /// <summary>
    /// Opens the session's store afresh (creating a missing file, checking the schema) and uses it from now on: what
    /// Set-ReplicationStateStore does, so that pointing at a database that was dropped and created again works too.
    /// </summary>
    public static ReplicationEngine Reopen()
    {
        var address = CurrentAddress;
        var engine = ReplicationEngine.Open(address);
        EngineByAddress[address] = engine;
        return engine;
    }

    private static Guid SessionId => Runspace.DefaultRunspace?.InstanceId ?? Guid.Empty;
}
