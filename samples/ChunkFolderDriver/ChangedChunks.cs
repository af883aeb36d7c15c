using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Replication.Drivers;

namespace Samples.ChunkFolder;

/// <summary>
/// Changed-block tracking for one copy, in its folder: <c>changes</c> holds a tracking id, the current generation, and
/// for each chunk written since tracking began the generation it was last written in. A mark is "id:generation"; taking
/// one moves the generation on, so the chunks changed since a mark are those written in a later generation, and older
/// marks stay answerable. A writer records its chunks before it writes them and holds <c>changes.lock</c> until the data
/// is written, so a mark never falls between the record and the write. A copy resized, or a file that cannot be read,
/// loses tracking: the engine then reads the whole copy.
/// </summary>
internal static class ChangedChunks
{
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(10);

    /// <summary>A new mark; starts tracking when there is none.</summary>
    public static string Mark(ChunkCopy copy)
    {
        using var held = Lock(copy);
        var state = Load(copy) ?? new Tracking(Guid.NewGuid().ToString("N"), 1, new Dictionary<long, long>());
        var mark = $"{state.Id}:{state.Generation.ToString(CultureInfo.InvariantCulture)}";
        state.Generation++;
        Save(copy, state);
        return mark;
    }

    /// <summary>The chunks written since the mark, as byte ranges inside the copy; null when the mark is not this tracking's.</summary>
    public static IReadOnlyList<Extent>? Since(ChunkCopy copy, string mark)
    {
        var parts = mark.Split(':');
        if (Load(copy) is not { } state || parts.Length != 2 || parts[0] != state.Id ||
            !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var generation) || generation >= state.Generation)
        {
            return null;
        }

        var size = copy.Size ?? 0;
        var ranges = new List<Extent>();
        foreach (var chunk in state.Chunks.Where(c => c.Value > generation).Select(c => c.Key).OrderBy(c => c))
        {
            var offset = chunk * copy.ChunkSize;
            var length = Math.Min(copy.ChunkSize, size - offset);
            if (length <= 0)
            {
                continue;
            }

            if (ranges.Count > 0 && ranges[ranges.Count - 1].End == offset)
            {
                var last = ranges[ranges.Count - 1];
                ranges[ranges.Count - 1] = new Extent(last.Offset, last.Length + length);
            }
            else
            {
                ranges.Add(new Extent(offset, length));
            }
        }

        return ranges;
    }

    /// <summary>Records the chunks of the range as written now, and holds the lock until the caller has written them.</summary>
    public static IDisposable Record(ChunkCopy copy, long offset, long count)
    {
        var held = Lock(copy);
        try
        {
            if (Load(copy) is { } state && count > 0)
            {
                var changed = false;
                for (var chunk = offset / copy.ChunkSize; chunk <= (offset + count - 1) / copy.ChunkSize; chunk++)
                {
                    if (!state.Chunks.TryGetValue(chunk, out var written) || written != state.Generation)
                    {
                        state.Chunks[chunk] = state.Generation;
                        changed = true;
                    }
                }

                if (changed)
                {
                    Save(copy, state);
                }
            }

            return held;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>Drops tracking (the copy is resized): every mark taken so far gets null.</summary>
    public static void Forget(ChunkCopy copy)
    {
        using var held = Lock(copy);
        File.Delete(TrackingFile(copy));
    }

    private static string TrackingFile(ChunkCopy copy) => Path.Combine(copy.Folder, "changes");

    private static Tracking? Load(ChunkCopy copy)
    {
        if (PrivateFiles.ReadOrNull(TrackingFile(copy)) is not { } bytes)
        {
            return null;
        }

        var lines = Encoding.ASCII.GetString(bytes).Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries);
        var head = lines.Length > 0 ? lines[0].Split(' ') : Array.Empty<string>();
        if (head.Length != 2 || !long.TryParse(head[1], NumberStyles.None, CultureInfo.InvariantCulture, out var generation))
        {
            return null;
        }

        var chunks = new Dictionary<long, long>();
        foreach (var line in lines.Skip(1))
        {
            var pair = line.Split(' ');
            if (pair.Length != 2 || !long.TryParse(pair[0], NumberStyles.None, CultureInfo.InvariantCulture, out var chunk) ||
                !long.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out var written))
            {
                return null;
            }

            chunks[chunk] = written;
        }

        return new Tracking(head[0], generation, chunks);
    }

    private static void Save(ChunkCopy copy, Tracking state)
    {
        var text = new StringBuilder().Append(state.Id).Append(' ').Append(state.Generation.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var chunk in state.Chunks)
        {
            text.Append(chunk.Key.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(chunk.Value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        PrivateFiles.WriteAtomically(copy.Staging, TrackingFile(copy), Encoding.ASCII.GetBytes(text.ToString()));
    }

    /// <summary>The copy's tracking lock, held against writers and marks of every process (an flock while the stream is open).</summary>
    private static FileStream Lock(ChunkCopy copy)
    {
        var path = Path.Combine(copy.Folder, "changes.lock");
        var deadline = DateTime.UtcNow + LockWait;
        while (true)
        {
            try
            {
                return File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None) : PrivateFiles.CreateNew(path);
            }
            catch (IOException) when (DateTime.UtcNow < deadline && Directory.Exists(copy.Folder))
            {
                Thread.Sleep(2);
            }
        }
    }

    private sealed class Tracking
    {
        public Tracking(string id, long generation, Dictionary<long, long> chunks)
        {
            Id = id;
            Generation = generation;
            Chunks = chunks;
        }

        public string Id { get; }

        public long Generation { get; set; }

        /// <summary>Chunk number: the generation it was last written in.</summary>
        public Dictionary<long, long> Chunks { get; }
    }
}
