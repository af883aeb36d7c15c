using System;
using System.IO;
using Replication.Engine.Errors;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>Turns I/O failures on either side of a copy into errors that say which side failed.</summary>
internal static class TargetIo
{
    public static void Run(string path, Action action) => Run(path, () =>
    {
        action();
        return true;
    });

    public static T Run<T>(string path, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ReplicationException(ErrorIds.ReplicaUnwritable, ErrorKind.WriteError,
                $"Writing the replica '{path}' failed: {ex.Message}", path, ex);
        }
    }
}
