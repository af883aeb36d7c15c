using System.Collections.Generic;
using Replication.Drivers;

namespace Samples.ChunkFolder;

/// <summary>The sample's optional capability: changed-block tracking per copy, a chunk at a time (see <see cref="ChangedChunks"/>).</summary>
public sealed partial class ChunkFolderDriver : IChangedBlockTracking
{
    public string MarkChanges(BackendConfiguration backend, string location) =>
        StorageFaults.Guard(() => ChangedChunks.Mark(new ChunkCopy(new ChunkFolderLayout(backend), location).Required()));

    public IReadOnlyList<Extent>? ChangedSince(BackendConfiguration backend, string location, string mark) =>
        StorageFaults.Guard(() => new ChunkCopy(new ChunkFolderLayout(backend), location) is { Exists: true } copy ? ChangedChunks.Since(copy, mark) : null);
}
