using System;
using System.IO;
using System.Linq;
using System.Text;
using Replication.Engine.Errors;
using Replication.Engine.State.Sqlite;

namespace Replication.Engine.Files;

/// <summary>
/// Writes a report where the admin asks (-ReportPath), never over a file of the module's own: not the state file (nor
/// its -wal, -shm or -journal), not anything inside a backend's folder, not through a link. Paths are compared by the
/// files' and folders' real identities, so another spelling or a link to them is caught too. The report is written to a
/// new file beside its name (0600) and renamed over it: readers see the old report or the new one, never half of one.
/// </summary>
public sealed class ReportFiles
{
    private static readonly string[] StateCompanions = { "", "-wal", "-shm", "-journal" };

    private readonly EngineContext _context;

    internal ReportFiles(EngineContext context) => _context = context;

    public void Write(string path, string content)
    {
        var full = Path.GetFullPath(path);
        var name = Path.GetFileName(full);
        var folderPath = Path.GetDirectoryName(full);
        if (string.IsNullOrEmpty(name) || Directory.Exists(full))
        {
            throw Invalid(full, "is a folder; give the report a file name, such as dr-report.html in that folder");
        }

        if (string.IsNullOrEmpty(folderPath) || !Directory.Exists(folderPath))
        {
            throw Invalid(full, $"is in a folder that does not exist ('{folderPath}'); make the folder first");
        }

        try
        {
            using var folder = VerifiedFolder.Open(folderPath!, FolderTrust.AnyFolder(folderPath!));
            var existing = folder.Look(name);
            if (existing is { Kind: EntryKind.Link })
            {
                throw Refused(full, "is a link; a report is never written through one (it could lead anywhere). Name the file itself");
            }

            if (existing is { Kind: not EntryKind.File })
            {
                throw Invalid(full, "is not a regular file");
            }

            CheckNotTheModules(full, folder, name, existing);
            Replace(folder, name, Encoding.UTF8.GetBytes(content));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ReplicationException(ErrorIds.ReportNotWritten, ErrorKind.WriteError, $"The report '{full}' could not be written: {ex.Message}", full, ex);
        }
    }

    private void CheckNotTheModules(string full, VerifiedFolder folder, string name, FileFacts? existing)
    {
        if (_context.Store is SqliteStateStore sqlite)
        {
            var stateFolder = Path.GetDirectoryName(sqlite.Location)!;
            var stateName = Path.GetFileName(sqlite.Location);
            var stateFolderFacts = Directory.Exists(stateFolder) ? VerifiedFolder.LookAt(stateFolder) : null;
            var comparison = Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            foreach (var suffix in StateCompanions)
            {
                var sameEntry = stateFolderFacts?.Identity == folder.Facts.Identity && string.Equals(stateName + suffix, name, comparison);
                var sameFile = existing is not null && VerifiedFolder.LookAt(sqlite.Location + suffix) is { Kind: EntryKind.File } state && state.Identity == existing.Identity;
                if (sameEntry || sameFile)
                {
                    throw Refused(full, $"is the module's state file{(suffix.Length == 0 ? "" : $" ({suffix.TrimStart('-')} file)")} '{sqlite.Location}{suffix}'; writing a report there would destroy the state");
                }
            }
        }

        var lineage = folder.Lineage();
        using var read = _context.Store.Begin(write: false);
        foreach (var backend in read.ListBackends())
        {
            if (_context.Drivers.Get(backend.Driver).StorageLineage(backend) is { Self: { } storage } && lineage.Contains(storage))
            {
                throw Refused(full, $"is inside the folder of backend '{backend.Name}' ('{backend.Path}'), where the module keeps volumes and its own files; a report there could overwrite a volume");
            }
        }
    }

    private static void Replace(VerifiedFolder folder, string name, byte[] content)
    {
        var temporary = $".{name}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = folder.OpenFile(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(content, 0, content.Length);
                file.Flush(flushToDisk: true);
            }

            folder.Rename(temporary, name);
            folder.Sync();
        }
        catch
        {
            folder.TryDelete(temporary);
            throw;
        }
    }

    private static ReplicationException Refused(string path, string why) =>
        new(ErrorIds.ReportPathRefused, ErrorKind.PermissionDenied, $"The report path '{path}' {why}. Nothing was written.", path);

    private static ReplicationException Invalid(string path, string why) =>
        new(ErrorIds.InvalidPath, ErrorKind.InvalidArgument, $"The report path '{path}' {why}. Nothing was written.", path);
}
