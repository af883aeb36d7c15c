using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Tasks;
using Grpc.Core;
using Replication.Agent.Protocol;

namespace Replication.Agent.Metrics;

/// <summary>
/// The agent's meter (served to Prometheus by <see cref="MetricsEndpoint"/>): bytes of rounds sent to and received from
/// partner agents, how long rounds take to send and to apply, the replication lag of each replica this agent holds (the
/// age of the point in time of the round it last applied), and calls that failed. Lags are kept in memory: after a
/// restart a replica's lag shows again once a round is applied.
/// </summary>
public sealed class AgentMetrics : IDisposable
{
    public const string MeterName = "Replication.Agent";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _sent;
    private readonly Counter<long> _received;
    private readonly Histogram<double> _roundSeconds;
    private readonly Counter<long> _errors;
    private readonly ConcurrentDictionary<(string Backend, string Copy), (long Round, DateTimeOffset PointInTime)> _staged = new();
    private readonly ConcurrentDictionary<(string Backend, string Copy), DateTimeOffset> _applied = new();

    public AgentMetrics()
    {
        _sent = _meter.CreateCounter<long>("replication.agent.sent", "By", "Bytes of volume data this agent sent to partner agents in rounds.");
        _received = _meter.CreateCounter<long>("replication.agent.received", "By", "Bytes of volume data this agent received from partner agents in rounds (staged).");
        _roundSeconds = _meter.CreateHistogram<double>("replication.agent.round.duration", "s", "How long a round took to send (side=send) or to apply (side=apply), failed ones included.");
        _errors = _meter.CreateCounter<long>("replication.agent.errors", null, "Calls to this agent that failed, by method and gRPC status.");
        _meter.CreateObservableGauge("replication.agent.replication.lag", Lags, "s", "Seconds since the point in time of the round each replica here last applied.");
    }

    /// <summary>Sends a round and counts its bytes and its duration.</summary>
    public async Task<ReplicateReply> Sending(ReplicateRequest request, Func<Task<ReplicateReply>> send)
    {
        var clock = Stopwatch.StartNew();
        var outcome = "failed";
        try
        {
            var reply = await send().ConfigureAwait(false);
            _sent.Add(reply.BytesSent, new KeyValuePair<string, object?>("backend", request.Primary.Backend.Name));
            outcome = "ok";
            return reply;
        }
        finally
        {
            _roundSeconds.Record(clock.Elapsed.TotalSeconds, new("side", "send"), new("outcome", outcome));
        }
    }

    /// <summary>Receives a round's stage and counts its bytes; remembers its point in time until it is applied.</summary>
    public async Task<StageReply> Receiving(IAsyncStreamReader<StageMessage> input, Func<IAsyncStreamReader<StageMessage>, Task<StageReply>> receive)
    {
        var watched = new HeaderWatchingReader(input);
        var reply = await receive(watched).ConfigureAwait(false);
        if (watched.Header is { } header)
        {
            _received.Add(reply.BytesStaged, new KeyValuePair<string, object?>("backend", header.Replica.Backend.Name));
            _staged[(header.Replica.Backend.Name, header.Replica.Location)] = (header.Round, new DateTimeOffset(header.PointInTimeTicks, TimeSpan.Zero));
        }

        return reply;
    }

    /// <summary>Applies a staged round and times it; the replica's lag is then counted from that round's point in time.</summary>
    public async Task<Nothing> Applying(RoundRef request, Func<Task<Nothing>> apply)
    {
        var clock = Stopwatch.StartNew();
        var outcome = "failed";
        try
        {
            var done = await apply().ConfigureAwait(false);
            var key = (request.Copy.Backend.Name, request.Copy.Location);
            if (_staged.TryGetValue(key, out var staged) && staged.Round == request.Round)
            {
                _applied[key] = staged.PointInTime;
            }

            outcome = "ok";
            return done;
        }
        finally
        {
            _roundSeconds.Record(clock.Elapsed.TotalSeconds, new("side", "apply"), new("outcome", outcome));
        }
    }

    /// <summary>A replica deleted here has no lag any more.</summary>
    public void Forget(CopyRef copy)
    {
        _staged.TryRemove((copy.Backend.Name, copy.Location), out _);
        _applied.TryRemove((copy.Backend.Name, copy.Location), out _);
    }

    public void Failed(string method, string status) =>
        _errors.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("status", status));

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<double>> Lags()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var pair in _applied)
        {
            yield return new Measurement<double>((now - pair.Value).TotalSeconds, new("backend", pair.Key.Backend), new("copy", pair.Key.Copy));
        }
    }
}
