using System.IO;
using System.Runtime.Versioning;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>The "nothing changed" snapshots must see every kind of change, or the tests built on them prove nothing.</summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class EngineSiteTests
{
    [Fact]
    public void SnapshotDatabase_SeesEveryRowChange_AndIgnoresOnlyWhatItIsTold()
    {
        using var site = new EngineSite().WithPairAndReplicatedType();
        site.CreateVolume("v", MiB);
        var rows = site.SnapshotDatabase();
        var withoutEvents = site.SnapshotDatabase("events", "volumes.replication_extended_status");

        site.Disable("v");

        Assert.NotEqual(rows, site.SnapshotDatabase());
        Assert.NotEqual(withoutEvents, site.SnapshotDatabase("events", "volumes.replication_extended_status")); // the status column
        Assert.Contains("== volumes", rows);
        Assert.Contains("== events", rows);
        Assert.DoesNotContain("== events", withoutEvents);
        Assert.DoesNotContain("replication_extended_status", withoutEvents);
    }

    [UnixFact]
    [UnsupportedOSPlatform("windows")]
    public void SnapshotFolders_SeesContentModeAndNewEntries_ButNotTheStateFile()
    {
        using var site = new EngineSite().WithPairAndReplicatedType();
        site.CreateVolume("v", MiB);
        var primary = site.PrimaryFile("v");
        var files = site.SnapshotFolders();

        site.AddPlainType("other"); // writes the state file only
        Assert.Equal(files, site.SnapshotFolders());

        WriteAt(primary, 100, new byte[] { 1 });
        var written = site.SnapshotFolders();
        Assert.NotEqual(files, written);

        File.SetUnixFileMode(primary, UnixFileMode.UserRead);
        var fenced = site.SnapshotFolders();
        Assert.NotEqual(written, fenced);

        Directory.CreateDirectory(Path.Combine(site.FolderOf("dc1"), "empty"));
        Assert.NotEqual(fenced, site.SnapshotFolders());
    }
}
