using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using Replication.Engine.State;

namespace Replication.Engine.Tests.Support;

/// <summary>
/// The state store under one test site (a SQLite file, or a schema of its own on the test PostgreSQL server), every
/// engine opened on it, and its raw rows for "nothing changed" checks. Both stores render rows alike, so a dump of one
/// can be compared with a dump of the other.
/// </summary>
public abstract class SiteState : IDisposable
{
    private readonly List<IStateStore> _stores = new();

    public abstract StateAddress Address { get; }

    public static SiteState Create(StateStoreKind kind, string folder) => kind == StateStoreKind.PostgreSql
        ? new PostgreSqlSiteState()
        : new SqliteSiteState(System.IO.Path.Combine(folder, "state", "state.db"));

    /// <summary>An engine on this state, as a new process would open it.</summary>
    public ReplicationEngine Open(Func<DateTimeOffset> clock)
    {
        var store = StateStores.Open(Address);
        lock (_stores)
        {
            _stores.Add(store);
        }

        return new ReplicationEngine(new EngineContext(store, DriverRegistry.ForStore(store), clock));
    }

    /// <summary>
    /// Every row of every table, in a stable order, as text. <paramref name="ignore"/> leaves out a table ("events") or
    /// a column ("volumes.replication_extended_status").
    /// </summary>
    public abstract string Dump(params string[] ignore);

    public abstract long RowCount(string table);

    public virtual void Dispose()
    {
        foreach (var store in _stores)
        {
            (store as IDisposable)?.Dispose();
        }
    }

    protected static string Render(object value) => value switch
    {
        DBNull => "NULL",
        byte[] blob => $"blob[{blob.Length}]:{Convert.ToHexString(SHA256.HashData(blob))}",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
