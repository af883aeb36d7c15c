using System;
using System.IO;
using System.Runtime.InteropServices;
using Replication.Drivers;

namespace Samples.ChunkFolder;

/// <summary>Turns the file system's failures into the contract's ErrorIds.</summary>
internal static class StorageFaults
{
    public static void Guard(Action action) => Guard(() =>
    {
        action();
        return 0;
    });

    public static T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (IOException ex) when (ex is not FileNotFoundException)
        {
            // ERROR_DISK_FULL and ERROR_HANDLE_DISK_FULL on Windows, ENOSPC elsewhere.
            var code = ex.HResult & 0xFFFF;
            var full = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? code is 0x70 or 0x27 : code == 28;
            throw new StorageDriverException(full ? DriverErrorIds.NoSpace : DriverErrorIds.IoFault, ex.Message, ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StorageDriverException(DriverErrorIds.IoFault, ex.Message, ex);
        }
    }
}
