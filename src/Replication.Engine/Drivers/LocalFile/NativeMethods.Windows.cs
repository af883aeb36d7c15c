using System;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Replication.Engine.Drivers.LocalFile;

internal static partial class NativeMethods
{
    internal static class Windows
    {
        internal const uint FsctlSetSparse = 0x000900C4;
        internal const uint FsctlSetZeroData = 0x000980C8;
        internal const uint FsctlQueryAllocatedRanges = 0x000940CF;

        internal const int ErrorMoreData = 234;

        internal const uint MoveFileReplaceExisting = 0x1;
        internal const uint MoveFileWriteThrough = 0x8;

        [DllImport("kernel32.dll", EntryPoint = "DeviceIoControl", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        internal static extern bool DeviceIoControl(
            SafeFileHandle device, uint controlCode, IntPtr input, int inputSize,
            IntPtr output, int outputSize, out int bytesReturned, IntPtr overlapped);

        [DllImport("kernel32.dll", EntryPoint = "DeviceIoControl", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        internal static extern bool DeviceIoControl(
            SafeFileHandle device, uint controlCode, ref FileZeroDataInformation input, int inputSize,
            IntPtr output, int outputSize, out int bytesReturned, IntPtr overlapped);

        [DllImport("kernel32.dll", EntryPoint = "DeviceIoControl", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        internal static extern bool DeviceIoControl(
            SafeFileHandle device, uint controlCode, ref FileAllocatedRangeBuffer input, int inputSize,
            [Out] FileAllocatedRangeBuffer[] output, int outputSize, out int bytesReturned, IntPtr overlapped);

        [DllImport("kernel32.dll", EntryPoint = "MoveFileExW", CharSet = CharSet.Unicode, SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        internal static extern bool MoveFileEx(string existingFileName, string newFileName, uint flags);

        /// <summary>FILE_ZERO_DATA_INFORMATION: the range [FileOffset, BeyondFinalZero) to zero.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct FileZeroDataInformation
        {
            public long FileOffset;
            public long BeyondFinalZero;
        }

        /// <summary>FILE_ALLOCATED_RANGE_BUFFER: one queried or returned range.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct FileAllocatedRangeBuffer
        {
            public long FileOffset;
            public long Length;
        }
    }
}
