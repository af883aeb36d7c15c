using Newtonsoft.Json;
using Newtonsoft.Json.Converters;

namespace Replication.Engine.State;

/// <summary>The change of a volume's copies a <see cref="PendingChange"/> records.</summary>
public enum PendingOperation
{
    /// <summary>Resize-Volume: both copies grow to <see cref="PendingChange.SizeBytes"/>, the replica first.</summary>
    Extend,

    /// <summary>Move-Volume (or Set-Volume -VolumeType -Migrate): the copies move to another backend and its partner.</summary>
    Migrate,
}

/// <summary>
/// A change of a volume's copies that a process started and has not finished, recorded on the volume before its first
/// file is touched, with what was asked: the next command under the volume's lease (or Repair-ReplicationState)
/// settles it from this record, never by guessing from the files. Stored as JSON in one column.
/// </summary>
public sealed record PendingChange
{
    /// <summary>The operation by name, so the stored text reads as what was asked.</summary>
    private static readonly JsonSerializerSettings Settings = new() { NullValueHandling = NullValueHandling.Ignore, Converters = { new StringEnumConverter() } };

    public PendingOperation Operation { get; init; }

    /// <summary>Extend: the size asked.</summary>
    public long? SizeBytes { get; init; }

    /// <summary>Migrate: the backend and location of the primary copy before the move.</summary>
    public string? FromBackend { get; init; }

    public string? FromLocation { get; init; }

    /// <summary>Migrate: the replica's backend and location before the move, if it had one.</summary>
    public string? FromReplicaBackend { get; init; }

    public string? FromReplicaLocation { get; init; }

    /// <summary>Migrate: where the copies go (the replica to <see cref="ToReplicaBackend"/>, when the type replicates), at <see cref="ToLocation"/>.</summary>
    public string? ToBackend { get; init; }

    public string? ToReplicaBackend { get; init; }

    public string? ToLocation { get; init; }

    /// <summary>Migrate: the volume type the moved volume is recorded with (Set-Volume -VolumeType -Migrate).</summary>
    public string? ToVolumeType { get; init; }

    public string ToJson() => JsonConvert.SerializeObject(this, Settings);

    public static PendingChange? FromJson(string? json) => string.IsNullOrEmpty(json) ? null : JsonConvert.DeserializeObject<PendingChange>(json!, Settings);
}
