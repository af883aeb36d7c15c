using System;
using System.Collections.Generic;
using System.IO;
using Replication.Engine.Files.Native;

namespace Replication.Engine.Files;

/// <summary>
/// A folder opened once and checked (a folder, owned by a trusted user and writable by nobody else, as its
/// <see cref="FolderTrust"/> asks); files and folders in it are then opened, made, renamed and removed relative to it,
/// never through a link. On Unix the folder is a descriptor and every call is an *at() call with O_NOFOLLOW, so a folder
/// renamed or replaced after the check redirects nothing. On Windows it is a handle held without FILE_SHARE_DELETE, which
/// keeps the folder from being renamed or removed while it is open, and every entry is opened with
/// FILE_FLAG_OPEN_REPARSE_POINT and refused if it is a reparse point.
/// <para>
/// The folder itself is reached by its path as given, links in it included: that path is the admin's (a backend's
/// -Path, the state file's folder). What the module makes below it is never reached through a link.
/// </para>
/// </summary>
internal abstract class VerifiedFolder : IDisposable
{
    // A FileStream made from a handle calls itself "[Unknown]" (its Name cannot be set or overridden on netstandard2.0).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<FileStream, string> OpenedPaths = new();

    protected VerifiedFolder(string path, FolderTrust trust, FileFacts facts)
    {
        Path = path;
        Trust = trust;
        Facts = facts;
    }

    public string Path { get; }

    public FolderTrust Trust { get; }

    public FileFacts Facts { get; }

    /// <summary>Opens and checks an existing folder.</summary>
    public static VerifiedFolder Open(string path, FolderTrust trust) => OpenOrCreate(path, trust, create: false, out _);

    /// <summary>Opens and checks a folder, making it (with the trust's FolderMode) and any missing parent if it is not there.</summary>
    public static VerifiedFolder OpenOrCreate(string path, FolderTrust trust, out bool created) => OpenOrCreate(path, trust, create: true, out created);

    private static VerifiedFolder OpenOrCreate(string path, FolderTrust trust, bool create, out bool created) =>
        NativeMethods.Platform == NativePlatform.Windows
            ? WindowsFolder.OpenRoot(System.IO.Path.GetFullPath(path), trust, create, out created)
            : UnixFolder.OpenRoot(System.IO.Path.GetFullPath(path), trust, create, out created);

    /// <summary>The facts of an open file (its handle, not its name).</summary>
    public static FileFacts FactsOf(FileStream file) =>
        NativeMethods.Platform == NativePlatform.Windows ? WindowsFolder.DescribeOpenFile(file) : UnixFolder.StatOpenFile(file);

    /// <summary>
    /// Sets an open file's permissions (Unix: fchmod, on the descriptor, never by name). Windows keeps ACLs as they are
    /// and sets only the read-only attribute, from the owner's write bit.
    /// </summary>
    public static void SetMode(FileStream file, int mode)
    {
        if (NativeMethods.Platform == NativePlatform.Windows)
        {
            WindowsFolder.SetReadOnly(file, (mode & Modes.OwnerWrite) == 0);
        }
        else
        {
            UnixFolder.ChangeOpenFileMode(file, mode);
        }
    }

