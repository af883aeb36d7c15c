using System;
using System.IO;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Replication.Engine.Errors;
using Replication.Engine.State.Sqlite;

namespace Replication.Engine.State;

/// <summary>
/// Opens the store an address names. SQLite is built in; PostgreSQL lives in its own assembly beside this one
/// (Npgsql needs .NET 8), loaded only when a PostgreSQL connection string is used, so SQLite users never load Npgsql.
/// </summary>
public static class StateStores
{
    private const string PostgreSqlAssembly = "Replication.State.PostgreSql";
    private const string PostgreSqlStoreType = "Replication.State.PostgreSql.PostgreSqlStateStore";

    public static IStateStore Open(StateAddress address) => address.Kind switch
    {
        StateStoreKind.Sqlite => SqliteStateStore.Open(address.Value),
        _ => OpenPostgreSql(address),
    };

    private static IStateStore OpenPostgreSql(StateAddress address)
    {
        if (RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
        {
            throw new ReplicationException(ErrorIds.StateStoreNotSupported, ErrorKind.InvalidOperation,
                $"A PostgreSQL state store needs .NET 8 or later (PowerShell 7.4 or later); this process runs on {RuntimeInformation.FrameworkDescription}, which can use SQLite state files only.", address.Display);
        }

        var folder = Path.GetDirectoryName(typeof(StateStores).Assembly.Location) ?? "";
        var path = Path.Combine(folder, PostgreSqlAssembly + ".dll");
        if (!File.Exists(path))
        {
            throw new ReplicationException(ErrorIds.StateStoreNotSupported, ErrorKind.InvalidOperation,
                $"A PostgreSQL state store needs {PostgreSqlAssembly}.dll beside {Path.GetFileName(typeof(StateStores).Assembly.Location)} in '{folder}'; it is missing (an incomplete installation).", address.Display);
        }

        var open = Assembly.LoadFrom(path).GetType(PostgreSqlStoreType, throwOnError: true)!.GetMethod("Open", new[] { typeof(string) })!;
        try
        {
            return (IStateStore)open.Invoke(null, new object[] { address.Value })!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }
}
