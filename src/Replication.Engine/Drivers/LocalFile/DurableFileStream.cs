using System;
using System.IO;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>
/// A sidecar's file as the engine gets it: <see cref="Flush"/> makes what was written durable (fsync), as the engine relies
/// on before a commit. A flush with nothing written since the last one does not sync again: an fsync costs milliseconds
/// even on a clean file, and a journal is flushed by its commit and again as its writers close.
/// </summary>
internal sealed class DurableFileStream : Stream
{
    private readonly FileStream _file;
    private bool _unsynced;

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

    public override void Flush()
    {
        if (_unsynced)
        {
            Files.FileSyncs.Synced(Files.VerifiedFolder.PathOf(_file));
            _file.Flush(flushToDisk: true);
            _unsynced = false;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => _file.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => _file.Seek(offset, origin);

    public override void SetLength(long value)
    {
        _unsynced = true;
        _file.SetLength(value);
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        _unsynced = true;
        _file.Write(buffer, offset, count);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }
}
