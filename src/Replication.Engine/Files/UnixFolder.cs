using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Replication.Engine.Files.Native;
using static Replication.Engine.Files.Native.NativeMethods;

namespace Replication.Engine.Files;

/// <summary>A <see cref="VerifiedFolder"/> on Linux or macOS: a directory descriptor, and openat/mkdirat/unlinkat/renameat with O_NOFOLLOW relative to it.</summary>
internal sealed class UnixFolder : VerifiedFolder
{
    private const long UnixEpochTicks = 621355968000000000;
    private const int MaxDepth = 4096;

    private static readonly Flags F = Platform == NativePlatform.MacOS ? Flags.MacOS : Flags.Linux;

    private int _descriptor;

    private UnixFolder(int descriptor, string path, FolderTrust trust, FileFacts facts)
        : base(path, trust, facts) => _descriptor = descriptor;

    public static UnixFolder OpenRoot(string path, FolderTrust trust, bool create, out bool created)
    {
        if (Platform == NativePlatform.OtherUnix)
        {
            throw new PlatformNotSupportedException("The module opens its files without following links through calls whose constants it knows for Linux, macOS and Windows only.");
        }

        created = false;
        var descriptor = Unix.Open(path, Unix.OpenReadOnly | F.Directory | F.CloseOnExec);
        if (descriptor < 0 && Marshal.GetLastWin32Error() == Unix.NoSuchFile && create)
        {
            var parent = System.IO.Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(parent))
            {
                // The parents are the admin's path, made as .NET makes folders.
                Directory.CreateDirectory(parent);
            }

            created = MakeFolder(F.AtFdCwd, path, trust.FolderMode == 0 ? Modes.OwnerOnlyFolder : trust.FolderMode);
            descriptor = Unix.Open(path, Unix.OpenReadOnly | F.Directory | F.CloseOnExec);
        }

        if (descriptor < 0)
        {
            var error = Marshal.GetLastWin32Error();
            throw error == Unix.NotADirectory ? new IOException($"'{path}' is not a folder.") : TrustErrors.FromError("Cannot open the folder", path, error, windows: false);
        }

