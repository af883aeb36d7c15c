using System;
using System.IO;
using System.Text.RegularExpressions;
using Replication.Engine.Errors;
using Replication.Engine.State;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>
/// Where a LocalFile backend keeps things. Files are named by volume id, never by the admin's volume name, and a
/// location is accepted only in that exact form: no name or stored value can reach outside the backend folder.
/// </summary>
internal static class LocalFileLayout
{
    private static readonly Regex LocationPattern = new("^volume-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.img\\z", RegexOptions.CultureInvariant);

    public static string LocationFor(Guid volumeId) => $"volume-{volumeId:D}.img";

    /// <summary>True when the name has the exact form of a volume file's location.</summary>
    public static bool IsLocation(string name) => LocationPattern.IsMatch(name);

    public static string JournalFolderOf(BackendRecord backend) => Path.Combine(BackendFolder(backend), LocalFile.BackendFolder.ModuleFolderName);

    public static VolumeFile VolumePath(VolumeCopy copy)
    {
        if (!LocationPattern.IsMatch(copy.Location))
        {
            throw new ReplicationException(ErrorIds.InvalidPath, ErrorKind.InvalidData,
                $"'{copy.Location}' is not a LocalFile volume location; the state file may have been edited by hand.", copy.Location);
        }

        return new VolumeFile(copy.Backend, copy.Location);
    }

    public static string BackendFolder(BackendRecord backend) => Path.GetFullPath(backend.Path);
}
