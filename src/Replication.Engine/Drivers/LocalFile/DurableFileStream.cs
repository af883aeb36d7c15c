using System;
using System.IO;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>A sidecar's file as the engine gets it: <see cref="Flush"/> makes what was written durable (fsync), as the engine relies on before a commit.</summary>
internal sealed class DurableFileStream : Stream
{
    private readonly FileStream _file;

    public DurableFileStream(FileStream file) => _file = file;

    public override bool CanRead => _file.CanRead;

    public override bool CanSeek => _file.CanSeek;

    public override bool CanWrite => _file.CanWrite;

    public override long Length => _file.Length;

    public override long Position
    {
        get => _file.Position;
        set => _file.Position = value;
    }

    public override void Flush() => _file.Flush(flushToDisk: true);

    public override int Read(byte[] buffer, int offset, int count) => _file.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => _file.Seek(offset, origin);

    public override void SetLength(long value) => _file.SetLength(value);

    public override void Write(byte[] buffer, int offset, int count) => _file.Write(buffer, offset, count);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }
}
