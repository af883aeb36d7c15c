using System;
using System.Collections.Generic;
using System.IO;
using Replication.Drivers;
using Replication.Engine.Drivers.LocalFile;
using Replication.Engine.Files;
using Replication.Engine.Replication;
using Replication.Engine.Rounds;

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

    /// <summary>The sidecars of a LocalFile backend in <paramref name="backendFolder"/> owned by <paramref name="storeId"/> (made if missing).</summary>
    public static ISidecarStore Sidecars(string backendFolder, Guid storeId)
    {
        var driver = new LocalFileDriver();
        var backend = new BackendConfiguration("test", driver.ValidateSettings(new Dictionary<string, string> { ["Path"] = backendFolder }), storeId.ToString("D"));
        driver.PrepareBackend(backend);
        return driver.Sidecars(backend);
    }

    /// <summary>The committed journal of the volume, checked against its commit record and read.</summary>
    public static (SyncJournal.Header Header, BlockMap Map) ReadJournal(ISidecarStore sidecars, Guid volumeId)
    {
        var committed = SyncJournal.OpenCommitted(sidecars, volumeId, "journal") ?? throw new FileNotFoundException("No journal is committed.");
        committed.Journal.Dispose();
        return (committed.Header, committed.Map);
    }

    /// <summary>A journal writer staging in <paramref name="sidecars"/>.</summary>
    public static SyncJournal.Writer JournalWriter(ISidecarStore sidecars, SyncJournal.Header header) => new(sidecars, header, "journal");
}
