using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.Files;
using Replication.Engine.Rules;
using Replication.Engine.State;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>
/// A LocalFile backend's settings (New-StorageBackend -Setting): the permissions of its volume files (FileMode) and of
/// its folder (FolderMode). By default only the user running the module reads volumes (0600 in a 0700 folder); a
/// hypervisor that runs as another user of the backend's group gets read and write with FileMode 0660 and FolderMode
/// 0770 (or 0750, so the group cannot add or remove files). Others never get anything. The module's own files (journals,
/// dirty bitmaps, export records, its mark) and the .replication folder stay the owner's only, whatever these say.
/// </summary>
internal sealed class LocalFileSettings
{
    public const string FileModeKey = "FileMode";
    public const string FolderModeKey = "FolderMode";

    // Owner read+write, group bits as named (octal 0600, 0640, 0660).
    private static readonly int[] FileModes = { 0x180, 0x1A0, 0x1B0 };

    // Owner rwx, group none, x, r-x or rwx (octal 0700, 0710, 0750, 0770).
    private static readonly int[] FolderModes = { 0x1C0, 0x1C8, 0x1E8, 0x1F8 };

    private LocalFileSettings(int fileMode, int folderMode)
    {
        FileMode = fileMode;
        FolderMode = folderMode;
    }

    public int FileMode { get; }

    public int FolderMode { get; }

    /// <summary>The settings a backend was defined with; a backend an older version defined has none, so it has the defaults.</summary>
    public static LocalFileSettings Of(BackendRecord backend) => Parse(backend.Settings, backend.Name);

    /// <summary>Checks what the admin gave and returns every setting in its stored form (defaults filled in), or refuses with InvalidSetting.</summary>
    public static IReadOnlyDictionary<string, string> Validate(IReadOnlyDictionary<string, object?> given, string backendName)
    {
        var texts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in given)
        {
            if (!string.Equals(pair.Key, FileModeKey, StringComparison.OrdinalIgnoreCase) && !string.Equals(pair.Key, FolderModeKey, StringComparison.OrdinalIgnoreCase))
            {
                throw Invalid(backendName, $"'{Names.Printable(pair.Key)}' is not a setting of the LocalFile driver; it has {FileModeKey} and {FolderModeKey}.");
            }

            texts[pair.Key] = Convert.ToString(pair.Value, CultureInfo.InvariantCulture) ?? "";
        }

        var settings = Parse(texts, backendName);
        if ((settings.FileMode & 0x38) != 0 && (settings.FolderMode & 0x8) == 0)
        {
            throw Invalid(backendName, $"{FileModeKey} {Modes.Octal(settings.FileMode)} lets the group use volume files, but {FolderModeKey} {Modes.Octal(settings.FolderMode)} keeps the group out of the folder that holds them; use {FolderModeKey} 0750 or 0770.");
        }

        return new Dictionary<string, string>
        {
            [FileModeKey] = Modes.Octal(settings.FileMode),
            [FolderModeKey] = Modes.Octal(settings.FolderMode),
        };
    }

    /// <summary>How the backend's folder must be: owned by a trusted user, writable by its group only when FolderMode says so.</summary>
    public FolderTrust FolderTrust(string backendName) => new()
    {
        What = $"the folder of backend '{backendName}'",
        GroupMayWrite = (FolderMode & Modes.GroupWrite) != 0,
        GroupWriteRemedy = $", or define the backend with -Setting @{{ {FolderModeKey} = '0770' }} if its group is meant to write there",
        FolderMode = FolderMode,
        FileMode = FileMode,
    };

    private static LocalFileSettings Parse(IReadOnlyDictionary<string, string> settings, string backendName) => new(
        Mode(settings, FileModeKey, Modes.OwnerOnlyFile, FileModes, "0600 (the owner only), 0640 (the group reads) or 0660 (the group reads and writes)", backendName),
        Mode(settings, FolderModeKey, Modes.OwnerOnlyFolder, FolderModes, "0700 (the owner only), 0710, 0750 or 0770 (the group may also add and remove files)", backendName));

    private static int Mode(IReadOnlyDictionary<string, string> settings, string key, int fallback, int[] allowed, string allowedText, string backendName)
    {
        var text = settings.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Value;
        if (text is null)
        {
            return fallback;
        }

        var digits = text.Trim();
        if (digits.Length is < 3 or > 4 || digits.Any(c => c is < '0' or > '7'))
        {
            throw Invalid(backendName, $"{key} '{Names.Printable(text)}' is not a permission in octal; use {allowedText}.");
        }

        var mode = Convert.ToInt32(digits, 8);
        return allowed.Contains(mode) ? mode : throw Invalid(backendName, $"{key} {Modes.Octal(mode)} is not allowed: use {allowedText}. The owner always keeps full access and other users never get any.");
    }

    private static ReplicationException Invalid(string backendName, string message) =>
        new(ErrorIds.InvalidSetting, ErrorKind.InvalidArgument, message, backendName);
}
