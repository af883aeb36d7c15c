using System.Runtime.InteropServices;

namespace Replication.Engine.Drivers.LocalFile;

internal static partial class NativeMethods
{
    /// <summary>Linux (glibc and musl) on 64-bit targets, where off_t is 64 bits and mode_t is 32 bits.</summary>
    internal static class Linux
    {
        internal const int SeekData = 3;
        internal const int SeekHole = 4;

        internal const int OpenCloseOnExec = 0x80000; // O_CLOEXEC (02000000 octal) on x64 and arm64 alike

        internal const int FallocateKeepSize = 0x01;
        internal const int FallocatePunchHole = 0x02;

        [DllImport("libc", EntryPoint = "fallocate", SetLastError = true)]
        internal static extern int Fallocate(int descriptor, int mode, long offset, long length);

        internal const uint SyncFileRangeWrite = 0x2;

        [DllImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
        internal static extern int SyncFileRange(int descriptor, long offset, long length, uint flags);

        [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
        internal static extern int Chmod(string path, uint mode);
    }
}
