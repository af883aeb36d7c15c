using System;
using System.IO;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>Size and free space of the file system holding a folder; null when it cannot be asked (folder gone).</summary>
internal static class FreeSpace
{
    public static (long TotalBytes, long FreeBytes)? Of(string folder)
    {
        try
        {
            // Windows' DriveInfo wants a drive root; on Unix it takes any path and asks statfs for its file system.
            var drive = new DriveInfo(Path.DirectorySeparatorChar == '\\' ? Path.GetPathRoot(folder)! : folder);
            return (drive.TotalSize, drive.AvailableFreeSpace);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
