using System;
using System.IO;
using System.IO.Hashing;

namespace Replication.Engine.Rounds;

/// <summary>A write-only stream that checksums everything written through it, so a journal carries its own checksum.</summary>
internal sealed class HashingWriteStream : Stream
{
    private readonly Stream _inner;
    private readonly XxHash64 _hash = new();

    public HashingWriteStream(Stream inner) => _inner = inner;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _inner.Length;

    public override long Position
    {
        get => _inner.Position;
        set => throw new NotSupportedException();
    }

    public ulong Checksum => _hash.GetCurrentHashAsUInt64();

    public override void Write(byte[] buffer, int offset, int count)
    {
        _hash.Append(buffer.AsSpan(offset, count));
        _inner.Write(buffer, offset, count);
    }

    /// <summary>
    /// Nothing to flush here (every write goes straight through): the inner stream's owner makes it durable once, when the
    /// journal is whole. Passing flushes on would sync a journal file once more for each writer that flushes it.
    /// </summary>
    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
