using System;
using System.IO;
using Replication.Engine.State;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>A sidecar file of a LocalFile backend, in its .replication folder (0700, files 0600), reached through the checked backend folder.</summary>
internal sealed class LocalSidecarFile : SidecarFile
{
    private readonly BackendRecord _backend;
    private readonly string _name;

    public LocalSidecarFile(BackendRecord backend, string name)
    {
        _backend = backend;
        _name = name;
        Path = System.IO.Path.Combine(LocalFileLayout.JournalFolderOf(backend), name);
    }

    public override string Path { get; }

    public override FileStream Open(FileMode mode, FileAccess access, FileShare share)
    {
        using var folder = BackendFolder.Open(_backend);
        return folder.ModuleFolder.OpenFile(_name, mode, access, share);
    }

    public override bool Exists()
    {
        try
        {
            using var folder = BackendFolder.Open(_backend);
            return folder.ModuleFolder.Look(_name) is not null;
        }
        catch (FileNotFoundException)
        {
            return false; // The backend's folder cannot be reached: nothing of it is there.
        }
    }

    public override byte[]? ReadAll()
    {
        try
        {
            using var file = Open(FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var content = new byte[file.Length];
            var total = 0;
            for (var read = 1; read > 0 && total < content.Length; total += read)
            {
                read = file.Read(content, total, content.Length - total);
            }

            return total == content.Length ? content : throw new EndOfStreamException($"'{Path}' ended early.");
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    public override void Replace(byte[] content)
    {
        var temporary = _name + ".tmp";
        using var folder = BackendFolder.Open(_backend);
        var module = folder.ModuleFolder;
        // A leftover temporary file is removed (a link there is refused), and the new one made exclusively.
        module.Delete(temporary);
        using (var file = module.OpenFile(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            file.Write(content, 0, content.Length);
            file.Flush(flushToDisk: true);
        }

        module.Rename(temporary, _name);
        module.Sync();
    }

    public override void Delete()
    {
        using var folder = BackendFolder.Open(_backend);
        folder.ModuleFolder.Delete(_name);
    }
}
