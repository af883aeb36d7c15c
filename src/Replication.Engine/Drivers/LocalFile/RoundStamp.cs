using Newtonsoft.Json;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>
/// What a LocalFile round leaves in the volume's driver data: the primary's stamp (null when it changed during the
/// round) and the replica's modification time after the round. A replica whose time moved since was written outside
/// the module, so the block map no longer describes it and the next round compares both sides.
/// </summary>
internal sealed class RoundStamp
{
    [JsonConstructor]
    public RoundStamp(SourceStamp? source, long replicaModifiedTicks)
    {
        Source = source;
        ReplicaModifiedTicks = replicaModifiedTicks;
    }

    public SourceStamp? Source { get; }

    public long ReplicaModifiedTicks { get; }

    /// <summary>The stamp kept in driver data; null (so the next round reads and compares) when there is none or it cannot be read.</summary>
    public static RoundStamp? Parse(string? driverData)
    {
        if (string.IsNullOrEmpty(driverData))
        {
            return null;
        }

        try
        {
            return JsonConvert.DeserializeObject<RoundStamp>(driverData!);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public string ToDriverData() => JsonConvert.SerializeObject(this);
}
