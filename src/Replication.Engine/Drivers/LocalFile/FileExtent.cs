namespace Replication.Engine.Drivers.LocalFile;

/// <summary>A byte range of a file, from <see cref="Offset"/> up to (not including) <see cref="End"/>.</summary>
internal readonly struct FileExtent
{
    public FileExtent(long offset, long length)
    {
        Offset = offset;
        Length = length;
    }

    public long Offset { get; }

    public long Length { get; }

    public long End => Offset + Length;

    public override string ToString() => $"[{Offset}, {End})";
}
