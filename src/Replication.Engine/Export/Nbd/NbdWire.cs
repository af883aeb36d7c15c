using System;
using System.IO;

namespace Replication.Engine.Export.Nbd;

/// <summary>Network byte order on a stream, with reads that fill their buffer or fail: a frame cut short is never half-used.</summary>
internal static class NbdWire
{
    /// <summary>Reads exactly <paramref name="count"/> bytes; a stream that ends first throws <see cref="EndOfStreamException"/>.</summary>
    public static void ReadExactly(Stream stream, byte[] buffer, int offset, int count)
    {
        while (count > 0)
        {
            var read = stream.Read(buffer, offset, count);
            if (read == 0)
            {
                throw new EndOfStreamException("The client closed the connection in the middle of a frame.");
            }

            offset += read;
            count -= read;
        }
    }

    public static ushort U16(byte[] buffer, int offset) => (ushort)((buffer[offset] << 8) | buffer[offset + 1]);

    public static uint U32(byte[] buffer, int offset) => ((uint)U16(buffer, offset) << 16) | U16(buffer, offset + 2);

    public static ulong U64(byte[] buffer, int offset) => ((ulong)U32(buffer, offset) << 32) | U32(buffer, offset + 4);

    public static void Put(byte[] buffer, int offset, ushort value)
    {
        buffer[offset] = (byte)(value >> 8);
        buffer[offset + 1] = (byte)value;
    }

    public static void Put(byte[] buffer, int offset, uint value)
    {
        Put(buffer, offset, (ushort)(value >> 16));
        Put(buffer, offset + 2, (ushort)value);
    }

    public static void Put(byte[] buffer, int offset, ulong value)
    {
        Put(buffer, offset, (uint)(value >> 32));
        Put(buffer, offset + 4, (uint)value);
    }
}
