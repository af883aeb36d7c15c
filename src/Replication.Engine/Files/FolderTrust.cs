namespace Replication.Engine.Files;

/// <summary>What a folder must be before the module works in it, and the permissions the module gives what it makes there.</summary>
internal sealed record FolderTrust
{
    /// <summary>Says what the folder is, in messages ("the folder of backend 'dc1'").</summary>
    public string What { get; init; } = "the folder";

    /// <summary>Its owner must be in <see cref="TrustedOwners"/> and nobody else may write it; off for a folder of the admin's own choosing (a report's), where only links are refused.</summary>
    public bool RequireTrustedOwner { get; init; } = true;

    /// <summary>The folder may be writable by its group (the admin's FolderMode grants it); by others it never may.</summary>
    public bool GroupMayWrite { get; init; }

    /// <summary>What else than chmod g-w mends a folder its group may write, for the message (a backend's FolderMode setting).</summary>
    public string GroupWriteRemedy { get; init; } = "";

    /// <summary>The permissions the module gives the folder when it makes it, and sets again when this user owns it; 0 leaves them.</summary>
    public int FolderMode { get; init; }

    /// <summary>An existing folder keeps its permissions (the admin's folder holding a state file): FolderMode is for one the module makes.</summary>
    public bool KeepExistingMode { get; init; }

    /// <summary>The permissions the module gives files it makes in the folder (a fenced file keeps only their read bits).</summary>
    public int FileMode { get; init; } = Modes.OwnerOnlyFile;

    /// <summary>Anyone may own it and write it: only links are refused (a folder the admin names for a report).</summary>
    public static FolderTrust AnyFolder(string what) => new() { What = what, RequireTrustedOwner = false, GroupMayWrite = true };
}

/// <summary>Unix permission bits, spelled in octal where they are used; C# has no octal literals.</summary>
internal static class Modes
{
    public const int OwnerOnlyFile = 0x180; // 0600
    public const int OwnerOnlyFolder = 0x1C0; // 0700
    public const int ReadBits = 0x124; // 0444
    public const int OwnerWrite = 0x80; // 0200
    public const int GroupWrite = 0x10; // 0020
    public const int OthersWrite = 0x2; // 0002

    public static string Octal(int mode) => "0" + System.Convert.ToString(mode & 0xFFF, 8).PadLeft(3, '0');

    /// <summary>What a file made with <paramref name="fileMode"/> should carry now: a fenced file (no owner write) keeps only the read bits.</summary>
    public static int Keeping(int current, int fileMode) => (current & OwnerWrite) == 0 ? fileMode & ReadBits : fileMode;
}
