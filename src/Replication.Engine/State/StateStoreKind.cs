namespace Replication.Engine.State;

/// <summary>The two state stores: a SQLite file (the default, for one admin or host) and a PostgreSQL database (shared by many hosts).</summary>
public enum StateStoreKind
{
    Sqlite,
    PostgreSql,
}
