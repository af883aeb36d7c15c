using System;
using System.IO;
using System.Numerics;
using System.Runtime.InteropServices;
using static Replication.Engine.Drivers.LocalFile.NativeMethods;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>File-system operations .NET (as far as netstandard2.0 reaches) does not offer: permissions, durable renames, directory sync.</summary>
internal static class FileSystemOps
{
    // Unix permission bits (octal 0400, 0200, 0040, 0004); C# has no octal literals.
    private const uint OwnerRead = 0x100;
    private const uint OwnerWrite = 0x80;
    private const uint GroupRead = 0x20;
    private const uint OthersRead = 0x4;

    /// <summary>
    /// Fences a file against writes (Unix mode 0444, Windows ReadOnly attribute) or lifts the fence (0644).
    /// Root ignores the Unix bits; the fence is against mistakes by ordinary users and tools, not a security boundary.
    /// </summary>
    public static void SetReadOnly(string path, bool readOnly)
    {
        if (Platform == NativePlatform.Windows)
        {
            var attributes = File.GetAttributes(path);
            File.SetAttributes(path, readOnly ? attributes | FileAttributes.ReadOnly : attributes & ~FileAttributes.ReadOnly);
            return;
        }

        const uint everyoneReads = OwnerRead | GroupRead | OthersRead;
        ChangeMode(path, readOnly ? everyoneReads : everyoneReads | OwnerWrite);
    }

    /// <summary>True when the file carries no write permission (what <see cref="SetReadOnly"/> sets); .NET reads the mode bits on Unix.</summary>
    public static bool IsReadOnly(string path) => (File.GetAttributes(path) & FileAttributes.ReadOnly) != 0;

    /// <summary>
    /// Unix: mode 0600, so only the owner can read or write. Windows: unchanged, because a file created under the
    /// user's profile already inherits an ACL that admits only that user, SYSTEM and administrators.
    /// </summary>
    public static void RestrictToOwner(string path)
    {
        if (Platform != NativePlatform.Windows)
        {
            ChangeMode(path, OwnerRead | OwnerWrite);
        }
    }

    /// <summary>
    /// Renames <paramref name="sourcePath"/> over <paramref name="destinationPath"/> atomically (readers see the
    /// old or the new file, never neither) and durably (the rename survives a crash once this returns).
    /// The caller must already have flushed the source's contents to disk (FileStream.Flush(true)).
    /// </summary>
    public static void ReplaceAtomically(string sourcePath, string destinationPath)
    {
        if (Platform == NativePlatform.Windows)
        {
            if (!Windows.MoveFileEx(sourcePath, destinationPath, Windows.MoveFileReplaceExisting | Windows.MoveFileWriteThrough))
            {
                var error = Marshal.GetLastWin32Error();
                throw Failure($"Cannot replace '{destinationPath}' with '{sourcePath}'", error);
            }

            return;
        }

        if (Unix.Rename(sourcePath, destinationPath) != 0)
        {
            var error = Marshal.GetLastWin32Error();
            throw Failure($"Cannot replace '{destinationPath}' with '{sourcePath}'", error);
        }

        // rename(2) is atomic but only durable once the directory holding the new entry is synced.
        var directory = Path.GetDirectoryName(Path.GetFullPath(destinationPath));
        FsyncDirectory(string.IsNullOrEmpty(directory) ? Path.GetPathRoot(Path.GetFullPath(destinationPath))! : directory!);
    }

    /// <summary>
    /// Makes the creation, deletion or renaming of entries in <paramref name="directory"/> durable. A no-op on
    /// Windows, which has no directory flush: NTFS journals its metadata, and renames use MOVEFILE_WRITE_THROUGH.
    /// </summary>
    public static void FsyncDirectory(string directory)
    {
        if (Platform == NativePlatform.Windows)
        {
            return;
        }

        // O_DIRECTORY is left out because its value differs between Linux architectures; O_RDONLY opens directories.
        var closeOnExec = Platform switch
        {
            NativePlatform.Linux => Linux.OpenCloseOnExec,
            NativePlatform.MacOS => MacOS.OpenCloseOnExec,
            _ => 0,
        };
        var descriptor = Unix.Open(directory, Unix.OpenReadOnly | closeOnExec);
        if (descriptor < 0)
        {
            var openError = Marshal.GetLastWin32Error();
            throw Failure($"Cannot open the directory '{directory}' to sync it", openError);
        }

        var syncError = 0;
        try
        {
            if (!Sync(descriptor))
            {
                syncError = Marshal.GetLastWin32Error();
            }
        }
        finally
        {
            Unix.Close(descriptor);
        }

        if (syncError != 0)
        {
            throw Failure($"Cannot sync the directory '{directory}'", syncError);
        }
    }

    /// <summary>True when <paramref name="count"/> bytes from <paramref name="offset"/> are all zero; compares a SIMD vector at a time.</summary>
    public static bool IsAllZero(byte[] buffer, int offset, int count)
    {
        if (buffer is null)
        {
            throw new ArgumentNullException(nameof(buffer));
        }

        if (offset < 0 || count < 0 || count > buffer.Length - offset)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "The range lies outside the buffer.");
        }

        var bytes = new ReadOnlySpan<byte>(buffer, offset, count);
        var vectors = MemoryMarshal.Cast<byte, Vector<byte>>(bytes);
        foreach (var vector in vectors)
        {
            if (vector != Vector<byte>.Zero)
            {
                return false;
            }
        }

        foreach (var value in bytes.Slice(vectors.Length * Vector<byte>.Count))
        {
            if (value != 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// macOS's fsync only reaches the drive's cache; F_FULLFSYNC flushes that too, and fsync is the fallback for
    /// file systems that refuse it.
    /// </summary>
    private static bool Sync(int descriptor) =>
        (Platform == NativePlatform.MacOS && MacOS.Fcntl(descriptor, MacOS.FcntlFullFsync) == 0)
        || Unix.Fsync(descriptor) == 0;

    private static void ChangeMode(string path, uint mode)
    {
        var result = Platform switch
        {
            NativePlatform.Linux => Linux.Chmod(path, mode),
            NativePlatform.MacOS => MacOS.Chmod(path, (ushort)mode),
            _ => throw new PlatformNotSupportedException("Changing Unix permissions is supported on Linux and macOS only."),
        };
        if (result != 0)
        {
            var error = Marshal.GetLastWin32Error();
            throw Failure($"Cannot change the permissions of '{path}'", error);
        }
    }
}
