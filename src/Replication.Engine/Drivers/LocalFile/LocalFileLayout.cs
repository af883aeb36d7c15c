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
    private static readonly Regex OwnedFilePattern = new("^volume-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\.(?:img|sync-journal|sync-journal\\.tmp|dirty|export|export\\.tmp)\\z", RegexOptions.CultureInvariant);

    private static readonly Regex LocationPattern = new("^volume-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.img\\z", RegexOptions.CultureInvariant);

    public static string LocationFor(Guid volumeId) => $"volume-{volumeId:D}.img";

    /// <summary>True when the name has the exact form of a volume file's location.</summary>
    public static bool IsLocation(string name) => LocationPattern.IsMatch(name);

    /// <summary>The volume id a file of this backend belongs to (a volume file or a journal), if it is one of ours.</summary>
    public static Guid? VolumeIdOf(string fileName)
    {
        var match = OwnedFilePattern.Match(fileName);
        return match.Success ? Guid.Parse(match.Groups[1].Value) : null;
    }

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

    /// <summary>The committed journal's name in the module's folder.</summary>
    public static string JournalName(Guid volumeId) => $"volume-{volumeId:D}.sync-journal";

    /// <summary>Where a journal is written before its commit (the rename to <see cref="JournalName"/>).</summary>
    public static string UncommittedJournalName(Guid volumeId) => JournalName(volumeId) + ".tmp";

    /// <summary>A file of the engine's about one volume (its dirty bitmap, its export record) in the module's folder; kinds are fixed words.</summary>
    public static string SidecarName(Guid volumeId, string kind) =>
        kind is "dirty" or "export"
            ? $"volume-{volumeId:D}.{kind}"
            : throw new ArgumentException($"'{kind}' is not a kind of sidecar file.", nameof(kind));

    /// <summary>The volume id of a location (validated as <see cref="VolumePath"/> does).</summary>
    public static Guid VolumeIdOfLocation(VolumeCopy copy)
    {
        VolumePath(copy);
        return Guid.Parse(copy.Location.Substring("volume-".Length, 36));
    }
}
