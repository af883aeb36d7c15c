using System.IO;

namespace Replication.Engine.Drivers;

/// <summary>
/// A small file the engine keeps about a copy (its dirty bitmap, its export record), in storage the driver checked:
/// opened, replaced and removed without ever following a link, and readable by the module's user only.
/// </summary>
public abstract class SidecarFile
{
    /// <summary>Where the file is, for messages.</summary>
    public abstract string Path { get; }

    /// <summary>
    /// Opens the file (<see cref="FileMode.Open"/>, <see cref="FileMode.CreateNew"/> or <see cref="FileMode.OpenOrCreate"/>);
    /// a missing one gives FileNotFoundException, one held against <paramref name="share"/> an IOException.
    /// </summary>
    public abstract FileStream Open(FileMode mode, FileAccess access, FileShare share);

    public abstract bool Exists();

    /// <summary>The whole content; null when the file is not there.</summary>
    public abstract byte[]? ReadAll();

    /// <summary>Writes the content whole or not at all: a new file made private first, then renamed over the old.</summary>
    public abstract void Replace(byte[] content);

    /// <summary>Removes the file; a missing one is not an error.</summary>
    public abstract void Delete();

    public override string ToString() => Path;
}
