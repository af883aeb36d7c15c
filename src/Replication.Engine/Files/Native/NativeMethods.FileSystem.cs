using System;
using System.Runtime.InteropServices;
using System.Text;

namespace Replication.Engine.Files.Native;

internal static partial class NativeMethods
{
    /// <summary>
    /// statvfs(3) on Linux (glibc and musl) and macOS. Every one of those layouts of struct statvfs starts with
    /// unsigned long f_bsize and unsigned long f_frsize; what follows differs (macOS has 32-bit block counts), so the
    /// call gets a buffer larger than any of them and only those two fields are read. Other Unixes (FreeBSD puts the
    /// counts first) are not asked.
    /// </summary>
    internal static class Statvfs
    {
        private const int BufferSize = 512;

        /// <summary>(f_bsize, f_frsize) of the file system holding <paramref name="path"/>, or the errno.</summary>
        internal static (ulong BlockSize, ulong FragmentSize)? Of(string path, out int error)
        {
            var buffer = new byte[BufferSize];
            if (Call(path, buffer) != 0)
            {
                error = Marshal.GetLastWin32Error();
                return null;
            }

            error = 0;
            return IntPtr.Size == 8
                ? (BitConverter.ToUInt64(buffer, 0), BitConverter.ToUInt64(buffer, 8))
                : (BitConverter.ToUInt32(buffer, 0), BitConverter.ToUInt32(buffer, 4));
        }

        [DllImport("libc", EntryPoint = "statvfs", SetLastError = true)]
        private static extern int Call(string path, [Out] byte[] buffer);
    }

    /// <summary>The cluster size of a Windows volume: GetVolumePathName finds the volume (mount points included), GetDiskFreeSpace sizes it.</summary>
    internal static class WindowsDiskGeometry
    {
        private const int MaxPath = 32768;

        internal static long? ClusterSize(string path, out int error)
        {
            var root = new StringBuilder(MaxPath);
            if (!GetVolumePathName(path, root, root.Capacity)
                || !GetDiskFreeSpace(root.ToString(), out var sectorsPerCluster, out var bytesPerSector, out _, out _))
            {
                error = Marshal.GetLastWin32Error();
                return null;
            }

            error = 0;
            return (long)sectorsPerCluster * bytesPerSector;
        }

        [DllImport("kernel32.dll", EntryPoint = "GetVolumePathNameW", CharSet = CharSet.Unicode, SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        private static extern bool GetVolumePathName(string fileName, StringBuilder volumePathName, int bufferLength);

        [DllImport("kernel32.dll", EntryPoint = "GetDiskFreeSpaceW", CharSet = CharSet.Unicode, SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        private static extern bool GetDiskFreeSpace(string rootPathName, out uint sectorsPerCluster, out uint bytesPerSector, out uint freeClusters, out uint totalClusters);
    }
}
