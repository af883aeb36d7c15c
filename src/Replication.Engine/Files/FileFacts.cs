namespace Replication.Engine.Files;

/// <summary>What a file system entry is, as the module tells its own files and folders from anything else.</summary>
internal enum EntryKind
{
    File,
    Folder,

    /// <summary>A symbolic link, or on Windows any reparse point (junction, mount point, symbolic link).</summary>
    Link,

    /// <summary>A device, FIFO or socket.</summary>
    Other,
}

/// <summary>
/// What the file system says about one entry, read from an open handle or by name without following a link.
/// <see cref="Identity"/> is the entry's real identity (device and inode; volume serial and file index on Windows),
/// equal for two paths exactly when they reach the same file or folder.
/// </summary>
internal sealed record FileFacts
{
    public EntryKind Kind { get; init; }

    public string Identity { get; init; } = "";

    /// <summary>The owner's user id; null on Windows, where ownership is an ACL question the module does not ask.</summary>
    public uint? Owner { get; init; }

    /// <summary>The Unix permission bits (0777 and the set-id and sticky bits); 0 on Windows.</summary>
    public int Mode { get; init; }

    public long Size { get; init; }

    /// <summary>Last write, as UTC ticks (what DateTime.Ticks and .NET's own file times give).</summary>
    public long ModifiedTicks { get; init; }

    /// <summary>Windows: the read-only attribute. Unix: no write bit for the owner (what a fence leaves).</summary>
    public bool ReadOnly { get; init; }
}
