using Newtonsoft.Json;

namespace Replication.Engine.Rounds;

/// <summary>
/// What a round leaves in the volume's driver data for the next round's quick check (rsync's): the primary's change
/// stamp when the round read it (null when it changed during the round, or could not be taken), when the engine took it,
/// and the replica's change stamp after the round. A replica whose stamp moved since was written outside the module, so
/// the block map no longer describes it and the next round compares both sides. For a primary whose driver tracks changed
/// blocks, also the mark taken just before the round read it, and the copy it was taken on: recorded with the round, it
/// only moves on once the round it covers is in state, so a crash before that leaves the old mark for the next round.
/// </summary>
internal sealed class RoundStamp
{
    [JsonConstructor]
    public RoundStamp(string? primaryStamp, long primaryStampTakenTicks, string? replicaStamp, string? changeMark = null, string? markedCopy = null)
    {
        PrimaryStamp = primaryStamp;
        PrimaryStampTakenTicks = primaryStampTakenTicks;
        ReplicaStamp = replicaStamp;
        ChangeMark = changeMark;
        MarkedCopy = markedCopy;
    }

    public string? PrimaryStamp { get; }

    /// <summary>The wall clock (UTC ticks) when <see cref="PrimaryStamp"/> was taken, just before the primary was read.</summary>
    public long PrimaryStampTakenTicks { get; }

    public string? ReplicaStamp { get; }

    /// <summary>The driver's changed-block mark (IChangedBlockTracking) taken before the primary was read; null when it tracks none.</summary>
    [JsonProperty(NullValueHandling = NullValueHandling.Ignore)]
    public string? ChangeMark { get; }

    /// <summary>The copy (backend:location) <see cref="ChangeMark"/> was taken on: after a promotion the primary is another copy, and the mark says nothing of it.</summary>
    [JsonProperty(NullValueHandling = NullValueHandling.Ignore)]
    public string? MarkedCopy { get; }

    /// <summary>
    /// The stamp kept in driver data; null (so the next round reads and compares) when there is none or it cannot be read,
    /// as for a round an older version recorded (its stamp held file times, which the engine no longer reads itself).
    /// </summary>
    public static RoundStamp? Parse(string? driverData)
    {
        if (string.IsNullOrEmpty(driverData))
        {
            return null;
        }

        try
        {
            return JsonConvert.DeserializeObject<RoundStamp>(driverData!) is { ReplicaStamp: not null } stamp ? stamp : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>True for a round the driver replicated itself (<see cref="NativeRounds"/>): the block map does not describe its replica.</summary>
    [JsonProperty(DefaultValueHandling = DefaultValueHandling.Ignore)]
    public bool Native { get; private set; }

    /// <summary>What a native round leaves: no stamps the quick check could trust, and the mark that the block map is stale.</summary>
    public static string OfNativeRound(long pointInTimeTicks) => new RoundStamp(null, pointInTimeTicks, "") { Native = true }.ToDriverData();

    public string ToDriverData() => JsonConvert.SerializeObject(this);
}
