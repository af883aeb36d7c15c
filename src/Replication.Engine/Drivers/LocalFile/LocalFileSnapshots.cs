using System;
using System.IO;
using System.Text.RegularExpressions;
using Replication.Drivers;
using Replication.Engine.Files;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>
/// Where a LocalFile backend keeps volume snapshots: .replication/snapshots, the owner's only (0700, files 0600), each
/// named by its volume's id and its own id. A snapshot is written under a .partial name, made durable, then renamed, so a
/// name without .partial is always a whole snapshot; both forms are listed, so a leftover of a crash can be removed.
/// </summary>
internal static class LocalFileSnapshots
{
    public const string FolderName = "snapshots";

    private const string PartialSuffix = ".partial";

    private const string Guid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    private static readonly Regex VolumeLocation = new($"^volume-({Guid})\\.img\\z", RegexOptions.CultureInvariant);

    private static readonly Regex SnapshotName = new($"^snapshot-({Guid})-{Guid}\\.img(\\.partial)?\\z", RegexOptions.CultureInvariant);

    private static readonly FolderTrust Trust = new()
    {
        What = "the snapshot folder .replication/snapshots",
        FolderMode = Modes.OwnerOnlyFolder,
        FileMode = Modes.OwnerOnlyFile,
    };

    /// <summary>The snapshot folder of the backend, made on first use.</summary>
    public static VerifiedFolder Open(BackendFolder backend) => backend.ModuleFolder.Subfolder(FolderName, Trust, create: true);

    /// <summary>The snapshot folder if the backend has one yet (looking makes nothing).</summary>
    public static VerifiedFolder? OpenExisting(BackendFolder backend) =>
        backend.ModuleFolder.Look(FolderName) is null ? null : backend.ModuleFolder.Subfolder(FolderName, Trust, create: false);

    public static string NameFor(string volumeLocation, System.Guid snapshotId) => $"snapshot-{VolumeIdOf(volumeLocation)}-{snapshotId:D}.img";

    public static string PartialNameOf(string name) => name + PartialSuffix;

    /// <summary>True when <paramref name="name"/> is a snapshot (or a part-way one) of the volume at <paramref name="volumeLocation"/>.</summary>
    public static bool IsOf(string name, string volumeLocation)
    {
        var match = SnapshotName.Match(name);
        return match.Success && match.Groups[1].Value == VolumeIdOf(volumeLocation);
    }

    /// <summary>Throws unless <paramref name="name"/> has the exact form of a snapshot's name: no stored value reaches outside the folder.</summary>
    public static string Checked(string name) => SnapshotName.IsMatch(name)
        ? name
        : throw new StorageDriverException(DriverErrorIds.StorageRefused, $"'{name}' is not a LocalFile snapshot location; the state file may have been edited by hand.");

    private static string VolumeIdOf(string volumeLocation)
    {
        var match = VolumeLocation.Match(volumeLocation);
        return match.Success
            ? match.Groups[1].Value
            : throw new StorageDriverException(DriverErrorIds.StorageRefused, $"'{volumeLocation}' is not a LocalFile volume location.");
    }

    /// <summary>True when every byte of the range is zero (kept a hole in the snapshot).</summary>
    public static bool IsZero(byte[] buffer, int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (buffer[i] != 0)
            {
                return false;
            }
        }

        return true;
    }

    public static FileStream OpenRead(VerifiedFolder folder, string name) =>
        folder.OpenFile(name, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
}
