using System;
using System.Runtime.InteropServices;

namespace Replication.Engine.Files.Native;

internal static partial class NativeMethods
{
    /// <summary>POSIX calls whose signatures and constants are identical on every Unix we run on.</summary>
    internal static class Unix
    {
        internal const int OpenReadOnly = 0;
        internal const int OpenWriteOnly = 1;
        internal const int OpenReadWrite = 2;

        internal const int LockShared = 1;
        internal const int LockExclusive = 2;
        internal const int LockNonBlocking = 4;

        // Same values on Linux and macOS; the only errno values the code branches on.
        internal const int NoSuchFile = 2; // ENOENT
        internal const int NoSuchDeviceOrAddress = 6; // ENXIO: SEEK_DATA found no data after the offset
        internal const int NotPermitted = 1; // EPERM
        internal const int FileExists = 17; // EEXIST
        internal const int NotADirectory = 20; // ENOTDIR

        [DllImport("libc", EntryPoint = "lseek", SetLastError = true)]
        internal static extern long Seek(int descriptor, long offset, int whence);

        // open(2) is variadic, but the optional mode argument is only read with O_CREAT, which is never passed.
        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        internal static extern int Open(string path, int flags);

        /// <summary>
        /// openat(2) with its variadic mode. On x64 (Linux and macOS) and Linux arm64 variadic arguments travel like fixed
        /// ones; on Apple arm64 they go on the stack, so that form pads x3..x7 to put the mode there (as fcntl does).
        /// </summary>
        internal static int OpenAt(int directory, string path, int flags, int mode) =>
            Platform == NativePlatform.MacOS && RuntimeInformation.ProcessArchitecture == Architecture.Arm64
                ? OpenAtArm64(directory, path, flags, 0, 0, 0, 0, 0, mode)
                : OpenAtFixed(directory, path, flags, mode);

        [DllImport("libc", EntryPoint = "openat", SetLastError = true)]
        private static extern int OpenAtFixed(int directory, string path, int flags, int mode);

        [DllImport("libc", EntryPoint = "openat", SetLastError = true)]
        private static extern int OpenAtArm64(int directory, string path, int flags, long x3, long x4, long x5, long x6, long x7, long mode);

        [DllImport("libc", EntryPoint = "unlinkat", SetLastError = true)]
        internal static extern int UnlinkAt(int directory, string path, int flags);

        [DllImport("libc", EntryPoint = "renameat", SetLastError = true)]
        internal static extern int RenameAt(int fromDirectory, string fromPath, int toDirectory, string toPath);

        [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
        internal static extern int Flock(int descriptor, int operation);

        [DllImport("libc", EntryPoint = "geteuid")]
        internal static extern uint EffectiveUserId();

        /// <summary>getpwnam(3): a struct passwd whose pw_uid sits after two pointers on Linux (glibc, musl) and macOS alike.</summary>
        [DllImport("libc", EntryPoint = "getpwnam", SetLastError = true)]
        internal static extern IntPtr GetPasswordEntry(string name);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        internal static extern int Close(int descriptor);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        internal static extern int Fsync(int descriptor);
    }
}
