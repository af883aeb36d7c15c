using System.Globalization;
using System.IO;
using System.Text;
using Replication.Drivers;

namespace Samples.ChunkFolder;

/// <summary>
/// One copy's folder: its size, its generation (the change stamp, counted up before every change, so a crash never
/// leaves changed data under an old stamp), its fence marker and its chunk files.
/// </summary>
internal sealed class ChunkCopy
{
    public ChunkCopy(ChunkFolderLayout layout, string location)
    {
        Folder = layout.CopyFolder(location);
        Location = location;
        ChunkSize = layout.ChunkSize;
        Staging = layout.Staging;
    }

    public string Folder { get; }

    public string Location { get; }

    public long ChunkSize { get; }

    /// <summary>The backend's folder for files written aside before they are renamed into place.</summary>
    public string Staging { get; }

    public bool Exists => File.Exists(SizeFile);

    public bool Fenced => File.Exists(Path.Combine(Folder, "fenced"));

    private string SizeFile => Path.Combine(Folder, "size");

    private string GenerationFile => Path.Combine(Folder, "generation");

    /// <summary>The size; null when the copy is not there.</summary>
    public long? Size => ReadNumber(SizeFile);

    public long? Generation => ReadNumber(GenerationFile);

    public ChunkCopy Required()
    {
        if (!Exists)
        {
            throw new StorageDriverException(DriverErrorIds.CopyMissing, $"The copy '{Location}' does not exist.");
        }

        return this;
    }

    /// <summary>Sets a new size; the copy's changed-block tracking no longer describes it.</summary>
    public void WriteSize(long size)
    {
        ChangedChunks.Forget(this);
        PrivateFiles.WriteAtomically(Staging, SizeFile, Number(size));
    }

    public void CountChange() => PrivateFiles.WriteAtomically(Staging, GenerationFile, Number((Generation ?? 0) + 1));

    public void SetFence(bool fenced)
    {
        var marker = Path.Combine(Folder, "fenced");
        if (fenced)
        {
            PrivateFiles.WriteAtomically(Staging, marker, new byte[0]);
        }
        else
        {
            File.Delete(marker); // a missing file is not an error
        }
    }

    public string ChunkFile(long index) => Path.Combine(Folder, "chunk-" + index.ToString("D8", CultureInfo.InvariantCulture));

    private static byte[] Number(long value) => Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));

    private static long? ReadNumber(string path) =>
        PrivateFiles.ReadOrNull(path) is { } bytes ? long.Parse(Encoding.ASCII.GetString(bytes), CultureInfo.InvariantCulture) : null;
}
