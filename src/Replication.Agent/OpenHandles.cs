using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Threading;
using Replication.Drivers;

namespace Replication.Agent;

/// <summary>
/// Copies and sidecar streams the agent holds open for its callers, by handle. A handle belongs to the connection that
/// opened it and is closed with that connection, so a caller that dies (or whose link is cut) leaves nothing held.
/// </summary>
public sealed class OpenHandles
{
    private readonly ConcurrentDictionary<long, Entry> _open = new();
    private long _last;

    public long Add(string connectionId, IBlockDevice device) => Add(new Entry(connectionId, device, null));

    public long Add(string connectionId, Stream stream) => Add(new Entry(connectionId, null, stream));

    public IBlockDevice Device(string connectionId, long handle) => Get(connectionId, handle).Device ?? throw NotA(handle, "copy");

    public Stream Stream(string connectionId, long handle) => Get(connectionId, handle).Stream ?? throw NotA(handle, "sidecar stream");

    public Entry Get(string connectionId, long handle) =>
        _open.TryGetValue(handle, out var entry) && entry.ConnectionId == connectionId
            ? entry
            : throw new StorageDriverException(DriverErrorIds.IoFault, $"Handle {handle} is not open on this connection (closed, or its connection ended).");

    public void Close(string connectionId, long handle)
    {
        if (_open.TryGetValue(handle, out var entry) && entry.ConnectionId == connectionId && _open.TryRemove(handle, out _))
        {
            entry.Dispose();
        }
    }

    public void CloseConnection(string connectionId)
    {
        foreach (var handle in _open.Where(pair => pair.Value.ConnectionId == connectionId).Select(pair => pair.Key).ToList())
        {
            if (_open.TryRemove(handle, out var entry))
            {
                entry.Dispose();
            }
        }
    }

    private long Add(Entry entry)
    {
        var handle = Interlocked.Increment(ref _last);
        _open[handle] = entry;
        return handle;
    }

    private static StorageDriverException NotA(long handle, string what) => new(DriverErrorIds.IoFault, $"Handle {handle} is not a {what}.");

    public sealed class Entry : IDisposable
    {
        public Entry(string connectionId, IBlockDevice? device, Stream? stream)
        {
            ConnectionId = connectionId;
            Device = device;
            Stream = stream;
        }

        public string ConnectionId { get; }

        public IBlockDevice? Device { get; }

        public Stream? Stream { get; }

        public void Dispose()
        {
            Device?.Dispose();
            Stream?.Dispose();
        }
    }
}
