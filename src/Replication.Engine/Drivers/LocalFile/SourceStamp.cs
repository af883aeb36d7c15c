using System;
using System.IO;
using Newtonsoft.Json;
using Replication.Engine.Files;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>
/// The primary's size and modification time as of a sync round, kept so the next round can skip a volume nobody wrote
/// (rsync's quick check). It is trusted only when the file had been quiet for <see cref="QuietPeriod"/> before the
/// round read it: then any later write, even within the file system's timestamp granularity, shows as a new mtime.
/// </summary>
internal sealed class SourceStamp
{
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(2);

    [JsonConstructor]
    public SourceStamp(long size, long modifiedTicks, long readStartedTicks)
    {
        Size = size;
        ModifiedTicks = modifiedTicks;
        ReadStartedTicks = readStartedTicks;
    }

    public long Size { get; }

    public long ModifiedTicks { get; }

    public long ReadStartedTicks { get; }

    /// <summary>Takes the stamp just before reading; the read time is the wall clock, the one file times are on.</summary>
    public static SourceStamp Take(string path)
    {
        var file = VerifiedFolder.LookAt(path) ?? throw new FileNotFoundException("The volume file is missing.", path);
        if (file.Kind == EntryKind.Link)
        {
            throw TrustErrors.Link(path);
        }

        return new SourceStamp(file.Size, file.ModifiedTicks, DateTime.UtcNow.Ticks);
    }

    /// <summary>True when <paramref name="current"/> proves the file unchanged since this stamp was taken.</summary>
    public bool ProvesUnchanged(SourceStamp current) =>
        current.Size == Size && current.ModifiedTicks == ModifiedTicks && ReadStartedTicks - ModifiedTicks > QuietPeriod.Ticks;

    public bool SameFileState(SourceStamp other) => other.Size == Size && other.ModifiedTicks == ModifiedTicks;
}
