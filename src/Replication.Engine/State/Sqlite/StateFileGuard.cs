using System;
using System.IO;
using Replication.Engine.Errors;
using Replication.Engine.Files;

namespace Replication.Engine.State.Sqlite;

/// <summary>
/// What a SQLite state file must be before SQLite opens it. The folder that holds it is owned by a trusted user (see
/// <see cref="TrustedOwners"/>) and writable by nobody else, since SQLite makes its -wal and -shm files there. The file
/// itself is not a link (a dangling one included: nothing is ever made at a link's target), is a regular file owned
/// by a trusted user and writable by nobody else, and is not empty, unless the module has just made it: a missing
/// state file is made here, exclusively, 0600, before SQLite opens it.
/// </summary>
internal static class StateFileGuard
{
    private static readonly string[] Companions = { "-wal", "-shm" };

    /// <summary>Checks the state file (making it if it is missing); true when it was made now.</summary>
    public static bool Check(string fullPath)
    {
        var name = Path.GetFileName(fullPath);
        try
        {
            using var folder = VerifiedFolder.OpenOrCreate(Path.GetDirectoryName(fullPath)!, FolderTrust(fullPath), out _);
            var file = folder.Look(name);
            if (file is null)
            {
                using (folder.OpenFile(name, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite))
                {
                }

                folder.Sync();
                return true;
            }

            var problem = file.Kind switch
            {
                EntryKind.Link => "it is a link. The module never opens a state file through a link, nor makes one at a link's target; name the file itself.",
                EntryKind.File => FileProblem(file),
                _ => "it is not a regular file.",
            };
            return problem is null ? false : throw Untrusted(fullPath, problem);
        }
        catch (ReplicationException ex) when (ex.ErrorId is ErrorIds.LinkRefused or ErrorIds.PathNotTrusted)
        {
            throw Untrusted(fullPath, ex.Message);
        }
    }

    /// <summary>
    /// Leaves the state file and its -wal and -shm readable by their owner only (0600), as files of an older version may not
    /// be; done once SQLite has accepted the file, so a file that is not a state file is left as it was. The files are
    /// never opened here: SQLite has them open, and another descriptor closed in this process would drop its locks.
    /// </summary>
    public static void Tighten(string fullPath)
    {
        var name = Path.GetFileName(fullPath);
        using var folder = VerifiedFolder.Open(Path.GetDirectoryName(fullPath)!, FolderTrust(fullPath));
        foreach (var file in new[] { name, name + Companions[0], name + Companions[1] })
        {
            if (folder.Look(file) is { Kind: EntryKind.File, Owner: { } owner } facts && owner == TrustedOwners.Self && (facts.Mode & 0x3F) != 0)
            {
                folder.SetModeWithoutOpening(file, Modes.OwnerOnlyFile);
            }
        }
    }

    private static string? FileProblem(FileFacts file) =>
        file.Owner is { } owner && !TrustedOwners.Includes(owner)
            ? $"it is owned by uid {owner}, not by the user running the module (uid {TrustedOwners.Self}) or root, so that user could rewrite the state (a backend's path, say). Use a state file of your own, or, for a service account on a file another account made, name that owner in {TrustedOwners.EnvironmentVariable}."
            : (file.Mode & (Modes.GroupWrite | Modes.OthersWrite)) != 0
                ? $"it is writable by other users (mode {Modes.Octal(file.Mode)}), who could rewrite the state. Remove those permissions (chmod go-w) if the file is yours."
                : file.Size == 0
                    ? "it is empty, and the module did not make it (it makes a new state file itself, before SQLite opens it). If you made it, remove it; the module then makes a new one."
                    : null;

    private static FolderTrust FolderTrust(string fullPath) => new()
    {
        What = $"the folder of the state file '{fullPath}'",
        FolderMode = Modes.OwnerOnlyFolder,
        KeepExistingMode = true,
    };

    private static ReplicationException Untrusted(string path, string why) =>
        new(ErrorIds.StateStoreUntrusted, ErrorKind.PermissionDenied,
            $"The state file '{path}' is not used: {why} Point REPLICATION_POWERSHELL_STATE or Set-ReplicationStateStore at a state file of your own.", path);
}
