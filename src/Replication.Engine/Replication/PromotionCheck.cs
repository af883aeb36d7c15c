using Replication.Engine.Model;

namespace Replication.Engine.Replication;

/// <summary>What a promotion found about the replica's content before it served it, for the result and the extended status.</summary>
internal sealed record PromotionCheck(long FinalSyncBytes, long RepairedBlocks, ReplicaVerdict? Verdict, bool Verified)
{
    /// <summary>A planned promotion's final sync, which compared the primary with the replica's real blocks and wrote what differed.</summary>
    public static PromotionCheck Of(SyncResult finalSync) =>
        new(finalSync.BytesWritten, finalSync.ReplicaBlocksRepaired, null, Verified: finalSync.Mode == SyncMode.FullCompare.ToString());

    /// <summary>An unplanned promotion's check of the replica against its recorded round.</summary>
    public static PromotionCheck Of(ReplicaVerdict verdict) => new(0, 0, verdict, verdict.Verified);
}
