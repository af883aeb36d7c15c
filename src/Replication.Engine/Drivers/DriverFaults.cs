using System;
using System.IO;
using Replication.Drivers;
using Replication.Engine.Errors;

namespace Replication.Engine.Drivers;

/// <summary>
/// Turns a driver's failures into the module's ErrorIds, which say which side failed: the side's own id
/// (PrimaryUnreadable, ReplicaUnwritable, VolumeFileFault) for a storage fault, and the module's own refusal (a link, a
/// folder another store owns) when the driver carried one. A refusal on the side being read stays on that side
/// (PrimaryUnreadable), so the replica is not blamed and the volume stays promotable.
/// </summary>
internal static class DriverFaults
{
    public static T Run<T>(Func<T> work, string errorId, string doing, string what, bool readSide = false)
    {
        try
        {
            return work();
        }
        catch (StorageDriverException ex)
        {
            throw Map(ex, errorId, doing, what, readSide);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ReplicationException(errorId, readSide ? ErrorKind.ReadError : ErrorKind.WriteError, $"{doing} '{what}' failed: {ex.Message}", what, ex);
        }
        catch (ReplicationException ex) when (readSide && IsDistrust(ex))
        {
            throw OnTheReadSide(ex, errorId, what);
        }
    }

    public static void Run(Action work, string errorId, string doing, string what, bool readSide = false) => Run(() =>
    {
        work();
        return true;
    }, errorId, doing, what, readSide);

    public static ReplicationException Map(StorageDriverException error, string errorId, string doing, string what, bool readSide = false)
    {
        if (error.InnerException is ReplicationException own)
        {
            return readSide && IsDistrust(own) ? OnTheReadSide(own, errorId, what) : own;
        }

        // A copy or storage that is missing is a failed read or write of the side at work, as any other fault.
        var kind = error.ErrorId switch
        {
            DriverErrorIds.StorageRefused or DriverErrorIds.Fenced => ErrorKind.PermissionDenied,
            DriverErrorIds.InvalidSetting => ErrorKind.InvalidArgument,
            DriverErrorIds.NotSupported => ErrorKind.InvalidOperation,
            _ => readSide ? ErrorKind.ReadError : ErrorKind.WriteError,
        };
        return new ReplicationException(errorId, kind, $"{doing} '{what}' failed: {error.Message}", what, error);
    }

    /// <summary>A link, or a file or folder the module does not trust.</summary>
    public static bool IsDistrust(ReplicationException error) => error.ErrorId is ErrorIds.LinkRefused or ErrorIds.PathNotTrusted or ErrorIds.BackendFolderTaken;

    private static ReplicationException OnTheReadSide(ReplicationException distrust, string errorId, string what) =>
        new(errorId, distrust.Kind, distrust.Message, what, distrust);
}
