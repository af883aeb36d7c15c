using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Replication.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.State;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>
/// A LocalFile backend as the contract hands it over (<see cref="BackendConfiguration"/>: the folder is the Path setting),
/// turned into the record the file helpers work on, and their failures turned into the contract's errors.
/// </summary>
internal static class LocalFileBackend
{
    public const string PathKey = "Path";

    public static BackendRecord RecordOf(BackendConfiguration backend) => new()
    {
        Name = backend.Name,
        Driver = LocalFileDriver.DriverName,
        Path = backend.Settings.FirstOrDefault(s => string.Equals(s.Key, PathKey, StringComparison.OrdinalIgnoreCase)).Value ?? "",
        Settings = backend.Settings.Where(s => !string.Equals(s.Key, PathKey, StringComparison.OrdinalIgnoreCase)).ToDictionary(s => s.Key, s => s.Value, StringComparer.OrdinalIgnoreCase),
        StoreId = Guid.TryParse(backend.StateStoreId, out var id) ? id : Guid.Empty,
    };

    /// <summary>
    /// Runs file work for a contract member: a refusal or fault the file helpers raise becomes a
    /// <see cref="StorageDriverException"/> with the contract's ErrorId, carrying the module's own error inside, so the
    /// engine shows admins the same ErrorId (LinkRefused, BackendFolderTaken, ...) as before.
    /// </summary>
    public static T Run<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (ReplicationException ex)
        {
            throw new StorageDriverException(DriverErrorIdOf(ex), ex.Message, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Fault(ex);
        }
    }

    public static void Run(Action work) => Run(() =>
    {
        work();
        return true;
    });

    /// <summary>A failed read or write: NoSpace for a full disk, CopyMissing for a missing file, IoFault otherwise.</summary>
    public static StorageDriverException Fault(Exception error) => new(
        error is FileNotFoundException ? DriverErrorIds.CopyMissing : IsNoSpace(error) ? DriverErrorIds.NoSpace : DriverErrorIds.IoFault,
        error.Message,
        error);

    private static string DriverErrorIdOf(ReplicationException error) => error.ErrorId switch
    {
        ErrorIds.InvalidSetting or ErrorIds.InvalidPath => DriverErrorIds.InvalidSetting,
        ErrorIds.LinkRefused or ErrorIds.PathNotTrusted or ErrorIds.BackendFolderTaken => DriverErrorIds.StorageRefused,
        ErrorIds.BackendPathUnusable => DriverErrorIds.BackendUnreachable,
        _ when error.InnerException is FileNotFoundException => DriverErrorIds.CopyMissing,
        _ when error.InnerException is { } inner && IsNoSpace(inner) => DriverErrorIds.NoSpace,
        _ => DriverErrorIds.IoFault,
    };

    // ENOSPC (28) on Unix; ERROR_DISK_FULL (112) and ERROR_HANDLE_DISK_FULL (39) on Windows.
    private static bool IsNoSpace(Exception error) => error is IOException && (error.HResult == 28 || (error.HResult & 0xFFFF) is 112 or 39);
}
