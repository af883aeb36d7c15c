using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Replication.Drivers;
using Replication.Engine.Files;
using Replication.Engine.State;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>
/// The engine's sidecars of a LocalFile backend: private files (0600) in its .replication folder (0700), reached through
/// the checked backend folder and never through a link; replaced by writing a new file and renaming it over the old.
/// </summary>
internal sealed class LocalSidecarStore : ISidecarStore, ISidecarBatchRemoval, ISidecarBatchReplace
{
    private static readonly Regex NamePattern = new("^[A-Za-z0-9][A-Za-z0-9._-]*\\z", RegexOptions.CultureInvariant);

    private readonly BackendRecord _backend;

    public LocalSidecarStore(BackendRecord backend) => _backend = backend;

    public byte[]? Read(string name) => LocalFileBackend.Run(() =>
    {
        try
        {
            using var file = Open(name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var content = new byte[file.Length];
            var total = 0;
            for (var read = 1; read > 0 && total < content.Length; total += read)
            {
                read = file.Read(content, total, content.Length - total);
            }

            return total == content.Length ? content : throw new EndOfStreamException($"The sidecar '{name}' ended early.");
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    });

    public void Replace(string name, byte[] content) => ReplaceAll(new[] { new KeyValuePair<string, byte[]>(name, content) });

    /// <summary>
    /// Each sidecar written to a new file beside it, all of them synced at once, then each renamed over its old one and
    /// the folder synced once: the syncs, not the writes, are what costs.
    /// </summary>
    public void ReplaceAll(IReadOnlyList<KeyValuePair<string, byte[]>> sidecars) => LocalFileBackend.Run(() =>
    {
        using var folder = BackendFolder.Open(_backend);
        var module = folder.ModuleFolder;
        var written = new List<(string Name, string Temporary, FileStream File)>(sidecars.Count);
        try
        {
            foreach (var sidecar in sidecars)
            {
                // Not ".tmp": the engine stages its journals under that ending.
                var temporary = Checked(sidecar.Key) + ".new";
                // A leftover temporary file is removed (a link there is refused), and the new one made exclusively.
                module.Delete(temporary);
                var file = module.OpenFile(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                written.Add((sidecar.Key, temporary, file));
                file.Write(sidecar.Value, 0, sidecar.Value.Length);
            }

            ConcurrentSyncs.Run(written, entry =>
            {
                FileSyncs.Synced(VerifiedFolder.PathOf(entry.File));
                entry.File.Flush(flushToDisk: true);
            });
        }
        finally
        {
            written.ForEach(entry => entry.File.Dispose());
        }

        foreach (var (name, temporary, _) in written)
        {
            module.Rename(temporary, name);
        }

        module.Sync();
    });

    public void Delete(string name) => DeleteAll(new[] { name });

    /// <summary>One flush of the folder for all of them: that flush, not the removal, is what costs.</summary>
    public void DeleteAll(IReadOnlyList<string> names) => LocalFileBackend.Run(() =>
    {
        using var folder = BackendFolder.Open(_backend);
        var removed = false;
        foreach (var name in names)
        {
            removed |= folder.ModuleFolder.Delete(Checked(name));
        }

        // Only a removal needs the folder flushed; asking to remove a sidecar that is not there is the common case.
        if (removed)
        {
            folder.ModuleFolder.Sync();
        }
    });

    public IReadOnlyList<string> List(string prefix) => LocalFileBackend.Run(() =>
    {
        using var folder = BackendFolder.Open(_backend);
        // Names only; the folder was checked (never a link) before its names are read. The store's mark is not a sidecar.
        return Directory.EnumerateFiles(folder.ModuleFolder.Path)
            .Select(Path.GetFileName)
            .Where(name => name.StartsWith(prefix, System.StringComparison.Ordinal) && name != BackendFolder.MarkName && NamePattern.IsMatch(name))
            .OrderBy(name => name, System.StringComparer.Ordinal)
            .ToList();
    });

    /// <summary>
    /// Readers share the file with everyone (a shared lock); a read-write opening of an existing sidecar holds it
    /// exclusively (an exclusive lock), one that may create it shares it with readers only. A missing sidecar and one
    /// held by another process are the plain FileNotFoundException and IOException the contract names.
    /// </summary>
    public Stream Open(string name, SidecarAccess access)
    {
        try
        {
            var file = access switch
            {
                SidecarAccess.Read => Open(name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite),
                SidecarAccess.ReadWrite => Open(name, FileMode.Open, FileAccess.ReadWrite, FileShare.None),
                _ => Open(name, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read),
            };
            return new DurableFileStream(file);
        }
        catch (Errors.ReplicationException ex)
        {
            throw new StorageDriverException(DriverErrorIds.StorageRefused, ex.Message, ex);
        }
    }

    private FileStream Open(string name, FileMode mode, FileAccess access, FileShare share)
    {
        using var folder = BackendFolder.Open(_backend);
        return folder.ModuleFolder.OpenFile(Checked(name), mode, access, share, 1 << 20);
    }

    private static string Checked(string name) => NamePattern.IsMatch(name) && name != BackendFolder.MarkName
        ? name
        : throw new StorageDriverException(DriverErrorIds.InvalidSetting, $"'{name}' is not a sidecar name: letters, digits, '.', '-' and '_' only.");
}