        return Checked(descriptor, path, trust);
    }

    public override VerifiedFolder Subfolder(string name, FolderTrust trust, bool create)
    {
        var path = PathOf(name);
        var descriptor = Unix.OpenAt(_descriptor, name, Unix.OpenReadOnly | F.Directory | F.NoFollow | F.CloseOnExec, 0);
        if (descriptor < 0 && Marshal.GetLastWin32Error() == Unix.NoSuchFile && create)
        {
            MakeFolder(_descriptor, name, trust.FolderMode == 0 ? Modes.OwnerOnlyFolder : trust.FolderMode);
            descriptor = Unix.OpenAt(_descriptor, name, Unix.OpenReadOnly | F.Directory | F.NoFollow | F.CloseOnExec, 0);
        }

        if (descriptor < 0)
        {
            var error = Marshal.GetLastWin32Error();
            if (error == F.Loop || (error == Unix.NotADirectory && Look(name) is { Kind: EntryKind.Link }))
            {
                throw TrustErrors.Link(path);
            }

            throw error == Unix.NotADirectory ? new IOException($"'{path}' is not a folder.") : TrustErrors.FromError("Cannot open the folder", path, error, windows: false);
        }

        return Checked(descriptor, path, trust);
    }

    public override FileStream OpenFile(string name, FileMode mode, FileAccess access, FileShare share, int bufferSize = 1)
    {
        var path = PathOf(name);
        var (descriptor, created) = Open(name, path, mode, access);
        try
        {
            var facts = Stat(descriptor, path);
            if (facts.Kind != EntryKind.File)
            {
                throw TrustErrors.NotTrusted(path, "it is not a regular file, and the module keeps only regular files there.");
            }

            Lock(descriptor, share, path);
            if (created)
            {
                // Exactly the trust's mode, whatever the umask took away.
                ChangeMode(descriptor, Trust.FileMode, path, tolerateNotOwner: false);
            }
            else if (ModeToSet(facts) is { } wanted)
            {
                ChangeMode(descriptor, wanted, path, tolerateNotOwner: true);
            }
        }
        catch
        {
            Unix.Close(descriptor);
            if (created)
            {
                Unix.UnlinkAt(_descriptor, name, 0);
            }

            throw;
        }

        return Named(new FileStream(new SafeFileHandle((IntPtr)descriptor, ownsHandle: true), access, bufferSize), name);
    }

    public override void SetModeWithoutOpening(string name, int mode)
    {
        var path = PathOf(name);
        switch (Look(name))
        {
            case { Kind: EntryKind.Link }:
                throw TrustErrors.Link(path);
            case not { Kind: EntryKind.File }:
                throw new IOException($"'{path}' is not a regular file.");
        }

        // macOS changes the entry itself (AT_SYMLINK_NOFOLLOW); Linux's fchmodat has no such flag, hence the look above.
        var result = Platform == NativePlatform.MacOS
            ? MacOS.FchmodAt(_descriptor, name, (ushort)mode, F.AtSymlinkNoFollow)
            : Linux.FchmodAt(_descriptor, name, (uint)mode, 0);
        if (result != 0)
        {
            throw TrustErrors.FromError($"Cannot set the permissions ({Modes.Octal(mode)}) of", path, Marshal.GetLastWin32Error(), windows: false);
        }
    }

    public override FileFacts? Look(string name)
    {
        var buffer = new byte[Math.Max(Linux.StatxBufferSize, MacOS.StatBufferSize)];
        var result = Platform == NativePlatform.MacOS
            ? MacOS.FstatAt(_descriptor, name, buffer, F.AtSymlinkNoFollow)
            : Linux.Statx(_descriptor, name, F.AtSymlinkNoFollow, Linux.StatxBasicStats, buffer);
        if (result == 0)
        {
            return Parse(buffer);
        }

        var error = Marshal.GetLastWin32Error();
        return error == Unix.NoSuchFile ? null : throw TrustErrors.FromError("Cannot look at", PathOf(name), error, windows: false);
    }

    public override bool Delete(string name) => Remove(name, folder: false);

    public override bool DeleteFolder(string name) => Remove(name, folder: true);

    public override void Rename(string from, string to)
    {
        if (Unix.RenameAt(_descriptor, from, _descriptor, to) != 0)
        {
            throw TrustErrors.FromError($"Cannot rename '{from}' over", PathOf(to), Marshal.GetLastWin32Error(), windows: false);
        }
    }

    public override void Sync()
    {
        FileSyncs.Synced(Path);
        // macOS's fsync only reaches the drive's cache; F_FULLFSYNC flushes that too, and fsync is the fallback.
        if ((Platform == NativePlatform.MacOS && MacOS.Fcntl(_descriptor, MacOS.FcntlFullFsync) == 0) || Unix.Fsync(_descriptor) == 0)
        {
            return;
        }

        throw TrustErrors.FromError("Cannot sync the folder", Path, Marshal.GetLastWin32Error(), windows: false);
    }

    public override IReadOnlyList<string> Lineage()
    {
        var lineage = new List<string> { Facts.Identity };
        var current = Unix.OpenAt(_descriptor, ".", Unix.OpenReadOnly | F.Directory | F.CloseOnExec, 0);
        try
        {
            // ".." of the root is the root itself; the kernel crosses mount points on the way up.
            for (var depth = 0; current >= 0 && depth < MaxDepth; depth++)
            {
                var parent = Unix.OpenAt(current, "..", Unix.OpenReadOnly | F.Directory | F.CloseOnExec, 0);
                Unix.Close(current);
                current = parent;
                if (current < 0)
                {
                    break;
                }

                var identity = Stat(current, Path).Identity;
                if (identity == lineage[lineage.Count - 1])
                {
                    break;
                }

                lineage.Add(identity);
            }
        }
        finally
        {
            if (current >= 0)
            {
                Unix.Close(current);
            }
        }

        return lineage;
    }

    public override void Dispose()
    {
        if (_descriptor >= 0)
        {
            Unix.Close(_descriptor);
            _descriptor = -1;
        }
    }

    public static FileFacts StatOpenFile(FileStream file)
    {
        using var lease = new DescriptorLease(file.SafeFileHandle);
        return Stat(lease.Descriptor, PathOf(file));
    }

    public static void ChangeOpenFileMode(FileStream file, int mode)
    {
        using var lease = new DescriptorLease(file.SafeFileHandle);
        ChangeMode(lease.Descriptor, mode, PathOf(file), tolerateNotOwner: false);
    }

    private static UnixFolder Checked(int descriptor, string path, FolderTrust trust)
    {
        try
        {
            var facts = Stat(descriptor, path);
            Verify(path, facts, trust);
            if (FolderModeToSet(facts, trust) is { } mode)
            {
                ChangeMode(descriptor, mode, path, tolerateNotOwner: false);
                facts = facts with { Mode = (facts.Mode & ~0xFFF) | mode };
            }

            return new UnixFolder(descriptor, path, trust, facts);
        }
        catch
        {
            Unix.Close(descriptor);
            throw;
        }
    }

    /// <summary>mkdirat; false when the folder was already there (made meanwhile by someone else).</summary>
    private static bool MakeFolder(int directory, string name, int mode)
    {
        var result = Platform == NativePlatform.MacOS ? MacOS.MkdirAt(directory, name, (ushort)mode) : Linux.MkdirAt(directory, name, (uint)mode);
        if (result == 0)
        {
            return true;
        }

        var error = Marshal.GetLastWin32Error();
        return error == Unix.FileExists ? false : throw TrustErrors.FromError("Cannot make the folder", name, error, windows: false);
    }

    /// <summary>
    /// openat with O_NOFOLLOW. OpenOrCreate first tries to make the file (O_EXCL), so it knows whether it made it; a name
    /// that vanishes or appears in between is tried again a few times.
    /// </summary>
    private (int Descriptor, bool Created) Open(string name, string path, FileMode mode, FileAccess access)
    {
        var accessFlags = access switch
        {
            FileAccess.Read => Unix.OpenReadOnly,
            FileAccess.Write => Unix.OpenWriteOnly,
            _ => Unix.OpenReadWrite,
        };
        var flags = accessFlags | F.NoFollow | F.CloseOnExec;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (mode is FileMode.CreateNew or FileMode.OpenOrCreate)
            {
                var made = Unix.OpenAt(_descriptor, name, flags | F.Create | F.Exclusive, Trust.FileMode);
                if (made >= 0)
                {
                    return (made, true);
                }

                var error = Marshal.GetLastWin32Error();
                if (error != Unix.FileExists || mode == FileMode.CreateNew)
                {
                    // O_EXCL reports a link at the name as "exists": say what it is.
                    throw error == Unix.FileExists && Look(name) is { Kind: EntryKind.Link } ? TrustErrors.Link(path) : Failure(error, path, "create");
                }
            }

            var opened = Unix.OpenAt(_descriptor, name, flags, 0);
            if (opened >= 0)
            {
                return (opened, false);
            }

            var openError = Marshal.GetLastWin32Error();
            if (openError != Unix.NoSuchFile || mode != FileMode.OpenOrCreate)
            {
                throw Failure(openError, path, "open");
            }
        }

        throw new IOException($"'{path}' kept appearing and vanishing while it was opened.");
    }

    private static Exception Failure(int error, string path, string doing) =>
        error == F.Loop ? TrustErrors.Link(path)
        : error == Unix.FileExists ? new IOException($"'{path}' already exists.", error)
        : (Exception)TrustErrors.FromError($"Cannot {doing}", path, error, windows: false);

    private bool Remove(string name, bool folder)
    {
        var path = PathOf(name);
        switch (Look(name))
        {
            case null:
                return false;
            case { Kind: EntryKind.Link }:
                throw TrustErrors.Link(path);
            case { Kind: EntryKind.Folder } when !folder:
                throw new IOException($"'{path}' is a folder, not a file.");
            case { Kind: not EntryKind.Folder } when folder:
                throw new IOException($"'{path}' is not a folder.");
        }

        if (Unix.UnlinkAt(_descriptor, name, folder ? F.AtRemoveDirectory : 0) == 0)
        {
            return true;
        }

        var error = Marshal.GetLastWin32Error();
        return error == Unix.NoSuchFile ? false : throw TrustErrors.FromError("Cannot remove", path, error, windows: false);
    }

    /// <summary>Takes the advisory lock .NET's own FileStream takes for <paramref name="share"/>, so the two agree on who holds a file.</summary>
    /// <summary>
    /// flock as .NET takes it for FileShare: only "held by someone else" matters (a file system without locks is used
    /// without them). A lock is asked for again for up to about 100 ms before it is refused: a child process started by
    /// another thread holds a copy of every descriptor from fork to exec, and with it any lock a closed one had.
    /// </summary>
    private static void Lock(int descriptor, FileShare share, string path)
    {
        var operation = (share == FileShare.None ? Unix.LockExclusive : Unix.LockShared) | Unix.LockNonBlocking;
        for (var attempt = 0; Unix.Flock(descriptor, operation) != 0 && Marshal.GetLastWin32Error() == F.WouldBlock; attempt++)
        {
            if (attempt == 10)
            {
                throw new IOException($"'{path}' is being used by another process.", F.WouldBlock);
            }

            System.Threading.Thread.Sleep(10);
        }
    }

    private static void ChangeMode(int descriptor, int mode, string path, bool tolerateNotOwner)
    {
        var result = Platform == NativePlatform.MacOS ? MacOS.Fchmod(descriptor, (ushort)mode) : Linux.Fchmod(descriptor, (uint)mode);
        if (result != 0)
        {
            var error = Marshal.GetLastWin32Error();
            if (!(tolerateNotOwner && error == Unix.NotPermitted))
            {
                throw TrustErrors.FromError($"Cannot set the permissions ({Modes.Octal(mode)}) of", path, error, windows: false);
            }
        }
    }

    private static FileFacts Stat(int descriptor, string path)
    {
        var buffer = new byte[Math.Max(Linux.StatxBufferSize, MacOS.StatBufferSize)];
        var result = Platform == NativePlatform.MacOS
            ? MacOS.Fstat(descriptor, buffer)
            : Linux.Statx(descriptor, "", Linux.AtEmptyPath | Linux.AtSymlinkNoFollow, Linux.StatxBasicStats, buffer);
        return result == 0 ? Parse(buffer) : throw TrustErrors.FromError("Cannot read the status of", path, Marshal.GetLastWin32Error(), windows: false);
    }

    private static FileFacts Parse(byte[] buffer)
    {
        int mode;
        uint owner;
        ulong device, inode;
        long size, seconds, nanoseconds;
        if (Platform == NativePlatform.MacOS)
        {
            device = BitConverter.ToUInt32(buffer, 0);
            mode = BitConverter.ToUInt16(buffer, 4);
            inode = BitConverter.ToUInt64(buffer, 8);
            owner = BitConverter.ToUInt32(buffer, 16);
            seconds = BitConverter.ToInt64(buffer, 48);
            nanoseconds = BitConverter.ToInt64(buffer, 56);
            size = BitConverter.ToInt64(buffer, 96);
        }
        else
        {
            owner = BitConverter.ToUInt32(buffer, 20);
            mode = BitConverter.ToUInt16(buffer, 28);
            inode = BitConverter.ToUInt64(buffer, 32);
            size = BitConverter.ToInt64(buffer, 40);
            seconds = BitConverter.ToInt64(buffer, 112);
            nanoseconds = BitConverter.ToUInt32(buffer, 120);
            device = ((ulong)BitConverter.ToUInt32(buffer, 136) << 32) | BitConverter.ToUInt32(buffer, 140);
        }

        var kind = (mode & 0xF000) switch
        {
            0x8000 => EntryKind.File,
            0x4000 => EntryKind.Folder,
            0xA000 => EntryKind.Link,
            _ => EntryKind.Other,
        };
        return new FileFacts
        {
            Kind = kind,
            Identity = $"{device:x}:{inode:x}",
            Owner = owner,
            Mode = mode & 0xFFF,
            Size = size,
            ModifiedTicks = UnixEpochTicks + (seconds * TimeSpan.TicksPerSecond) + (nanoseconds / 100),
            ReadOnly = (mode & Modes.OwnerWrite) == 0,
        };
    }

    /// <summary>The open(2) and *at() constants of one Unix; only O_RDONLY/O_WRONLY/O_RDWR and the errno values in <see cref="Unix"/> are shared.</summary>
    private sealed record Flags(int Create, int Exclusive, int NoFollow, int Directory, int CloseOnExec, int AtFdCwd, int AtSymlinkNoFollow, int AtRemoveDirectory, int Loop, int WouldBlock)
    {
        public static readonly Flags Linux = new(
            NativeMethods.Linux.OpenCreate, NativeMethods.Linux.OpenExclusive, NativeMethods.Linux.DirectoryAndNoFollow.NoFollow, NativeMethods.Linux.DirectoryAndNoFollow.Directory,
            NativeMethods.Linux.OpenCloseOnExec, NativeMethods.Linux.AtFdCwd, NativeMethods.Linux.AtSymlinkNoFollow, NativeMethods.Linux.AtRemoveDirectory,
            NativeMethods.Linux.TooManyLinks, NativeMethods.Linux.WouldBlock);

        public static readonly Flags MacOS = new(
            NativeMethods.MacOS.OpenCreate, NativeMethods.MacOS.OpenExclusive, NativeMethods.MacOS.OpenNoFollow, NativeMethods.MacOS.OpenDirectory,
            NativeMethods.MacOS.OpenCloseOnExec, NativeMethods.MacOS.AtFdCwd, NativeMethods.MacOS.AtSymlinkNoFollow, NativeMethods.MacOS.AtRemoveDirectory,
            NativeMethods.MacOS.TooManyLinks, NativeMethods.MacOS.WouldBlock);
    }
}
