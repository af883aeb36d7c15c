using System;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.State;

namespace Replication.Engine.Volumes;

/// <summary>A volume cloned from a replica, still claimed by the operation that made it, with what the replica held then.</summary>
internal sealed class ReplicaClone : IDisposable
{
    private readonly IDisposable _lease;

    public ReplicaClone(Volume volume, VolumeRecord source, ReplicaVerdict verdict, IDisposable lease)
    {
        Volume = volume;
        Source = source;
        Verdict = verdict;
        _lease = lease;
    }

    public Volume Volume { get; }

    /// <summary>The source volume as recorded when its replica was cloned (its round and data timestamp).</summary>
    public VolumeRecord Source { get; }

    /// <summary>What the replica's blocks, as the clone copied them, say against the round they should hold.</summary>
    public ReplicaVerdict Verdict { get; }

    public void Dispose() => _lease.Dispose();
}
