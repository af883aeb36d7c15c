using System;
using System.Buffers.Binary;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Google.Protobuf;
using Grpc.Core;
using Replication.Agent.Protocol;
using Replication.Drivers;

namespace Replication.Agent;

/// <summary>
/// The replica side of native replication. A round arrives as the blocks that differ and is written to a journal
/// sidecar beside the copy (<c>LOCATION.staged</c>); only once the whole round is there does a marker
/// (<c>LOCATION.staged-round</c>) name it staged. Nothing of the copy changes until the engine, having recorded the round,
/// asks to apply it: the journal's blocks are written into the copy, flushed, the round recorded as applied
/// (<c>LOCATION.applied-round</c>), and the journal removed. Applying again after a crash writes the same blocks again.
/// A link cut or a sender killed mid-round leaves a journal without a marker: not staged, and overwritten by the next round.
/// </summary>
public sealed class StagedRounds
{
    private const int HeaderBytes = 24;

    private readonly AgentStorage _storage;

    public StagedRounds(AgentStorage storage) => _storage = storage;

    public static string JournalOf(string location) => location + ".staged";

    public static string MarkerOf(string location) => location + ".staged-round";

    public static string AppliedOf(string location) => location + ".applied-round";

    /// <summary>The SHA-256 of each block of the copy as it is now (nothing when it is missing), for the sender to compare.</summary>
    public async Task WriteHashes(BackendConfiguration backend, string location, int blockSize, IServerStreamWriter<BlockHash> output, CancellationToken cancel)
    {
        if (blockSize is < 4096 or > AgentLimits.ReplicationBlockBytes * 16)
        {
            throw new ArgumentOutOfRangeException(nameof(blockSize), $"A block of {blockSize} bytes is refused.");
        }

        if (_storage.Driver.CopyLength(backend, location) is null)
        {
            return;
        }

        using var device = _storage.Driver.Open(backend, location, DeviceAccess.Read);
        var buffer = new byte[blockSize];
        for (long offset = 0; offset < device.Length; offset += blockSize)
        {
            cancel.ThrowIfCancellationRequested();
            var count = (int)Math.Min(blockSize, device.Length - offset);
            await output.WriteAsync(new BlockHash { Offset = offset, Hash = ByteString.CopyFrom(BlockHashing.Of(device, offset, buffer, count)) }, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>Receives a round into the copy's journal; it is staged only when the stream ended whole.</summary>
    public async Task<StageReply> Receive(IAsyncStreamReader<StageMessage> input, CancellationToken cancel)
    {
        if (!await input.MoveNext(cancel).ConfigureAwait(false) || input.Current.Header is not { } header)
        {
            throw new StorageDriverException(DriverErrorIds.IoFault, "A round to stage must start with its header.");
        }

        var backend = _storage.Backend(header.Replica);
        var location = header.Replica.Location;
        var sidecars = _storage.Driver.Sidecars(backend);
        sidecars.Delete(MarkerOf(location));
        long staged = 0;
        using (var journal = sidecars.Open(JournalOf(location), SidecarAccess.OpenOrCreate))
        {
            journal.SetLength(0);
            var head = new byte[HeaderBytes];
            BinaryPrimitives.WriteInt64LittleEndian(head, header.Round);
            BinaryPrimitives.WriteInt64LittleEndian(head.AsSpan(8), header.SizeBytes);
            BinaryPrimitives.WriteInt64LittleEndian(head.AsSpan(16), header.PointInTimeTicks);
            journal.Write(head, 0, head.Length);
            var record = new byte[16];
            while (await input.MoveNext(cancel).ConfigureAwait(false))
            {
                var part = input.Current;
                long offset;
                long length;
                if (part.Block is { } block)
                {
                    (offset, length) = (block.Offset, block.Data.Length);
                }
                else if (part.Zero is { } zero)
                {
                    // A zero range is kept as a negative length.
                    (offset, length) = (zero.Offset, -zero.Length);
                }
                else
                {
                    throw new StorageDriverException(DriverErrorIds.IoFault, "A round carried a second header.");
                }

                if (offset < 0 || offset + Math.Abs(length) > header.SizeBytes)
                {
                    throw new ArgumentOutOfRangeException(nameof(input), $"A block at {offset} of {Math.Abs(length)} bytes lies outside the {header.SizeBytes}-byte copy.");
                }

                BinaryPrimitives.WriteInt64LittleEndian(record, offset);
                BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(8), length);
                journal.Write(record, 0, record.Length);
                if (part.Block is { } data)
                {
                    data.Data.WriteTo(journal);
                    staged += data.Data.Length;
                }
            }

            Durable(journal);
        }

        var marker = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(marker, header.Round);
        sidecars.Replace(MarkerOf(location), marker);
        return new StageReply { BytesStaged = staged };
    }

    /// <summary>Makes the staged round the copy's content; a round already applied is not applied twice.</summary>
    public void Apply(BackendConfiguration backend, string location, long round)
    {
        var sidecars = _storage.Driver.Sidecars(backend);
        var state = State(backend, location);
        if (state.StagedRound != round)
        {
            if (state.AppliedRound >= round)
            {
                return;
            }

            throw new StorageDriverException(DriverErrorIds.IoFault, $"Round {round} of '{location}' is not staged (staged: {state.StagedRound?.ToString() ?? "none"}).");
        }

        using (var journal = sidecars.Open(JournalOf(location), SidecarAccess.Read))
        {
            var head = ReadExactly(journal, HeaderBytes);
            var size = BinaryPrimitives.ReadInt64LittleEndian(head.AsSpan(8));
            if (_storage.Driver.CopyLength(backend, location) is not { } length)
            {
                _storage.Driver.CreateCopy(backend, location, size);
            }
            else if (length != size)
            {
                _storage.Driver.ResizeCopy(backend, location, size);
            }

            using var device = _storage.Driver.Open(backend, location, DeviceAccess.ReadWrite);
            while (journal.Position < journal.Length)
            {
                var record = ReadExactly(journal, 16);
                var offset = BinaryPrimitives.ReadInt64LittleEndian(record);
                var count = BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(8));
                if (count < 0)
                {
                    device.Zero(offset, -count, deallocate: true);
                }
                else
                {
                    var data = ReadExactly(journal, checked((int)count));
                    device.Write(offset, data, 0, data.Length);
                }
            }

            device.Flush();
        }

        var applied = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(applied, round);
        sidecars.Replace(AppliedOf(location), applied);
        sidecars.Delete(MarkerOf(location));
        sidecars.Delete(JournalOf(location));
    }

    /// <summary>Forgets the staged round (the copy stays at its applied round); a round not staged is not an error.</summary>
    public void Discard(BackendConfiguration backend, string location, long round)
    {
        if (State(backend, location).StagedRound == round)
        {
            var sidecars = _storage.Driver.Sidecars(backend);
            sidecars.Delete(MarkerOf(location));
            sidecars.Delete(JournalOf(location));
        }
    }

    /// <summary>Everything native replication kept of a copy that is removed.</summary>
    public void Forget(BackendConfiguration backend, string location)
    {
        var sidecars = _storage.Driver.Sidecars(backend);
        sidecars.Delete(MarkerOf(location));
        sidecars.Delete(JournalOf(location));
        sidecars.Delete(AppliedOf(location));
    }

    public NativeReplicaState State(BackendConfiguration backend, string location)
    {
        var sidecars = _storage.Driver.Sidecars(backend);
        return new NativeReplicaState(RoundIn(sidecars.Read(AppliedOf(location))), RoundIn(sidecars.Read(MarkerOf(location))));
    }

    private static long? RoundIn(byte[]? content) => content is { Length: 8 } ? BinaryPrimitives.ReadInt64LittleEndian(content) : null;

    private static void Durable(Stream stream)
    {
        if (stream is FileStream file)
        {
            file.Flush(flushToDisk: true);
        }
        else
        {
            stream.Flush();
        }
    }

    private static byte[] ReadExactly(Stream stream, int count)
    {
        var buffer = new byte[count];
        stream.ReadExactly(buffer, 0, count);
        return buffer;
    }
}

/// <summary>What both sides of a native round hash: a block's SHA-256, a block with nothing allocated read as zeros without reading.</summary>
public static class BlockHashing
{
    public static byte[] Of(IBlockDevice device, long offset, byte[] buffer, int count)
    {
        using var extents = device.AllocatedExtents(offset, count).GetEnumerator();
        if (!extents.MoveNext())
        {
            Array.Clear(buffer, 0, count);
        }
        else
        {
            device.Read(offset, buffer, 0, count);
        }

        return SHA256.HashData(buffer.AsSpan(0, count));
    }
}
