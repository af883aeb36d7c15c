using System.Runtime.InteropServices;

namespace Replication.Engine.Drivers.LocalFile;

internal static partial class NativeMethods
{
    /// <summary>macOS on x64 and arm64, where off_t is 64 bits and mode_t is 16 bits.</summary>
    internal static class MacOS
    {
        // Swapped relative to Linux.
        internal const int SeekHole = 3;
        internal const int SeekData = 4;

        internal const int OpenCloseOnExec = 0x1000000;

        internal const int FcntlFullFsync = 51;
        internal const int FcntlPunchHole = 99;

        [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
        internal static extern int Chmod(string path, ushort mode);

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
