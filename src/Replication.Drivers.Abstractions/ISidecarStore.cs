using System.Collections.Generic;
using System.IO;

namespace Replication.Drivers;

/// <summary>How the engine opens a sidecar.</summary>
public enum SidecarAccess
{
    /// <summary>Opens an existing sidecar to read; a missing one throws FileNotFoundException.</summary>
    Read,

    /// <summary>Opens an existing sidecar to read and write; a missing one throws FileNotFoundException.</summary>
    ReadWrite,

    /// <summary>Opens the sidecar to read and write, creating it empty when it is missing.</summary>
    OpenOrCreate,
}

/// <summary>
/// Small named files the engine keeps on a backend (names are the engine's: letters, digits, '.', '-', '_'). The store
/// keeps them where only the module's user reads them and never follows a link; it is the engine's only storage besides
/// the copies, so journals and bitmaps live with the backend they describe.
/// </summary>
public interface ISidecarStore
{
    /// <summary>The whole content; null when the sidecar is not there.</summary>
    byte[]? Read(string name);

    /// <summary>Writes the content whole or not at all, durably (a crash leaves the old content or the new).</summary>
    void Replace(string name, byte[] content);

    /// <summary>Removes the sidecar; a missing one is not an error.</summary>
    void Delete(string name);

    /// <summary>Every sidecar whose name starts with the prefix.</summary>
    IReadOnlyList<string> List(string prefix);

    /// <summary>
    /// Opens a sidecar as a stream for large or random-access content (a round's journal, a dirty bitmap), held
    /// exclusively against other writers; a sidecar held by another process throws IOException.
    /// </summary>
    Stream Open(string name, SidecarAccess access);
}

/// <summary>
/// A sidecar store that removes several sidecars with one flush (a batch of sync rounds forgets its journals together).
/// Optional: without it the engine calls <see cref="ISidecarStore.Delete"/> for each.
/// </summary>
public interface ISidecarBatchRemoval
{
    /// <summary>Removes every named sidecar, as durably as <see cref="ISidecarStore.Delete"/> removes one; missing ones are not errors.</summary>
    void DeleteAll(IReadOnlyList<string> names);
}

/// <summary>
/// A sidecar store that replaces several sidecars sharing its flushes (a batch of sync rounds commits its journals
/// together). Optional: without it the engine calls <see cref="ISidecarStore.Replace"/> for each.
/// </summary>
public interface ISidecarBatchReplace
{
    /// <summary>
    /// Replaces each named sidecar with its content, each atomically and as durably as <see cref="ISidecarStore.Replace"/>
    /// when this returns; a crash before leaves each sidecar either as it was or as given, never part-written.
    /// </summary>
    void ReplaceAll(IReadOnlyList<KeyValuePair<string, byte[]>> sidecars);
}
