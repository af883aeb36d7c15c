using System;
using System.IO;
using System.Text;
using Replication.Engine.Errors;
using Replication.Engine.Files;
using Replication.Engine.State;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>
/// A LocalFile backend's folder, opened for one piece of work: checked (a folder, owned by a trusted user, writable by
/// nobody else unless FolderMode grants its group), set to the backend's FolderMode, and carrying the mark of the state
/// store it belongs to. Volume files are opened in it, the module's own files in its .replication folder (0700, files
/// 0600), and nothing is ever reached through a link.
/// <para>
/// The mark (.replication/store) names the state store that owns the folder. A folder without one (made by an older
/// version) is marked by the first store that uses it; a folder marked by another store is refused, so two state files
/// never work on one folder, and one's leftovers are never the other's live volumes.
/// </para>
/// </summary>
internal sealed class BackendFolder : IDisposable
{
    public const string ModuleFolderName = ".replication";
    public const string MarkName = "store";

    private static readonly FolderTrust ModuleFolderTrust = new()
    {
        What = "the module's folder .replication",
        FolderMode = Modes.OwnerOnlyFolder,
        FileMode = Modes.OwnerOnlyFile,
    };

    private readonly BackendRecord _backend;
    private VerifiedFolder? _moduleFolder;

    private BackendFolder(BackendRecord backend, VerifiedFolder root)
    {
        _backend = backend;
        Root = root;
    }

    /// <summary>The backend folder: volume files live here with the backend's FileMode.</summary>
    public VerifiedFolder Root { get; }

    /// <summary>.replication: journals, dirty bitmaps, export records and the mark, the owner's only.</summary>
    public VerifiedFolder ModuleFolder => _moduleFolder ??= Root.Subfolder(ModuleFolderName, ModuleFolderTrust, create: true);

    /// <summary>True when this opening marked a folder that had no mark (a backend an older version made).</summary>
    public bool MarkedNow { get; private set; }

    /// <summary>Opens and checks an existing backend folder, marking it for this store if nothing marks it yet.</summary>
    public static BackendFolder Open(BackendRecord backend)
    {
        var folder = new BackendFolder(backend, VerifiedFolder.Open(LocalFileLayout.BackendFolder(backend), Trust(backend)));
        return folder.Checked();
    }

    /// <summary>Opens a new backend's folder, making it if it is missing; <paramref name="created"/> says whether it was made.</summary>
    public static BackendFolder OpenOrCreate(BackendRecord backend, out bool created)
    {
        var folder = new BackendFolder(backend, VerifiedFolder.OpenOrCreate(LocalFileLayout.BackendFolder(backend), Trust(backend), out created));
        return folder.Checked();
    }

    /// <summary>The identity of the folder and of each folder above it (reached as an admin would, without the trust checks).</summary>
    public static System.Collections.Generic.IReadOnlyList<string>? Lineage(string path)
    {
        for (var current = Path.GetFullPath(path); !string.IsNullOrEmpty(current); current = Path.GetDirectoryName(current))
        {
            if (!Directory.Exists(current))
            {
                continue;
            }

            using var folder = VerifiedFolder.Open(current, FolderTrust.AnyFolder(current));
            return folder.Lineage();
        }

        return null;
    }

    public void Dispose()
    {
        _moduleFolder?.Dispose();
        Root.Dispose();
    }

    private static FolderTrust Trust(BackendRecord backend) => LocalFileSettings.Of(backend).FolderTrust(backend.Name);

    private BackendFolder Checked()
    {
        try
        {
            CheckMark();
            return this;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private void CheckMark()
    {
        if (_backend.StoreId == Guid.Empty)
        {
            throw new InvalidOperationException($"Backend '{_backend.Name}' was not read from a state store, so its folder's mark cannot be checked.");
        }

        var mark = ReadMark();
        if (mark is null)
        {
            WriteMark();
            mark = ReadMark();
        }

        if (mark != _backend.StoreId)
        {
            var markPath = Path.Combine(ModuleFolder.Path, MarkName);
            throw new ReplicationException(ErrorIds.BackendFolderTaken, ErrorKind.PermissionDenied, mark == Guid.Empty
                ? $"The folder '{Root.Path}' of backend '{_backend.Name}' carries a mark '{markPath}' that names no state store, so the module cannot tell whose it is. If it is empty (its first use was interrupted), remove it."
                : $"The folder '{Root.Path}' of backend '{_backend.Name}' belongs to another state store (its mark '{markPath}' names store {mark}; this one is {_backend.StoreId}). " +
                  "Two state stores on one folder would take each other's volumes for leftovers; give this backend a folder of its own.", _backend.Name);
        }
    }

    private Guid? ReadMark()
    {
        try
        {
            using var file = ModuleFolder.OpenFile(MarkName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var bytes = new byte[Math.Min(file.Length, 4096)];
            var read = file.Read(bytes, 0, bytes.Length);
            var firstLine = Encoding.UTF8.GetString(bytes, 0, read).Split('\n')[0].Trim();
            return Guid.TryParse(firstLine, out var id) ? id : Guid.Empty;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private void WriteMark()
    {
        var text = Encoding.UTF8.GetBytes($"{_backend.StoreId:D}\nThe folder of backend '{_backend.Name}' of the Replication.PowerShell state store above; no other state store uses it.\n");
        try
        {
            using var file = ModuleFolder.OpenFile(MarkName, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            file.Write(text, 0, text.Length);
            file.Flush(flushToDisk: true);
        }
        catch (IOException) when (ModuleFolder.Look(MarkName) is { Kind: EntryKind.File })
        {
            // Marked meanwhile by another process: the mark it wrote is checked next.
            return;
        }

        ModuleFolder.Sync();
        MarkedNow = true;
    }
}
