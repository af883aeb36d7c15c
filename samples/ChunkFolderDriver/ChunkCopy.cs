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
    private readonly string _staging;

    public ChunkCopy(ChunkFolderLayout layout, string location)
    {
        Folder = layout.CopyFolder(location);
        Location = location;
        ChunkSize = layout.ChunkSize;
        _staging = layout.Staging;
    }

    public string Folder { get; }

    public string Location { get; }

    public long ChunkSize { get; }

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

    public void WriteSize(long size) => PrivateFiles.WriteAtomically(_staging, SizeFile, Number(size));

    public void CountChange() => PrivateFiles.WriteAtomically(_staging, GenerationFile, Number((Generation ?? 0) + 1));

    public void SetFence(bool fenced)
    {
        var marker = Path.Combine(Folder, "fenced");
        if (fenced)
        {
            PrivateFiles.WriteAtomically(_staging, marker, new byte[0]);
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
