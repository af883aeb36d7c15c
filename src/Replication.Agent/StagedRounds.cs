using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
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
/// A link cut or a sender killed mid-round leaves a journal without a marker: not staged; the next attempt asks which
/// blocks it holds (<see cref="WriteStagedHashes"/>) and sends only the rest (<see cref="StagedJournal"/>).
/// </summary>
public sealed class StagedRounds
{
    private readonly AgentStorage _storage;

    public StagedRounds(AgentStorage storage) => _storage = storage;

    public static string JournalOf(string location) => location + ".staged";

    public static string MarkerOf(string location) => location + ".staged-round";

    public static string AppliedOf(string location) => location + ".applied-round";

    /// <summary>The SHA-256 of each block of the copy as it is now (nothing when it is missing), for the sender to compare.</summary>
    public async Task WriteHashes(BackendConfiguration backend, string location, int blockSize, IServerStreamWriter<BlockHash> output, CancellationToken cancel)
    {
        if (blockSize is < 4096 or > 16 << 20)
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

    /// <summary>
    /// Receives a round into the copy's journal; it is staged only when the stream ended whole. A sender that resumes keeps
    /// the whole records a cut attempt left (of a copy of the same size) and adds to them; otherwise the journal starts anew.
    /// </summary>
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
            journal.SetLength(header.Resume ? KeptLength(journal, header.SizeBytes) : 0);
            StagedJournal.WriteHeader(journal, new StagedJournal.Header(header.Round, header.SizeBytes, header.PointInTimeTicks));
            journal.Seek(0, SeekOrigin.End);
            var block = new byte[AgentLimits.ReplicationBlockBytes];
            while (await input.MoveNext(cancel).ConfigureAwait(false))
            {
                var part = input.Current;
                var (offset, length) = part.PartCase switch
                {
                    StageMessage.PartOneofCase.Block => (part.Block.Offset, (long)part.Block.Data.Length),
                    StageMessage.PartOneofCase.Compressed => (part.Compressed.Offset, (long)part.Compressed.Length),
                    StageMessage.PartOneofCase.Zero => (part.Zero.Offset, part.Zero.Length),
                    _ => throw new StorageDriverException(DriverErrorIds.IoFault, "A round carried a second header."),
                };
                if (offset < 0 || length <= 0 || length > block.Length || offset + length > header.SizeBytes)
                {
                    throw new ArgumentOutOfRangeException(nameof(input), $"A block at {offset} of {length} bytes lies outside the {header.SizeBytes}-byte copy.");
                }

                switch (part.PartCase)
                {
                    case StageMessage.PartOneofCase.Block:
                        StagedJournal.WriteData(journal, offset, part.Block.Data.Span);
                        staged += length;
                        break;
                    case StageMessage.PartOneofCase.Compressed:
                        BlockCompression.Decompress(part.Compressed.Zstd.Span, block.AsSpan(0, (int)length));
                        StagedJournal.WriteData(journal, offset, block.AsSpan(0, (int)length));
                        staged += length;
                        break;
                    default:
                        StagedJournal.WriteZeros(journal, offset, length);
                        break;
                }
            }

            Durable(journal);
        }

        var marker = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(marker, header.Round);
        sidecars.Replace(MarkerOf(location), marker);
        return new StageReply { BytesStaged = staged };
    }

    /// <summary>The offset and hash of each block a journal holds (the last record of an offset wins), for a sender that resumes.</summary>
    public async Task WriteStagedHashes(CopyRef copy, IServerStreamWriter<BlockHash> output, CancellationToken cancel)
    {
        var sidecars = _storage.Driver.Sidecars(_storage.Backend(copy));
        if (!sidecars.List(JournalOf(copy.Location)).Contains(JournalOf(copy.Location)))
        {
            return;
        }

        var latest = new Dictionary<long, byte[]>();
        using (var journal = sidecars.Open(JournalOf(copy.Location), SidecarAccess.Read))
        {
            if (StagedJournal.ReadHeader(journal) is { } header)
            {
                foreach (var record in StagedJournal.ReadRecords(journal, header.SizeBytes, out _))
                {
                    latest[record.Offset] = record.Hash;
                }
            }
        }

        foreach (var (offset, hash) in latest)
        {
            await output.WriteAsync(new BlockHash { Offset = offset, Hash = ByteString.CopyFrom(hash) }, cancel).ConfigureAwait(false);
        }
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
            var size = (StagedJournal.ReadHeader(journal) ?? throw new StorageDriverException(DriverErrorIds.IoFault,
                $"The staged round {round} of '{location}' is not a journal this agent reads (staged by an older agent?): sync again.")).SizeBytes;
            var records = StagedJournal.ReadRecords(journal, size, out var end);
            if (end != journal.Length)
            {
                throw new StorageDriverException(DriverErrorIds.IoFault, $"The staged round {round} of '{location}' is damaged at byte {end} of its journal.");
            }

            if (_storage.Driver.CopyLength(backend, location) is not { } length)
            {
                _storage.Driver.CreateCopy(backend, location, size);
            }
            else if (length != size)
            {
                _storage.Driver.ResizeCopy(backend, location, size);
            }

            using var device = _storage.Driver.Open(backend, location, DeviceAccess.ReadWrite);
            var data = new byte[AgentLimits.ReplicationBlockBytes];
            foreach (var record in records)
            {
                if (record.IsZeros)
                {
                    device.Zero(record.Offset, -record.Length, deallocate: true);
                }
                else
                {
                    journal.Position = record.DataPosition;
                    journal.ReadExactly(data, 0, (int)record.Length);
                    device.Write(record.Offset, data, 0, (int)record.Length);
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

    /// <summary>Where the whole records a cut attempt left in the journal end; 0 when there are none to keep.</summary>
    private static long KeptLength(Stream journal, long sizeBytes)
    {
        if (StagedJournal.ReadHeader(journal) is not { } header || header.SizeBytes != sizeBytes)
        {
            return 0;
        }

        StagedJournal.ReadRecords(journal, sizeBytes, out var end);
        return end;
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
