using System.Runtime.InteropServices;

namespace Replication.Engine.Files.Native;

internal static partial class NativeMethods
{
    /// <summary>macOS on x64 and arm64, where off_t is 64 bits and mode_t is 16 bits.</summary>
    internal static class MacOS
    {
        // Swapped relative to Linux.
        internal const int SeekHole = 3;
        internal const int SeekData = 4;

        internal const int OpenNoFollow = 0x100;
        internal const int OpenCreate = 0x200;
        internal const int OpenExclusive = 0x800;
        internal const int OpenDirectory = 0x100000;
        internal const int OpenCloseOnExec = 0x1000000;

        internal const int AtFdCwd = -2;
        internal const int AtSymlinkNoFollow = 0x20;
        internal const int AtRemoveDirectory = 0x80;

        internal const int TooManyLinks = 62; // ELOOP
        internal const int WouldBlock = 35; // EWOULDBLOCK

        internal const int FcntlFullFsync = 51;
        internal const int FcntlPunchHole = 99;

        /// <summary>
        /// struct stat with 64-bit inodes (what arm64 always has, and x64's $INODE64 symbols give): dev at 0 (32 bits),
        /// mode at 4 (16 bits), inode at 8, uid at 16, gid at 20, mtime at 48 (seconds, then nanoseconds), size at 96.
        /// </summary>
        internal const int StatBufferSize = 144;

        [DllImport("libc", EntryPoint = "fchmod", SetLastError = true)]
        internal static extern int Fchmod(int descriptor, ushort mode);

        [DllImport("libc", EntryPoint = "fchmodat", SetLastError = true)]
        internal static extern int FchmodAt(int directory, string path, ushort mode, int flags);

        [DllImport("libc", EntryPoint = "mkdirat", SetLastError = true)]
        internal static extern int MkdirAt(int directory, string path, ushort mode);

        internal static int Fstat(int descriptor, byte[] buffer) =>
            RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? FstatArm64(descriptor, buffer) : FstatX64(descriptor, buffer);

        internal static int FstatAt(int directory, string path, byte[] buffer, int flags) =>
            RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? FstatAtArm64(directory, path, buffer, flags) : FstatAtX64(directory, path, buffer, flags);

        [DllImport("libc", EntryPoint = "fstat", SetLastError = true)]
        private static extern int FstatArm64(int descriptor, [Out] byte[] buffer);

        [DllImport("libc", EntryPoint = "fstat$INODE64", SetLastError = true)]
        private static extern int FstatX64(int descriptor, [Out] byte[] buffer);

        [DllImport("libc", EntryPoint = "fstatat", SetLastError = true)]
        private static extern int FstatAtArm64(int directory, string path, [Out] byte[] buffer, int flags);

        [DllImport("libc", EntryPoint = "fstatat$INODE64", SetLastError = true)]
        private static extern int FstatAtX64(int directory, string path, [Out] byte[] buffer, int flags);

        /// <summary>fcntl(2) without its variadic argument, for commands that take none.</summary>
        [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
        internal static extern int Fcntl(int descriptor, int command);

        /// <summary>
        /// fcntl(2) with a pointer argument. fcntl is variadic: on x64 variadic arguments travel in registers like
        /// fixed ones, but on Apple arm64 they go on the stack, so the arm64 form pads x2..x7 to push the pointer there.
        /// </summary>
        internal static int Fcntl(int descriptor, int command, ref PunchHoleArguments argument) =>
            RuntimeInformation.ProcessArchitecture == Architecture.Arm64
                ? FcntlArm64(descriptor, command, 0, 0, 0, 0, 0, 0, ref argument)
                : FcntlX64(descriptor, command, ref argument);

        [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
        private static extern int FcntlX64(int descriptor, int command, ref PunchHoleArguments argument);

        [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
        private static extern int FcntlArm64(
            int descriptor, int command, long x2, long x3, long x4, long x5, long x6, long x7,
            ref PunchHoleArguments argument);

        /// <summary>fpunchhole_t from sys/fcntl.h.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct PunchHoleArguments
        {
            public uint Flags;
            public uint Reserved;
            public long Offset;
            public long Length;
        }
    }
}
