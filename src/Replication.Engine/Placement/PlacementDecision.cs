using System.Collections.Generic;
using Replication.Engine.Model;

namespace Replication.Engine.Placement;

/// <summary>The backend chosen for a new volume, and why each backend was or was not a candidate.</summary>
public sealed class PlacementDecision
{
    public PlacementDecision(StorageBackend backend, IReadOnlyList<string> reasons)
    {
        Backend = backend;
        Reasons = reasons;
    }

    public StorageBackend Backend { get; }

    public IReadOnlyList<string> Reasons { get; }
}
