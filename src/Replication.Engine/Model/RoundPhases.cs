using System;
using System.Globalization;

namespace Replication.Engine.Model;

/// <summary>
/// Where a sync round's time went, phase by phase; each moment counts once, for the innermost phase it was spent in. The
/// read of the primary overlaps hashing and writing, so <see cref="Read"/> is only the time the round waited for data.
/// </summary>
public sealed class RoundPhases
{
    /// <summary>Asking the primary which of its ranges hold data (holes are never read).</summary>
    public TimeSpan ExtentWalk { get; init; }

    /// <summary>Waiting for the primary's data (and the replica's, where a round compares them).</summary>
    public TimeSpan Read { get; init; }

    /// <summary>Hashing blocks and comparing them with the block map.</summary>
    public TimeSpan Hash { get; init; }

    /// <summary>Writing changed blocks to the sync journal beside the replica.</summary>
    public TimeSpan Journal { get; init; }

    /// <summary>Writing changed blocks to the replica (applying the journal, or directly).</summary>
    public TimeSpan ReplicaWrites { get; init; }

    /// <summary>Making writes durable: the journal, its commit record, the replica, the folders that name them.</summary>
    public TimeSpan Fsync { get; init; }

    /// <summary>Reading and writing the state store (a round recorded in a batch: its share of the batch's transaction is not here).</summary>
    public TimeSpan State { get; init; }

    /// <summary>Everything else: change stamps, opening copies, the engine's own work.</summary>
    public TimeSpan Other { get; init; }

    public TimeSpan Total => ExtentWalk + Read + Hash + Journal + ReplicaWrites + Fsync + State + Other;

    /// <summary>These phases with <paramref name="share"/> (a round's share of work its batch did for many) added.</summary>
    internal RoundPhases Plus(RoundPhases share) => new()
    {
        ExtentWalk = ExtentWalk + share.ExtentWalk,
        Read = Read + share.Read,
        Hash = Hash + share.Hash,
        Journal = Journal + share.Journal,
        ReplicaWrites = ReplicaWrites + share.ReplicaWrites,
        Fsync = Fsync + share.Fsync,
        State = State + share.State,
        Other = Other + share.Other,
    };

    /// <summary>One of <paramref name="count"/> equal shares of these phases.</summary>
    internal RoundPhases Share(int count) => new()
    {
        ExtentWalk = Divided(ExtentWalk, count),
        Read = Divided(Read, count),
        Hash = Divided(Hash, count),
        Journal = Divided(Journal, count),
        ReplicaWrites = Divided(ReplicaWrites, count),
        Fsync = Divided(Fsync, count),
        State = Divided(State, count),
        Other = Divided(Other, count),
    };

    public override string ToString() => string.Format(CultureInfo.InvariantCulture,
        "extent walk {0}, read {1}, hash {2}, journal {3}, replica writes {4}, fsync {5}, state {6}, other {7}",
        Ms(ExtentWalk), Ms(Read), Ms(Hash), Ms(Journal), Ms(ReplicaWrites), Ms(Fsync), Ms(State), Ms(Other));

    private static TimeSpan Divided(TimeSpan time, int count) => TimeSpan.FromTicks(time.Ticks / count);

    private static string Ms(TimeSpan time) => time.TotalMilliseconds.ToString(time.TotalMilliseconds < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " ms";
}
