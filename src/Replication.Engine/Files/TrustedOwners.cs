using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using Replication.Engine.Files.Native;
using Replication.Engine.Errors;

namespace Replication.Engine.Files;

/// <summary>
/// Who may own the state file, its folder and backend folders: the user running the module, root (who can change
/// anything anyway), and the users REPLICATION_POWERSHELL_TRUSTED_OWNERS names (user names or numeric ids, separated
/// by commas): the override for a service account that runs on files another account (a deployment user) made.
/// Read each time, so a session that sets the variable is heard at once.
/// </summary>
internal static class TrustedOwners
{
    public const string EnvironmentVariable = "REPLICATION_POWERSHELL_TRUSTED_OWNERS";

    private static readonly object PasswordDatabase = new();

    /// <summary>The effective user id of this process.</summary>
    public static uint Self => NativeMethods.Unix.EffectiveUserId();

    public static bool Includes(uint owner) => owner == 0 || owner == Self || Listed().Contains(owner);

    private static HashSet<uint> Listed()
    {
        var listed = new HashSet<uint>();
        var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return listed;
        }

        foreach (var entry in value!.Split(',').Select(e => e.Trim()).Where(e => e.Length > 0))
        {
            listed.Add(uint.TryParse(entry, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : UserId(entry));
        }

        return listed;
    }

    private static uint UserId(string name)
    {
        // getpwnam returns a static buffer: one caller at a time.
        lock (PasswordDatabase)
        {
            var entry = NativeMethods.Unix.GetPasswordEntry(name);
            if (entry == IntPtr.Zero)
            {
                throw new ReplicationException(ErrorIds.PathNotTrusted, ErrorKind.InvalidArgument,
                    $"{EnvironmentVariable} names '{name}', which is not a user of this system. List user names or numeric user ids, separated by commas.", name);
            }

            // struct passwd: pw_name and pw_passwd (two pointers), then pw_uid, on Linux and macOS alike.
            return (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size);
        }
    }
}
