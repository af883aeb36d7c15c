using Replication.Engine.Errors;

namespace Replication.Engine.Replication;

/// <summary>A round of a batch that failed when the batch finished it: the volume, and why (its failure is recorded on it).</summary>
public sealed record RoundFailure(string VolumeName, ReplicationException Failure);
