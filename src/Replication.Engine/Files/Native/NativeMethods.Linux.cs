using System.Runtime.InteropServices;

namespace Replication.Engine.Files.Native;

internal static partial class NativeMethods
{
    /// <summary>Linux (glibc and musl) on 64-bit targets, where off_t is 64 bits and mode_t is 32 bits.</summary>
    internal static class Linux
    {
        internal const int SeekData = 3;
        internal const int SeekHole = 4;

        internal const int OpenCreate = 0x40; // O_CREAT
        internal const int OpenExclusive = 0x80; // O_EXCL
        internal const int OpenCloseOnExec = 0x80000; // O_CLOEXEC (02000000 octal) on x64 and arm64 alike

        internal const int AtFdCwd = -100;
        internal const int AtSymlinkNoFollow = 0x100;
        internal const int AtRemoveDirectory = 0x200;
        internal const int AtEmptyPath = 0x1000;

        internal const int TooManyLinks = 40; // ELOOP: what O_NOFOLLOW gives for a link
        internal const int WouldBlock = 11; // EWOULDBLOCK (EAGAIN)

        internal const uint StatxBasicStats = 0x7ff;
        internal const int StatxBufferSize = 256;

        internal const int FallocateKeepSize = 0x01;
        internal const int FallocatePunchHole = 0x02;

        /// <summary>O_DIRECTORY and O_NOFOLLOW: arm, arm64 and powerpc give them other values than the generic ones.</summary>
        internal static (int Directory, int NoFollow) DirectoryAndNoFollow =>
            RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 || (int)RuntimeInformation.ProcessArchitecture == PowerPc64LittleEndian
                ? (0x4000, 0x8000)
                : (0x10000, 0x20000);

        // Architecture.Ppc64le, which netstandard2.0's enum does not name.
        private const int PowerPc64LittleEndian = 8;

        [DllImport("libc", EntryPoint = "fallocate", SetLastError = true)]
        internal static extern int Fallocate(int descriptor, int mode, long offset, long length);

        internal const uint SyncFileRangeWrite = 0x2;

        [DllImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
        internal static extern int SyncFileRange(int descriptor, long offset, long length, uint flags);

        /// <summary>FICLONE, _IOW(0x94, 9, int): makes the target share the source's blocks (a reflink) on btrfs, XFS and the like.</summary>
        internal const uint CloneFile = 0x40049409;

        // ioctl(2) is variadic; FICLONE's one argument is an int, passed as a fixed one alike on x64 and arm64 Linux.
        [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
        internal static extern int Ioctl(int descriptor, uint request, int argument);

        [DllImport("libc", EntryPoint = "fchmod", SetLastError = true)]
        internal static extern int Fchmod(int descriptor, uint mode);

        [DllImport("libc", EntryPoint = "fchmodat", SetLastError = true)]
        internal static extern int FchmodAt(int directory, string path, uint mode, int flags);

        [DllImport("libc", EntryPoint = "mkdirat", SetLastError = true)]
        internal static extern int MkdirAt(int directory, string path, uint mode);

        /// <summary>
        /// statx(2) (glibc 2.28, musl 1.2.5): its struct is the same on every architecture, unlike struct stat, so one
        /// layout is read: uid at 20, gid at 24, mode at 28 (16 bits), inode at 32, size at 40, mtime at 112 (seconds,
        /// then nanoseconds), device major and minor at 136 and 140.
        /// </summary>
        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        internal static extern int Statx(int directory, string path, int flags, uint mask, [Out] byte[] buffer);
    }
}
