using System;
using Replication.Engine.Replication;

namespace Replication.Engine.Export;

/// <summary>
/// A round's hold on a volume's frozen dirty blocks. <see cref="Blocks"/> is what the round may copy alone (null when the
/// bitmap does not cover every write since the last round: then the round reads as without tracking). The hold ends
/// with <see cref="Release"/>: copied once the round is recorded, else merged back for the next round; disposing
/// without a release merges back.
/// </summary>
internal sealed class FrozenDirtyBlocks : IDisposable
{
    private Action<bool>? _release;

    public FrozenDirtyBlocks(DirtyBlockSet? blocks, bool replicaMirrored, Action<bool> release)
    {
        Blocks = blocks;
        ReplicaMirrored = replicaMirrored;
        _release = release;
    }

    public DirtyBlockSet? Blocks { get; }

    /// <summary>True when a synchronous export wrote the replica outside rounds: its dirty blocks must be compared, not trusted to the block map.</summary>
    public bool ReplicaMirrored { get; }

    public void Release(bool copied)
    {
        var release = _release;
        _release = null;
        release?.Invoke(copied);
    }

    public void Dispose() => Release(copied: false);
}
