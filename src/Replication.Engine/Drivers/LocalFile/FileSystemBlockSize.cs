using System;
using System.ComponentModel;
using Replication.Engine.Files.Native;
using static Replication.Engine.Files.Native.NativeMethods;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>The block size of the file system holding a folder, as the OS reports it.</summary>
internal static class FileSystemBlockSize
{
    /// <summary>The block size, or null and why it could not be asked.</summary>
    public static long? Of(string folder, out string? problem)
    {
        problem = null;
        int error;
        switch (Platform)
        {
            case NativePlatform.Linux:
                // f_bsize: ext4, XFS and tmpfs report their block (or page) size here.
                if (Statvfs.Of(folder, out error) is { } linux)
                {
                    return (long)linux.BlockSize;
                }

                break;
            case NativePlatform.MacOS:
                // macOS's statvfs puts the preferred I/O size in f_bsize and the block size in f_frsize.
                if (Statvfs.Of(folder, out error) is { } macOS)
                {
                    return (long)macOS.FragmentSize;
                }

                break;
            case NativePlatform.Windows:
                if (WindowsDiskGeometry.ClusterSize(folder, out error) is { } cluster)
                {
                    return cluster;
                }

                break;
            default:
                problem = "this OS's statvfs layout is not known to the module";
                return null;
        }

        problem = $"{new Win32Exception(error).Message} (error {error})";
        return null;
    }
}
