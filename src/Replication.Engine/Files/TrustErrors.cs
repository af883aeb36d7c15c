using System;
using Replication.Engine.Errors;

namespace Replication.Engine.Files;

/// <summary>The errors of a file or folder the module will not trust, worded once.</summary>
internal static class TrustErrors
{
    public static ReplicationException Link(string path) =>
        new(ErrorIds.LinkRefused, ErrorKind.PermissionDenied,
            $"'{path}' is a link (a symbolic link, junction or other reparse point), where the module keeps a file or folder of its own. The module never follows a link it did not make, so nothing was read, written, changed or removed through it. Remove the link if it is not meant to be there.", path);

    public static ReplicationException NotTrusted(string path, string why) =>
        new(ErrorIds.PathNotTrusted, ErrorKind.PermissionDenied, $"'{path}' is not used: {why}", path);

    /// <summary>Why a folder's owner and mode make it untrustworthy; null when they do not.</summary>
    public static string? FolderProblem(FileFacts facts, FolderTrust trust)
    {
        if (!trust.RequireTrustedOwner)
        {
            return null;
        }

        if (facts.Owner is { } owner && !TrustedOwners.Includes(owner))
        {
            return $"{trust.What} is owned by uid {owner}, not by the user running the module (uid {TrustedOwners.Self}) or root, so that user could change what the module reads and writes there. " +
                $"Make it yours (chown), or, for a service account working on folders another account made, name that owner in {TrustedOwners.EnvironmentVariable}.";
        }

        if ((facts.Mode & Modes.OthersWrite) != 0)
        {
            return $"{trust.What} is writable by every user (mode {Modes.Octal(facts.Mode)}), so anyone could plant or replace files in it. Remove that permission (chmod o-w).";
        }

        if ((facts.Mode & Modes.GroupWrite) != 0 && !trust.GroupMayWrite)
        {
            return $"{trust.What} is writable by its group (mode {Modes.Octal(facts.Mode)}), so other users could plant or replace files in it. Remove that permission (chmod g-w){trust.GroupWriteRemedy}.";
        }

        return null;
    }

    /// <summary>Turns an errno (or Win32 error) into the exception .NET itself would throw for it.</summary>
    public static Exception FromError(string action, string path, int error, bool windows)
    {
        var missing = windows ? error is 2 or 3 : error == 2;
        var denied = windows ? error == 5 : error is 1 or 13;
        var message = $"{action} '{path}': {new System.ComponentModel.Win32Exception(error).Message} (error {error}).";
        if (missing)
        {
            return new System.IO.FileNotFoundException(message, path);
        }

        if (denied)
        {
            return new UnauthorizedAccessException(message);
        }

        // .NET puts the errno in HResult on Unix and 0x8007xxxx on Windows; TransientIo reads it.
        return new System.IO.IOException(message, windows ? unchecked((int)0x80070000) | error : error);
    }
}
