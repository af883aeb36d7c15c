using System;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using Microsoft.Data.Sqlite;
using Replication.Engine.Catalog;
using Replication.Engine.Errors;
using Replication.Engine.State;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Trust;

/// <summary>
/// Backends are told apart by their folders' real identities (device and inode), not their paths: one folder reached
/// through a link, or one inside another, is refused; a folder belongs to one state store (its mark says which), so a
/// second state file on the same folders is refused, and Repair-ReplicationState -RemoveOrphanFiles never removes what
/// another store or another backend of this store owns.
/// </summary>
// A state file of its own: some cases point at the file itself.
[Trait(StoreTrait.Name, StoreTrait.Specific)]
[UnsupportedOSPlatform("windows")]
public sealed class BackendIdentityTests : IDisposable
{
    private const long Size = 4 * MiB;

    private readonly EngineSite site = new EngineSite(StateStoreKind.Sqlite).WithPairAndReplicatedType();

    public BackendIdentityTests()
    {
        site.CreateVolume("db01", Size);
        WriteAt(site.PrimaryFile("db01"), 0, RandomBytes(Block, 1));
        site.Sync("db01");
    }

    public void Dispose() => site.Dispose();

    [UnixFact]
    public void ABackendOnAnotherBackendsFolderThroughALink_IsRefused()
    {
        var alias = site.ScratchFile("alias");
        Directory.CreateSymbolicLink(alias, site.FolderOf("dc1"));
        var before = site.SnapshotFolders();

        var error = Refused(ErrorIds.BackendFolderTaken, () => site.AddBackend("dc3", path: alias));

        Assert.Contains("is the same folder as that of backend 'dc1'", error.Message);
        Assert.Equal(before, site.SnapshotFolders());
        Assert.Equal(new[] { "dc1", "dc2" }, site.Engine.Backends.List().Select(b => b.Name));
    }

    [UnixFact]
    public void ABackendInsideAnotherBackendsFolder_IsRefused_AndItsFolderIsNotMade()
    {
        var nested = Path.Combine(site.FolderOf("dc1"), "inner");

        var error = Refused(ErrorIds.BackendFolderTaken, () => site.AddBackend("dc3", path: nested));

        Assert.Contains("lies inside the folder of backend 'dc1'", error.Message);
        Assert.False(Directory.Exists(nested));
    }

    [UnixFact]
    public void ABackendHoldingAnotherBackendsFolder_IsRefused()
    {
        var error = Refused(ErrorIds.BackendFolderTaken, () => site.AddBackend("everything", path: site.BackendsRoot));

        Assert.Contains("holds the folder of backend", error.Message);
    }

    [UnixFact]
    [Trait("Store", "Specific")]
    public void ASecondStateFileOnTheSameFolders_IsRefused_AndChangesNothingThere()
    {
        using var other = new TempDirectory();
        var second = ReplicationEngine.OpenSqlite(other.File("second.db"));
        var before = site.SnapshotFolders();

        var error = Refused(ErrorIds.BackendFolderTaken, () => second.Backends.Add(new BackendDefinition { Name = "dc1", Driver = "LocalFile", Path = site.FolderOf("dc1") }, site.Quiet));

        Assert.Contains("belongs to another state store", error.Message);
        Assert.Equal(before, site.SnapshotFolders());
    }

    [UnixFact]
    [Trait("Store", "Specific")]
    public void RemoveOrphanFiles_OfASecondStateFileThatAnOlderVersionLetOntoTheSameFolders_RemovesNothing()
    {
        using var other = new TempDirectory();
        var path = other.File("second.db");
        var second = ReplicationEngine.OpenSqlite(path);
        // An older version accepted these: backends of a second state file on the first one's folders.
        foreach (var backend in new[] { "dc1", "dc2" })
        {
            InsertBackendRow(path, backend, site.FolderOf(backend));
        }

        var before = site.SnapshotFolders();

        var findings = second.Repair.Run(removeOrphanFiles: true, _ => true, site.Quiet);

        Assert.Equal(new[] { "BackendFolderTaken", "BackendFolderTaken" }, findings.Select(f => f.Kind));
        Assert.All(findings, f => Assert.False(f.Applied));
        Assert.Equal(before, site.SnapshotFolders());
        site.Sync("db01");
    }

    [UnixFact]
    [Trait("Store", "Specific")]
    public void RemoveOrphanFiles_NeverRemovesAFileAnotherBackendOfTheSameStateOwns()
    {
        // An older version accepted a second backend on dc1's folder through a link.
        var alias = site.ScratchFile("alias");
        Directory.CreateSymbolicLink(alias, site.FolderOf("dc1"));
        InsertBackendRow(site.StatePath, "alias", alias);
        var before = site.SnapshotFolders();

        var findings = site.Engine.Repair.Run(removeOrphanFiles: true, _ => true, site.Quiet);

        Assert.DoesNotContain(findings, f => f.Kind == "OrphanFile");
        Assert.Equal(before, site.SnapshotFolders());
    }

    [UnixFact]
    public void RemoveOrphanFiles_InAFolderThatHadNoMarkUntilNow_OnlyReports_ThenRemovesOnTheNextRun()
    {
        var orphan = Path.Combine(site.FolderOf("dc1"), $"volume-{Guid.NewGuid():D}.img");
        File.WriteAllBytes(orphan, new byte[4096]);
        File.Delete(Path.Combine(site.FolderOf("dc1"), ".replication", "store"));

        var first = Assert.Single(site.Engine.Repair.Run(removeOrphanFiles: true, _ => true, site.Quiet), f => f.Kind == "OrphanFile");

        Assert.False(first.Applied);
        Assert.Contains("carried no mark of its state store until now", first.Action);
        Assert.True(File.Exists(orphan));
        Assert.True(File.Exists(Path.Combine(site.FolderOf("dc1"), ".replication", "store")));

        var second = Assert.Single(site.Engine.Repair.Run(removeOrphanFiles: true, _ => true, site.Quiet), f => f.Kind == "OrphanFile");

        Assert.True(second.Applied);
        Assert.False(File.Exists(orphan));
    }

    private static void InsertBackendRow(string statePath, string name, string folder)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = statePath, Pooling = false }.ToString());
        connection.Open();
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO backends (name, driver, path, replication_partner, declared_capabilities, created_at) VALUES ($name, 'LocalFile', $path, NULL, '{}', '2030-01-01T08:00:00.0000000Z');";
        insert.Parameters.AddWithValue("$name", name);
        insert.Parameters.AddWithValue("$path", folder);
        insert.ExecuteNonQuery();
    }
}
