using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Replication.Engine.Rounds;

/// <summary>Byte work on blocks that .NET (as far as netstandard2.0 reaches) does not offer fast.</summary>
internal static class BlockBytes
{
    /// <summary>True when <paramref name="count"/> bytes from <paramref name="offset"/> are all zero; compares a SIMD vector at a time.</summary>
    public static bool IsAllZero(byte[] buffer, int offset, int count)
    {
        if (buffer is null)
        {
            throw new ArgumentNullException(nameof(buffer));
        }

        if (offset < 0 || count < 0 || count > buffer.Length - offset)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "The range lies outside the buffer.");
        }

        var bytes = new ReadOnlySpan<byte>(buffer, offset, count);
        var vectors = MemoryMarshal.Cast<byte, Vector<byte>>(bytes);
        foreach (var vector in vectors)
        {
            if (vector != Vector<byte>.Zero)
            {
                return false;
            }
        }

        foreach (var value in bytes.Slice(vectors.Length * Vector<byte>.Count))
        {
            if (value != 0)
            {
                return false;
            }
        }

        return true;
    }
}
