using System;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Replication.Engine.Files.Native;

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

        internal const uint GenericRead = 0x80000000;
        internal const uint GenericWrite = 0x40000000;
        internal const uint DeleteAccess = 0x00010000;
        internal const uint FileListDirectory = 0x1;
        internal const uint FileReadAttributes = 0x80;
        internal const uint FileWriteAttributes = 0x100;

        internal const uint CreateNew = 1;
        internal const uint OpenExisting = 3;
        internal const uint OpenAlways = 4;

        internal const uint FlagBackupSemantics = 0x02000000; // needed to open a directory
        internal const uint FlagOpenReparsePoint = 0x00200000; // opens a link itself, never its target

        internal const uint AttributeReadOnly = 0x1;
        internal const uint AttributeDirectory = 0x10;
        internal const uint AttributeReparsePoint = 0x400;

        internal const int ErrorFileNotFound = 2;
        internal const int ErrorPathNotFound = 3;
        internal const int ErrorFileExists = 80;
        internal const int ErrorAlreadyExists = 183;

        internal const int FileBasicInfoClass = 0;
        internal const int FileDispositionInfoClass = 4;

        [DllImport("kernel32.dll", EntryPoint = "CreateFileW", CharSet = CharSet.Unicode, SetLastError = true)]
        internal static extern SafeFileHandle CreateFile(string name, uint access, uint share, IntPtr security, uint disposition, uint flags, IntPtr template);

        [DllImport("kernel32.dll", EntryPoint = "GetFileInformationByHandle", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        internal static extern bool GetFileInformationByHandle(SafeFileHandle file, out ByHandleFileInformation information);

        [DllImport("kernel32.dll", EntryPoint = "SetFileInformationByHandle", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        internal static extern bool SetFileInformationByHandle(SafeFileHandle file, int informationClass, ref FileBasicInfo information, int size);

        [DllImport("kernel32.dll", EntryPoint = "SetFileInformationByHandle", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        internal static extern bool SetFileInformationByHandle(SafeFileHandle file, int informationClass, ref byte deleteFile, int size);

        [DllImport("kernel32.dll", EntryPoint = "GetFinalPathNameByHandleW", CharSet = CharSet.Unicode, SetLastError = true)]
        internal static extern int GetFinalPathNameByHandle(SafeFileHandle file, [Out] System.Text.StringBuilder path, int length, uint flags);

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

        /// <summary>BY_HANDLE_FILE_INFORMATION; FILETIMEs as pairs of DWORDs, as the struct aligns them.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct ByHandleFileInformation
        {
            public uint FileAttributes;
            public uint CreationTimeLow;
            public uint CreationTimeHigh;
            public uint LastAccessTimeLow;
            public uint LastAccessTimeHigh;
            public uint LastWriteTimeLow;
            public uint LastWriteTimeHigh;
            public uint VolumeSerialNumber;
            public uint FileSizeHigh;
            public uint FileSizeLow;
            public uint NumberOfLinks;
            public uint FileIndexHigh;
            public uint FileIndexLow;
        }

        /// <summary>FILE_BASIC_INFO: a time of 0 leaves that time as it is.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct FileBasicInfo
        {
            public long CreationTime;
            public long LastAccessTime;
            public long LastWriteTime;
            public long ChangeTime;
            public uint FileAttributes;
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
