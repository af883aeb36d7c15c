using System;
using System.Linq;
using System.Threading.Tasks;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Replication.Agent.Metrics;
using Replication.Agent.Preflight;
using Replication.Agent.Epochs;
using Replication.Agent.Protocol;
using Replication.Drivers;

namespace Replication.Agent;

/// <summary>The driver contract's storage work, call by call, on the agent's folder; the native rounds are <see cref="StagedRounds"/> and <see cref="RoundSender"/>.</summary>
public sealed class StorageAgentService : StorageAgent.StorageAgentBase
{
    private static readonly Nothing None = new();

    private readonly AgentStorage _storage;
    private readonly OpenHandles _handles;
    private readonly StagedRounds _staged;
    private readonly RoundSender _sender;
    private readonly LinkProbe _linkProbe;
    private readonly Diagnosis _diagnosis;
    private readonly AgentMetrics _metrics;
    private readonly EpochGate _epochs;
    private readonly SendingRounds _sending;

    public StorageAgentService(AgentStorage storage, OpenHandles handles, StagedRounds staged, PartnerChannels partners, AgentOptions options, AgentMetrics metrics, EpochGate epochs, SendingRounds sending)
    {
        _storage = storage;
        _handles = handles;
        _staged = staged;
        _sending = sending;
        _sender = new RoundSender(storage, partners, sending);
        _linkProbe = new LinkProbe(partners);
        _diagnosis = AgentDiagnosis.Of(options);
        _metrics = metrics;
        _epochs = epochs;
    }

    private IStorageDriver Driver => _storage.Driver;

    public override Task<Flag> PrepareBackend(BackendRef request, ServerCallContext context) =>
        Task.FromResult(new Flag { Value = Driver.PrepareBackend(_storage.Backend(request)) });

    public override Task<Nothing> AbandonBackend(BackendRef request, ServerCallContext context) => Done(() => Driver.AbandonBackend(_storage.Backend(request)));

    public override Task<Capabilities> ReportCapabilities(BackendRef request, ServerCallContext context)
    {
        var reply = new Capabilities();
        foreach (var pair in Driver.ReportCapabilities(_storage.Backend(request)))
        {
            reply.Values[pair.Key] = pair.Value switch
            {
                null => Value.ForNull(),
                bool flag => Value.ForBool(flag),
                string text => Value.ForString(text),
                var number => Value.ForNumber(Convert.ToDouble(number, System.Globalization.CultureInfo.InvariantCulture)),
            };
        }

        return Task.FromResult(reply);
    }

    public override Task<ProbeReply> Probe(BackendRef request, ServerCallContext context)
    {
        var probe = Driver.Probe(_storage.Backend(request));
        var reply = new ProbeReply { Location = probe.Location, Writable = probe.Writable };
        if (probe.Unreachable is { } unreachable) reply.Unreachable = unreachable;
        if (probe.WriteProblem is { } problem) reply.WriteProblem = problem;
        if (probe.TotalBytes is { } total) reply.TotalBytes = total;
        if (probe.FreeBytes is { } free) reply.FreeBytes = free;
        if (probe.BlockSize is { } block) reply.BlockSize = block;
        if (probe.HolesSupported is { } holes) reply.HolesSupported = holes;
        if (probe.HolesDetail is { } detail) reply.HolesDetail = detail;
        if (probe.ProbeFileTime is { } time) reply.ProbeFileTimeTicks = time.UtcTicks;
        return Task.FromResult(reply);
    }

    public override Task<Names> ListCopies(BackendRef request, ServerCallContext context) =>
        Task.FromResult(new Names { Names_ = { Driver.ListCopies(_storage.Backend(request)) } });

    public override async Task<Nothing> CreateCopy(CopySize request, ServerCallContext context)
    {
        await _epochs.RequireWritable(request.Copy.Location, context.CancellationToken).ConfigureAwait(false);
        Driver.CreateCopy(_storage.Backend(request.Copy), request.Copy.Location, request.SizeBytes);
        return None;
    }

    public override Task<Nothing> DeleteCopy(CopyRef request, ServerCallContext context) => Done(() =>
    {
        Driver.DeleteCopy(_storage.Backend(request), request.Location);
        _staged.Forget(_storage.Backend(request), request.Location);
        _metrics.Forget(request);
        _epochs.Forget(request.Location);
    });

    public override Task<Nothing> ResizeCopy(CopySize request, ServerCallContext context) =>
        Done(() => Driver.ResizeCopy(_storage.Backend(request.Copy), request.Copy.Location, request.SizeBytes));

    public override Task<OptionalLength> CopyLength(CopyRef request, ServerCallContext context)
    {
        var reply = new OptionalLength();
        if (Driver.CopyLength(_storage.Backend(request), request.Location) is { } length) reply.Value = length;
        return Task.FromResult(reply);
    }

