using System;
using System.Data.Common;
using System.IO;

namespace Replication.Engine.State;

/// <summary>
/// Where a state store is: a SQLite file path, or a PostgreSQL connection string (Npgsql's keyword form, such as
/// <c>Host=db1;Database=replication;Username=runbook</c>). A value with '=' in it is a connection string, anything else
/// a path: no file name needs '=', and every connection string has one.
/// </summary>
public sealed class StateAddress : IEquatable<StateAddress>
{
    private StateAddress(StateStoreKind kind, string value, string display)
    {
        Kind = kind;
        Value = value;
        Display = display;
    }

    public StateStoreKind Kind { get; }

    /// <summary>The full path, or the connection string as given (with any password in it).</summary>
    public string Value { get; }

    /// <summary>For messages and output: the path, or the connection string without its password.</summary>
    public string Display { get; }

    public static StateAddress Parse(string value) =>
        value.IndexOf('=') >= 0 ? PostgreSql(value) : File(value);

    public static StateAddress File(string path)
    {
        var full = Path.GetFullPath(path);
        return new StateAddress(StateStoreKind.Sqlite, full, full);
    }

    public static StateAddress PostgreSql(string connectionString)
    {
        DbConnectionStringBuilder builder;
        try
        {
            builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        }
        catch (ArgumentException ex)
        {
            throw new Errors.ReplicationException(Errors.ErrorIds.StateStoreUnavailable, Errors.ErrorKind.InvalidArgument,
                $"The PostgreSQL connection string is not valid (it takes the form Host=...;Database=...;Username=...): {ex.Message}", null, ex);
        }

        foreach (var secret in new[] { "Password", "Pwd" })
        {
            builder.Remove(secret);
        }

        return new StateAddress(StateStoreKind.PostgreSql, connectionString, builder.ConnectionString);
    }

    public bool Equals(StateAddress? other) => other is not null && Kind == other.Kind && string.Equals(Value, other.Value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as StateAddress);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    public override string ToString() => Display;
}