    /// <summary>
    /// What is at <paramref name="path"/>, the entry itself if it is a link (its folder reached as the path says); null
    /// when nothing is. For reading a file's size and times, where only the last step must not follow a link.
    /// </summary>
    public static FileFacts? LookAt(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        var parent = System.IO.Path.GetDirectoryName(full);
        if (string.IsNullOrEmpty(parent))
        {
            throw new IOException($"'{full}' has no folder above it.");
        }

        FileFacts? facts;
        try
        {
            using var folder = Open(parent!, FolderTrust.AnyFolder(parent!));
            facts = folder.Look(System.IO.Path.GetFileName(full));
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        return facts;
    }

    public string PathOf(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>The path a file was opened by, for messages: the folder's path and the name for a file opened here, else FileStream.Name.</summary>
    public static string PathOf(FileStream file) => OpenedPaths.TryGetValue(file, out var path) ? path : file.Name;

    /// <summary>Remembers the path of a file opened through a folder (see <see cref="PathOf(FileStream)"/>).</summary>
    protected FileStream Named(FileStream file, string name)
    {
        OpenedPaths.Add(file, PathOf(name));
        return file;
    }

    /// <summary>A folder in this one, made by the module: never a link, checked as <paramref name="trust"/> asks, made if <paramref name="create"/>.</summary>
    public abstract VerifiedFolder Subfolder(string name, FolderTrust trust, bool create);

    /// <summary>
    /// Opens a regular file in this folder without following a link (<see cref="FileMode.Open"/>,
    /// <see cref="FileMode.CreateNew"/> or <see cref="FileMode.OpenOrCreate"/>). A file it makes gets the trust's FileMode;
    /// an existing one is set to it too where this user may (a fenced one keeps only the read bits), so files an older
    /// version made readable by all are tightened when next opened. <paramref name="share"/> works as FileStream's does
    /// (on Unix, as .NET does it: an advisory flock, exclusive for <see cref="FileShare.None"/>).
    /// </summary>
    public abstract FileStream OpenFile(string name, FileMode mode, FileAccess access, FileShare share, int bufferSize = 1);

    /// <summary>
    /// Sets the permissions of a regular file of this folder without opening it: for SQLite's files, which no other
    /// descriptor of this process may open and close while SQLite has them open (closing one drops every POSIX lock the
    /// process holds on the file, SQLite's too). The entry is looked at first and a link is refused; the folder is
    /// writable by nobody else, so nothing can be put in its place in between. Windows keeps its ACLs: nothing is done.
    /// </summary>
    public abstract void SetModeWithoutOpening(string name, int mode);

    /// <summary>What is at <paramref name="name"/>, the entry itself even if it is a link; null when nothing is.</summary>
    public abstract FileFacts? Look(string name);

    /// <summary>Removes a file; false when there was none. A link is refused, not removed: it is not the module's.</summary>
    public abstract bool Delete(string name);

    /// <summary>Removes a file left by work that failed; a failure to remove it is not reported, the work's own failure is.</summary>
    public void TryDelete(string name)
    {
        try
        {
            Delete(name);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Errors.ReplicationException)
        {
            // The failure that made the file a leftover is the one to report.
        }
    }

    /// <summary>Removes an empty folder; false when there was none.</summary>
    public abstract bool DeleteFolder(string name);

    /// <summary>Renames an entry of this folder over another, atomically (a link at <paramref name="to"/> is replaced, never followed).</summary>
    public abstract void Rename(string from, string to);

    /// <summary>Makes the entries made, renamed or removed in this folder durable (a no-op on Windows, whose NTFS journals them).</summary>
    public abstract void Sync();

    /// <summary>The identity of this folder, then of each folder above it up to the root: what another folder's identity is compared with to find nesting.</summary>
    public abstract IReadOnlyList<string> Lineage();

    public abstract void Dispose();

    /// <summary>The checks every folder passes before it is used.</summary>
    protected static void Verify(string path, FileFacts facts, FolderTrust trust)
    {
        if (facts.Kind == EntryKind.Link)
        {
            throw TrustErrors.Link(path);
        }

        if (facts.Kind != EntryKind.Folder)
        {
            throw new IOException($"'{path}' is not a folder.");
        }

        if (TrustErrors.FolderProblem(facts, trust) is { } problem)
        {
            throw TrustErrors.NotTrusted(path, problem);
        }
    }

    /// <summary>The permissions a folder this user owns should be set to (the trust's FolderMode), or null when it has them or is not this user's.</summary>
    protected static int? FolderModeToSet(FileFacts facts, FolderTrust trust) =>
        trust.FolderMode != 0 && !trust.KeepExistingMode && facts.Owner == TrustedOwners.Self && (facts.Mode & 0xFFF) != trust.FolderMode ? trust.FolderMode : null;

    /// <summary>The permissions an existing file should have now (the trust's FileMode, keeping a fence), or null when it has them.</summary>
    protected int? ModeToSet(FileFacts file)
    {
        if (file.Owner is null)
        {
            return null;
        }

        var wanted = Modes.Keeping(file.Mode, Trust.FileMode);
        return (file.Mode & 0xFFF) == wanted ? null : wanted;
    }
}
