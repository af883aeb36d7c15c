using System;
using ZstdSharp;

namespace Replication.Agent;

/// <summary>
/// zstd for the blocks of a round, one block at a time, kept only when it pays: a block that does not shrink by at least
/// a sixteenth goes raw, so incompressible data costs the link nothing more. Level 1 keeps up with a fast link on one core.
/// One instance per round (zstd contexts are not shared between threads).
/// </summary>
public sealed class BlockCompression : IDisposable
{
    public const int Level = 1;

    private readonly Compressor _compressor = new(Level);
    private readonly byte[] _output = new byte[AgentLimits.ReplicationBlockBytes];

    /// <summary>The block compressed, or nothing when that would not save a sixteenth of it.</summary>
    public ReadOnlyMemory<byte>? Compress(ReadOnlySpan<byte> block)
    {
        var worthIt = block.Length - (block.Length / 16);
        if (_compressor.TryWrap(block, _output.AsSpan(0, worthIt), out var written) && written < worthIt)
        {
            return _output.AsMemory(0, written);
        }

        return null;
    }

    /// <summary>A compressed block back into <paramref name="block"/>, which must be exactly its length before.</summary>
    public static void Decompress(ReadOnlySpan<byte> compressed, Span<byte> block)
    {
        using var decompressor = new Decompressor();
        if (!decompressor.TryUnwrap(compressed, block, out var written) || written != block.Length)
        {
            throw new Replication.Drivers.StorageDriverException(Replication.Drivers.DriverErrorIds.IoFault, $"A compressed block did not come back to its {block.Length} bytes.");
        }
    }

    public void Dispose() => _compressor.Dispose();
}
