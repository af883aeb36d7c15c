using System.IO;
using System.Linq;
using System.Runtime.ExceptionServices;
using Replication.Drivers;

namespace Replication.Engine.Drivers;

/// <summary>
/// A small file the engine keeps about a copy (its dirty bitmap, its export record), in the sidecars of the copy's
/// backend. A driver's failure surfaces as the module's own refusal it carried (a link, say) or as an IOException, so
/// callers handle "missing" (FileNotFoundException) and "held by another process" (IOException) as for any file.
/// </summary>
public sealed class SidecarFile
{
    private readonly ISidecarStore _store;

    internal SidecarFile(ISidecarStore store, string name, string path)
    {
        _store = store;
        Name = name;
        Path = path;
    }

    public string Name { get; }

    /// <summary>Where the file is, for messages.</summary>
    public string Path { get; }

    /// <summary>
    /// Opens the file: <see cref="FileMode.Open"/> with <see cref="FileAccess.Read"/> to read beside its holder,
    /// <see cref="FileMode.Open"/> with <see cref="FileShare.None"/> to hold it exclusively, <see cref="FileMode.OpenOrCreate"/>
    /// to hold it for writing while others read. A missing one gives FileNotFoundException, one held by another process an IOException.
    /// </summary>
    public Stream Open(FileMode mode, FileAccess access, FileShare share) => Run(() => _store.Open(Name,
        mode == FileMode.OpenOrCreate ? SidecarAccess.OpenOrCreate
        : access == FileAccess.Read ? SidecarAccess.Read
        : share == FileShare.None ? SidecarAccess.ReadWrite
        : throw new System.ArgumentException("A sidecar is opened to read, to hold exclusively, or to hold for writing while others read.", nameof(share))));

    public bool Exists()
    {
        try
        {
            return Run(() => _store.List(Name).Contains(Name));
        }
        catch (FileNotFoundException)
        {
            return false; // The backend's storage cannot be reached: nothing of it is there.
        }
    }

    /// <summary>The whole content; null when the file is not there.</summary>
    public byte[]? ReadAll() => Run(() => _store.Read(Name));

    /// <summary>Writes the content whole or not at all.</summary>
    public void Replace(byte[] content) => Run(() =>
    {
        _store.Replace(Name, content);
        return true;
    });

    /// <summary>Removes the file; a missing one is not an error.</summary>
    public void Delete() => Run(() =>
    {
        _store.Delete(Name);
        return true;
    });

    public override string ToString() => Path;

    private static T Run<T>(System.Func<T> work)
    {
        try
        {
            return work();
        }
        catch (StorageDriverException ex) when (ex.InnerException is Errors.ReplicationException or IOException)
        {
            ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
        catch (StorageDriverException ex)
        {
            throw new IOException(ex.Message, ex);
        }
    }
}
