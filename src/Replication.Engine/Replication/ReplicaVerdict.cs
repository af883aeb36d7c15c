using System;
using System.Collections.Generic;
using System.Linq;

namespace Replication.Engine.Replication;

/// <summary>
/// What a replica's real blocks say against the round its block map records: the blocks that differ (changed or damaged
/// on disk behind the module, whatever its file times say), where they are, and the blocks that could not be judged
/// because a synchronous export wrote them outside rounds.
/// </summary>
internal sealed class ReplicaVerdict
{
    private const int RangesShown = 8;

    private ReplicaVerdict(long round, long compared, long differing, long bytesDiffering, long unjudged, string where, string? notJudgedBecause)
    {
        Round = round;
        BlocksCompared = compared;
        BlocksDiffering = differing;
        BytesDiffering = bytesDiffering;
        BlocksUnjudged = unjudged;
        Where = where;
        NotJudgedBecause = notJudgedBecause;
    }

    /// <summary>The sync round the block map records.</summary>
    public long Round { get; }

    public long BlocksCompared { get; }

    /// <summary>Blocks whose content is not what the round wrote: the replica is damaged there.</summary>
    public long BlocksDiffering { get; }

    public long BytesDiffering { get; }

    /// <summary>Blocks that differ where a synchronous export may have written the replica outside rounds: neither proof of damage nor of health.</summary>
    public long BlocksUnjudged { get; }

    /// <summary>The differing blocks as ranges ("blocks 16, 80-81"), the first few only.</summary>
    public string Where { get; }

    /// <summary>Why differing blocks were left unjudged, when they were.</summary>
    public string? NotJudgedBecause { get; }

    public bool Damaged => BlocksDiffering > 0;

    /// <summary>True when every block was judged and none differs: the replica holds exactly its round.</summary>
    public bool Verified => BlocksCompared > 0 && BlocksDiffering == 0 && BlocksUnjudged == 0;

    /// <summary>What was found, in one sentence an admin reads in a result, an event or a refusal.</summary>
    public string Describe()
    {
        if (BlocksCompared == 0)
        {
            return $"The replica's content could not be checked: {NotJudgedBecause}.";
        }

        var text = Damaged
            ? $"{BlocksDiffering} of {BlocksCompared} blocks ({Humane.Bytes(BytesDiffering)}) of the replica differ from what round {Round} wrote ({Where}): it was changed or damaged outside the module, on disk"
            : $"All {BlocksCompared} blocks of the replica hold what round {Round} wrote";
        return BlocksUnjudged == 0 ? text + "." : text + $"; {BlocksUnjudged} more differ but were not judged: {NotJudgedBecause}.";
    }

    /// <summary>
    /// Compares <paramref name="actual"/> (the replica's blocks as read now) with <paramref name="recorded"/> (its round).
    /// </summary>
    /// <param name="writtenOutsideRounds">Blocks a synchronous export may have written to the replica since the round; a difference there is not damage.</param>
    /// <param name="anyBlockMayBeWritten">Set when such an export may have written the replica but its record of where cannot be read: no difference is judged.</param>
    /// <param name="whyUnjudged">What to say about differences left unjudged.</param>
    public static ReplicaVerdict Judge(BlockMap actual, BlockMap recorded, long round, DirtyBlockSet? writtenOutsideRounds, bool anyBlockMayBeWritten, string? whyUnjudged)
    {
        if (actual.BlockSize != recorded.BlockSize || actual.VolumeSize != recorded.VolumeSize)
        {
            throw new InvalidOperationException($"A replica hashed in {actual.BlockSize}-byte blocks of {actual.VolumeSize} bytes cannot be judged against a map of {recorded.BlockSize}-byte blocks of {recorded.VolumeSize} bytes.");
        }

        long differing = 0, bytes = 0, unjudged = 0;
        var ranges = new List<(long First, long Last)>();
        var hash = new byte[BlockMap.HashSize];
        for (long block = 0; block < recorded.BlockCount; block++)
        {
            actual.CopyHash(block, hash);
            if (recorded.Matches(block, hash))
            {
                continue;
            }

            if (anyBlockMayBeWritten || writtenOutsideRounds?.IsDirty(block) == true)
            {
                unjudged++;
                continue;
            }

            differing++;
            bytes += recorded.BlockLength(block);
            if (ranges.Count > 0 && ranges[ranges.Count - 1].Last == block - 1)
            {
                ranges[ranges.Count - 1] = (ranges[ranges.Count - 1].First, block);
            }
            else if (ranges.Count <= RangesShown)
            {
                ranges.Add((block, block));
            }
        }

        return new ReplicaVerdict(round, recorded.BlockCount, differing, bytes, unjudged, Ranges(ranges, recorded.BlockSize), unjudged == 0 ? null : whyUnjudged);
    }

    /// <summary>A replica with no recorded block map: nothing can be judged.</summary>
    public static ReplicaVerdict Unrecorded(long round) =>
        new(round, 0, 0, 0, 0, "", "no block map is recorded for the replica's round");

    private static string Ranges(List<(long First, long Last)> ranges, int blockSize)
    {
        if (ranges.Count == 0)
        {
            return "";
        }

        var shown = ranges.Take(RangesShown).Select(r => r.First == r.Last ? $"{r.First}" : $"{r.First}-{r.Last}");
        return $"block{(ranges.Count == 1 && ranges[0].First == ranges[0].Last ? "" : "s")} {string.Join(", ", shown)}{(ranges.Count > RangesShown ? ", ..." : "")} of {Humane.Bytes(blockSize)}";
    }
}
