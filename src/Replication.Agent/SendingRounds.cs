using System.Collections.Concurrent;
using System.Threading;
using Replication.Agent.Protocol;

namespace Replication.Agent;

/// <summary>
/// The rounds this agent is sending now and how far each has come, by primary copy and round, for the controller to show
/// progress while its Replicate call waits.
/// </summary>
public sealed class SendingRounds
{
    private readonly ConcurrentDictionary<string, Counters> _rounds = new();

    public Counters Start(CopyRef primary, long round, long totalBytes)
    {
        var counters = new Counters(totalBytes);
        _rounds[KeyOf(primary, round)] = counters;
        return counters;
    }

    public void End(CopyRef primary, long round) => _rounds.TryRemove(KeyOf(primary, round), out _);

    public RoundProgressReply Progress(RoundRef round) => _rounds.TryGetValue(KeyOf(round.Copy, round.Round), out var counters)
        ? new RoundProgressReply
        {
            Sending = true,
            BytesTotal = counters.TotalBytes,
            BytesExamined = Interlocked.Read(ref counters.Examined),
            BytesSent = Interlocked.Read(ref counters.Sent),
            BytesOnWire = Interlocked.Read(ref counters.OnWire),
        }
        : new RoundProgressReply();

    private static string KeyOf(CopyRef copy, long round) => $"{copy.Backend.StateStoreId}/{copy.Backend.Name}/{copy.Location}/{round}";

    /// <summary>One round's figures; the sender adds, the progress call reads.</summary>
    public sealed class Counters
    {
        public long Examined;
        public long Sent;
        public long OnWire;
        public long Resumed;

        public Counters(long totalBytes) => TotalBytes = totalBytes;

        public long TotalBytes { get; }
    }
}
