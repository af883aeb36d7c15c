using System;
using System.IO;
using Replication.Engine.Errors;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>
/// Turns I/O failures on the side being written into errors that say which side and what failed: ReplicaUnwritable
/// for a replica, VolumeFileFault for any other volume file (a test volume being cloned, a file being removed).
/// </summary>
internal static class TargetIo
{
    public static void Run(string path, Action action, string errorId = ErrorIds.ReplicaUnwritable, string doing = "Writing the replica") =>
        Run(path, () =>
        {
            action();
            return true;
        }, errorId, doing);

    public static T Run<T>(string path, Func<T> action, string errorId = ErrorIds.ReplicaUnwritable, string doing = "Writing the replica")
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ReplicationException(errorId, ErrorKind.WriteError, $"{doing} '{path}' failed: {ex.Message}", path, ex);
        }
    }
}
