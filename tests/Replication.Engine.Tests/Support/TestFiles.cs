using System.IO;
using Replication.Engine.Drivers.LocalFile;
using Replication.Engine.Files;
using Replication.Engine.Replication;

namespace Replication.Engine.Tests.Support;

/// <summary>The module's file primitives on plain test paths: sparse files, allocation, journals.</summary>
internal static class TestFiles
{
    /// <summary>A folder checked as a report's would be (only links refused), for primitives that take one.</summary>
    public static VerifiedFolder Folder(string path) => VerifiedFolder.Open(path, FolderTrust.AnyFolder(path));

    public static FileStream CreateSparse(string path, long size, int bufferSize = 1)
    {
        using var folder = Folder(Path.GetDirectoryName(path)!);
        return SparseFile.CreateNew(folder, Path.GetFileName(path), size, bufferSize);
    }

    public static long AllocatedBytes(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        return SparseFile.AllocatedBytes(file);
    }

    public static (SyncJournal.Header Header, BlockMap Map) ReadJournal(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        return SyncJournal.ReadCommitted(file, path);
    }

    /// <summary>A journal writer for <paramref name="uncommittedPath"/>; the folder stays open as long as the writer needs it.</summary>
    public static SyncJournal.Writer JournalWriter(string uncommittedPath, SyncJournal.Header header)
    {
        var folder = Folder(Path.GetDirectoryName(uncommittedPath)!);
        return new SyncJournal.Writer(folder, Path.GetFileName(uncommittedPath), header);
    }
}