    public override Task<Nothing> SetFence(FenceRequest request, ServerCallContext context) =>
        Done(() =>
        {
            Driver.SetFence(_storage.Backend(request.Copy), request.Copy.Location, request.Fenced);
            _epochs.FenceSet(request.Copy.Location, request.Fenced);
        });

    public override Task<OptionalFlag> IsFenced(CopyRef request, ServerCallContext context)
    {
        var reply = new OptionalFlag();
        if (Driver.IsFenced(_storage.Backend(request), request.Location) is { } fenced) reply.Value = fenced;
        return Task.FromResult(reply);
    }

    public override Task<OptionalText> ChangeStamp(CopyRef request, ServerCallContext context)
    {
        var reply = new OptionalText();
        if (ChangeStamps.Settled(() => Driver.ChangeStamp(_storage.Backend(request), request.Location)) is { } stamp) reply.Value = stamp;
        return Task.FromResult(reply);
    }

    public override Task<Connection> Connect(CopyRef request, ServerCallContext context)
    {
        var connection = Driver.Connect(_storage.Backend(request), request.Location);
        return Task.FromResult(new Connection { DriverVolumeType = connection.DriverVolumeType, Data = { connection.Data.ToDictionary(pair => pair.Key, pair => pair.Value) } });
    }

    public override Task<Flag> CloneCopy(CloneRequest request, ServerCallContext context) =>
        Task.FromResult(new Flag { Value = _storage.Driver.TryCloneCopy(_storage.Backend(request.Backend), request.SourceLocation, request.TargetLocation) });

    public override async Task<Opened> OpenDevice(OpenDeviceRequest request, ServerCallContext context)
    {
        var access = request.Access == Access.Read ? DeviceAccess.Read : DeviceAccess.ReadWrite;
        if (access == DeviceAccess.ReadWrite)
        {
            await _epochs.RequireWritable(request.Copy.Location, context.CancellationToken).ConfigureAwait(false);
        }

        var device = Driver.Open(_storage.Backend(request.Copy), request.Copy.Location, access);
        return new Opened { Handle = _handles.Add(ConnectionOf(context), device), Length = device.Length };
    }

    public override Task<Opened> OpenSidecar(OpenSidecarRequest request, ServerCallContext context)
    {
        var access = request.Access switch
        {
            Access.Read => SidecarAccess.Read,
            Access.ReadWrite => SidecarAccess.ReadWrite,
            _ => SidecarAccess.OpenOrCreate,
        };
        var stream = Driver.Sidecars(_storage.Backend(request.Sidecar.Backend)).Open(request.Sidecar.Name, access);
        return Task.FromResult(new Opened { Handle = _handles.Add(ConnectionOf(context), stream), Length = stream.Length });
    }

    public override Task<Bytes> ReadAt(ReadRequest request, ServerCallContext context)
    {
        var entry = _handles.Get(ConnectionOf(context), request.Handle);
        if (request.Count < 0 || request.Count > AgentLimits.MaxMessageBytes - 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(request.Count), $"A read of {request.Count} bytes is refused.");
        }

        var buffer = new byte[request.Count];
        if (entry.Device is { } device)
        {
            device.Read(request.Offset, buffer, 0, request.Count);
            return Task.FromResult(new Bytes { Value = UnsafeByteOperations.UnsafeWrap(buffer) });
        }

        // A stream reads what is there: fewer bytes at its end.
        var stream = entry.Stream!;
        stream.Position = request.Offset;
        var read = 0;
        while (read < buffer.Length && stream.Read(buffer, read, buffer.Length - read) is var n and > 0)
        {
            read += n;
        }

