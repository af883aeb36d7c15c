using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Replication.Drivers;

namespace Samples.ChunkFolder;

/// <summary>The engine's sidecars as private files in the backend's sidecars folder; replaced by writing aside and renaming.</summary>
internal sealed class FolderSidecarStore : ISidecarStore
{
    private static readonly Regex NamePattern = new(@"^[A-Za-z0-9_][A-Za-z0-9._-]*$", RegexOptions.CultureInvariant);

    private readonly ChunkFolderLayout _layout;

    public FolderSidecarStore(ChunkFolderLayout layout) => _layout = layout;

    public byte[]? Read(string name) => StorageFaults.Guard(() => PrivateFiles.ReadOrNull(PathOf(name)));

    public void Replace(string name, byte[] content) => StorageFaults.Guard(() => PrivateFiles.WriteAtomically(_layout.Staging, PathOf(name), content));

    public void Delete(string name) => StorageFaults.Guard(() => File.Delete(PathOf(name)));

    public IReadOnlyList<string> List(string prefix) => StorageFaults.Guard(() =>
        Directory.EnumerateFiles(_layout.Sidecars).Select(Path.GetFileName).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList());

    public Stream Open(string name, SidecarAccess access)
    {
        var path = PathOf(name);
        // Not guarded: the contract gives an IOException for a sidecar another writer holds.
        return access switch
        {
            // FileShare.None takes an exclusive lock (flock on Linux and macOS): a second writer gets an IOException.
            SidecarAccess.Read => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read),
            SidecarAccess.ReadWrite => new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None),
            _ => File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None) : PrivateFiles.CreateNew(path),
        };
    }

    private string PathOf(string name)
    {
        if (name is null || !NamePattern.IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a sidecar name (letters, digits, '.', '-', '_').", nameof(name));
        }

        return Path.Combine(_layout.Sidecars, name);
    }
}
