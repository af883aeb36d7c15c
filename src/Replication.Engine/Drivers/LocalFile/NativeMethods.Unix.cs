using System.Runtime.InteropServices;

namespace Replication.Engine.Drivers.LocalFile;

internal static partial class NativeMethods
{
    /// <summary>POSIX calls whose signatures and constants are identical on every Unix we run on.</summary>
    internal static class Unix
    {
        internal const int OpenReadOnly = 0;

        // Same value on Linux and macOS; the only errno the code branches on.
        internal const int NoSuchDeviceOrAddress = 6; // ENXIO: SEEK_DATA found no data after the offset

        [DllImport("libc", EntryPoint = "lseek", SetLastError = true)]
        internal static extern long Seek(int descriptor, long offset, int whence);

        // open(2) is variadic, but the optional mode argument is only read with O_CREAT, which is never passed.
        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        internal static extern int Open(string path, int flags);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        internal static extern int Close(int descriptor);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        internal static extern int Fsync(int descriptor);

        [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
        internal static extern int Rename(
            string oldPath,
            string newPath);
    }
}
