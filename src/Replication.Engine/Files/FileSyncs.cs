using System;
using System.Collections.Concurrent;
using System.IO;
using System.Threading;

namespace Replication.Engine.Files;

/// <summary>
/// The syncs to disk (fsync of a file or a folder) the engine made in its own storage (LocalFile backends), counted only
/// under folders a test watches: a sync costs milliseconds, so tests prove a round's count does not creep back up. In a
/// process that watches nothing, counting is one check of an empty dictionary per sync.
/// </summary>
internal static class FileSyncs
{
    private static readonly ConcurrentDictionary<string, Counter> Watched = new(StringComparer.Ordinal);

    /// <summary>Counts from now on every sync of a file or folder at or below <paramref name="folder"/>.</summary>
    public static Counter Watch(string folder) => Watched.GetOrAdd(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, _ => new Counter());

    /// <summary>Notes a sync of <paramref name="path"/> (a file, or a folder).</summary>
    public static void Synced(string path)
    {
        if (Watched.IsEmpty)
        {
            return;
        }

        var full = path.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        foreach (var watched in Watched)
        {
            if (full.StartsWith(watched.Key, StringComparison.Ordinal))
            {
                watched.Value.Add();
            }
        }
    }

    public sealed class Counter
    {
        private long _syncs;

        public long Syncs => Interlocked.Read(ref _syncs);

        internal void Add() => Interlocked.Increment(ref _syncs);
    }
}
