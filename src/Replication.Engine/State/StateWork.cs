using System;
using System.Collections.Concurrent;
using System.Threading;

namespace Replication.Engine.State;

/// <summary>
/// What this process asked of each SQL state store: statements run and rows read and durable writing transactions, by store (a state file's full path,
/// a database's host and name). Tests read it to prove that a pipeline's state work per object does not grow with the
/// fleet; counting costs two interlocked additions per statement.
/// </summary>
internal static class StateWork
{
    private static readonly ConcurrentDictionary<string, StateWorkCounts> ByStore = new(StringComparer.Ordinal);

    /// <summary>The counts of the store at <paramref name="store"/>, from the first statement this process ran on it.</summary>
    public static StateWorkCounts For(string store) => ByStore.GetOrAdd(store, _ => new StateWorkCounts());
}

/// <summary>The running totals of one store; <see cref="Read"/> takes a copy to compare with a later one.</summary>
internal sealed class StateWorkCounts
{
    private long _statements;
    private long _rows;
    private long _durableWrites;

    public long Statements => Interlocked.Read(ref _statements);

    public long Rows => Interlocked.Read(ref _rows);

    /// <summary>Writing transactions begun whose commit waits for the disk (a lease's does not, on SQLite).</summary>
    public long DurableWrites => Interlocked.Read(ref _durableWrites);

    public (long Statements, long Rows) Read() => (Statements, Rows);

    internal void Statement() => Interlocked.Increment(ref _statements);

    internal void RowsRead(long rows) => Interlocked.Add(ref _rows, rows);

    internal void DurableWrite() => Interlocked.Increment(ref _durableWrites);
}
