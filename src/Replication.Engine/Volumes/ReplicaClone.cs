using System;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.State;

namespace Replication.Engine.Volumes;

/// <summary>A volume cloned from a replica, still claimed by the operation that made it, with what the replica held then.</summary>
internal sealed class ReplicaClone : IDisposable
{
    private readonly IDisposable _lease;

    public ReplicaClone(Volume volume, VolumeRecord source, BlockMap? sourceMap, IDisposable lease)
    {
        Volume = volume;
        Source = source;
        SourceMap = sourceMap;
        _lease = lease;
    }

    public Volume Volume { get; }

    /// <summary>The source volume as recorded when its replica was cloned (its round and data timestamp).</summary>
    public VolumeRecord Source { get; }

    /// <summary>The block hashes the replica held at that round: what the clone must equal.</summary>
    public BlockMap? SourceMap { get; }

    public void Dispose() => _lease.Dispose();
}