        return Task.FromResult(new Bytes { Value = ByteString.CopyFrom(buffer, 0, read) });
    }

    public override Task<Nothing> WriteAt(WriteRequest request, ServerCallContext context) => Done(() =>
    {
        var entry = _handles.Get(ConnectionOf(context), request.Handle);
        var data = request.Data.ToByteArray();
        if (entry.Device is { } device)
        {
            device.Write(request.Offset, data, 0, data.Length);
        }
        else
        {
            entry.Stream!.Position = request.Offset;
            entry.Stream.Write(data, 0, data.Length);
        }
    });

    public override Task<Nothing> Flush(Handle request, ServerCallContext context) => Done(() =>
    {
        var entry = _handles.Get(ConnectionOf(context), request.Handle_);
        if (entry.Device is { } device)
        {
            device.Flush();
        }
        else if (entry.Stream is System.IO.FileStream file)
        {
            file.Flush(flushToDisk: true);
        }
        else
        {
            entry.Stream!.Flush();
        }
    });

    public override Task<Nothing> SetLength(LengthRequest request, ServerCallContext context) =>
        Done(() => _handles.Stream(ConnectionOf(context), request.Handle).SetLength(request.Length));

    public override Task<Nothing> Zero(ZeroRequest request, ServerCallContext context) =>
        Done(() => _handles.Device(ConnectionOf(context), request.Handle).Zero(request.Offset, request.Length, request.Deallocate));

    public override Task<Extents> AllocatedExtents(ExtentsRequest request, ServerCallContext context)
    {
        var device = _handles.Device(ConnectionOf(context), request.Handle);
        var reply = new Extents();
        reply.Extents_.AddRange(device.AllocatedExtents(request.Offset, request.Length).Select(e => new Protocol.Extent { Offset = e.Offset, Length = e.Length }));
        return Task.FromResult(reply);
    }

    public override Task<Nothing> Close(Handle request, ServerCallContext context) => Done(() => _handles.Close(ConnectionOf(context), request.Handle_));

    public override Task<OptionalBytes> ReadSidecar(SidecarRef request, ServerCallContext context)
    {
        var reply = new OptionalBytes();
        if (Driver.Sidecars(_storage.Backend(request.Backend)).Read(request.Name) is { } content) reply.Value = ByteString.CopyFrom(content);
        return Task.FromResult(reply);
    }

    public override Task<Nothing> ReplaceSidecar(SidecarContent request, ServerCallContext context) =>
        Done(() => Driver.Sidecars(_storage.Backend(request.Sidecar.Backend)).Replace(request.Sidecar.Name, request.Content.ToByteArray()));

    public override Task<Nothing> DeleteSidecar(SidecarRef request, ServerCallContext context) =>
        Done(() => Driver.Sidecars(_storage.Backend(request.Backend)).Delete(request.Name));

    public override Task<Names> ListSidecars(SidecarRef request, ServerCallContext context) =>
        Task.FromResult(new Names { Names_ = { Driver.Sidecars(_storage.Backend(request.Backend)).List(request.Name) } });

    public override Task<ReplicateReply> Replicate(ReplicateRequest request, ServerCallContext context) =>
        _metrics.Sending(request, () => _sender.Send(request, context.CancellationToken));

    public override Task BlockHashes(BlockHashesRequest request, IServerStreamWriter<BlockHash> responseStream, ServerCallContext context) =>
        _staged.WriteHashes(_storage.Backend(request.Copy), request.Copy.Location, request.BlockSize, responseStream, context.CancellationToken);

    public override Task<StageReply> Stage(IAsyncStreamReader<StageMessage> requestStream, ServerCallContext context) =>
        _metrics.Receiving(requestStream, stream => _staged.Receive(stream, context.CancellationToken));

    public override async Task<Nothing> ApplyStaged(RoundRef request, ServerCallContext context)
    {
        await _epochs.RequireWritable(request.Copy.Location, context.CancellationToken).ConfigureAwait(false);
        return await _metrics.Applying(request, () => Done(() => _staged.Apply(_storage.Backend(request.Copy), request.Copy.Location, request.Round))).ConfigureAwait(false);
    }

    public override Task<Nothing> DiscardStaged(RoundRef request, ServerCallContext context) =>
        Done(() => _staged.Discard(_storage.Backend(request.Copy), request.Copy.Location, request.Round));

    public override Task<ReplicaStateReply> ReplicaState(CopyRef request, ServerCallContext context)
    {
        var state = _staged.State(_storage.Backend(request), request.Location);
        var reply = new ReplicaStateReply();
        if (state.AppliedRound is { } applied) reply.AppliedRound = applied;
        if (state.StagedRound is { } staged) reply.StagedRound = staged;
        return Task.FromResult(reply);
    }

    public override Task<Diagnosis> Diagnose(Nothing request, ServerCallContext context) => Task.FromResult(_diagnosis);

    public override Task<LinkReply> MeasurePartnerLink(MeasureLinkRequest request, ServerCallContext context) => _linkProbe.Measure(request, context.CancellationToken);

    public override Task<ClockReading> PartnerClock(Nothing request, ServerCallContext context) => Task.FromResult(new ClockReading { UtcTicks = DateTime.UtcNow.Ticks });

    public override Task<LinkProbeReceived> ReceiveLinkProbe(IAsyncStreamReader<Bytes> requestStream, ServerCallContext context) => LinkProbe.Receive(requestStream, context.CancellationToken);

    public override Task<EpochState> AssertEpoch(EpochAssertion request, ServerCallContext context) => Task.FromResult(_epochs.Assert(request));

    public override Task<EpochState> EpochOf(CopyRef request, ServerCallContext context) => Task.FromResult(_epochs.StateOf(request.Location));

    public override Task StagedBlocks(CopyRef request, IServerStreamWriter<BlockHash> responseStream, ServerCallContext context) =>
        _staged.WriteStagedHashes(request, responseStream, context.CancellationToken);

    public override Task<RoundProgressReply> RoundProgress(RoundRef request, ServerCallContext context) => Task.FromResult(_sending.Progress(request));

    private static string ConnectionOf(ServerCallContext context) => context.GetHttpContext().Connection.Id;

    private static Task<Nothing> Done(Action work)
    {
        work();
        return Task.FromResult(None);
    }
}
