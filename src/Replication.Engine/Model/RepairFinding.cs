namespace Replication.Engine.Model;

/// <summary>Something Repair-ReplicationState found left behind (by a crash, a fault or a change outside the module) and what it did.</summary>
public sealed class RepairFinding
{
    /// <summary>AbandonedCreation, UnfinishedDeletion, FencedPrimary, InterruptedSync, MissingPrimary, MissingReplica, InterruptedGroupPromotion, InterruptedGroupRound, OrphanFile, ExpiredLease, UnreachableBackend.</summary>
    public string Kind { get; init; } = "";

    /// <summary>The volume, backend or file the finding is about.</summary>
    public string Target { get; init; } = "";

    /// <summary>What was done, or what would be done.</summary>
    public string Action { get; init; } = "";

    /// <summary>True when the action was carried out; false when it was only reported (-WhatIf, declined, or report-only).</summary>
    public bool Applied { get; init; }

    public override string ToString() => $"{Kind} {Target}: {Action}";
}
